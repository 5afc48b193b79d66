package ping

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/probes/probe"
)

// pingLab is two namespaces joined by a veth: the prober lives in "cpe", its
// target 198.18.0.2 in "pop". The pop also answers for a whole /24 on its
// loopback, so fan-out tests have many distinct targets.
type pingLab struct {
	cpe, pop   *lab.Netns
	cpeIf      string
	target     netip.Addr
	anyTargets netip.Prefix
}

func newPingLab(t *testing.T) *pingLab {
	t.Helper()
	cpe := lab.NewNetns(t, "pc")
	pop := lab.NewNetns(t, "pp")
	cpeIf, _ := lab.Veth(t, cpe, "198.18.0.1/30", pop, "198.18.0.2/30")
	pop.Run("ip", "route", "add", "local", "198.18.1.0/24", "dev", "lo")
	cpe.Run("ip", "route", "add", "198.18.1.0/24", "via", "198.18.0.2")
	return &pingLab{cpe: cpe, pop: pop, cpeIf: cpeIf,
		target: netip.MustParseAddr("198.18.0.2"), anyTargets: netip.MustParsePrefix("198.18.1.0/24")}
}

// engine starts an engine whose socket lives in the cpe namespace.
func (l *pingLab) engine(t *testing.T, open func() (*socket, error)) *Engine {
	t.Helper()
	var e *Engine
	err := l.cpe.Do(func() error {
		s, err := open()
		if err != nil {
			return err
		}
		e = startEngine(s, nil, clock.Real{})
		return nil
	})
	if err != nil {
		t.Fatalf("open socket in %s: %v", l.cpe, err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// diagnose says where a round's requests or replies went missing: the
// engine's counters, and each namespace's ICMP counters (did the pop get
// the requests and answer? did the cpe's kernel get the replies?), the
// cpe's link and neighbour state.
func (l *pingLab) diagnose(e *Engine) string {
	m := e.stats
	c := func(x prometheus.Counter) float64 { return testutil.ToFloat64(x) }
	icmp := func(n *lab.Netns) string {
		out, _ := n.Command("cat", "/proc/net/snmp").CombinedOutput()
		var rows []string
		for _, line := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(line, "Icmp:") || strings.HasPrefix(line, "IcmpMsg:") {
				rows = append(rows, line)
			}
		}
		return strings.Join(rows, "\n")
	}
	link, _ := l.cpe.Command("ip", "-s", "link", "show", "dev", l.cpeIf).CombinedOutput()
	neigh, _ := l.cpe.Command("ip", "neigh", "show").CombinedOutput()
	return fmt.Sprintf("engine: sent %v replies %v late %v unanswered %v send_errors %v read_errors %v drops %v\n"+
		"cpe icmp:\n%s\npop icmp:\n%s\ncpe link:\n%s\ncpe neigh:\n%s",
		c(m.sent), c(m.replies), c(m.late), c(m.unanswered), c(m.sendErrors), c(m.readErrors), c(m.drops),
		icmp(l.cpe), icmp(l.pop), link, neigh)
}

func pingRound(t *testing.T, e *Engine, dst netip.Addr, count int) roundStats {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return e.Ping(ctx, dst, count, 20*time.Millisecond, 56)
}

func TestLabSharedEngineSeesLinkDownAndUp(t *testing.T) {
	l := newPingLab(t)
	for name, open := range map[string]func() (*socket, error){"raw": openRaw, "datagram": openDatagram} {
		t.Run(name, func(t *testing.T) {
			if name == "datagram" {
				l.cpe.Run("sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647")
			}
			e := l.engine(t, open)
			if e.Raw() != (name == "raw") {
				t.Fatalf("engine raw = %v", e.Raw())
			}
			// A fresh veth pair may drop its first ARP request (one TX drop
			// seen on the cpe side in a failing run, all 3 replies then
			// judged late): the retry comes about 1 s later, a round's whole
			// timeout. Wait for the path first, as after the link comes back
			// up below; the judged round then tests the engine, not ARP.
			lab.WaitFor(t, lab.Deadline(t, 10*time.Second), 100*time.Millisecond, func() error {
				if st := pingRound(t, e, l.target, 1); st.Recv != 1 {
					return fmt.Errorf("path not up yet: %+v", st)
				}
				return nil
			})
			st := pingRound(t, e, l.target, 3)
			if st.Sent != 3 || st.Recv != 3 || st.Min <= 0 || st.Max < st.Min {
				t.Fatalf("link up: %+v\n%s", st, l.diagnose(e))
			}
			lab.SetLink(t, l.cpe, l.cpeIf, false)
			st = pingRound(t, e, l.target, 3)
			if st.Sent != 3 || st.Recv != 0 {
				t.Fatalf("link down: %+v", st)
			}
			if s := st.sample(); s.Error == "" || s.Fields["loss_pct"] != 100 {
				t.Fatalf("link down sample: %+v", s)
			}
			lab.SetLink(t, l.cpe, l.cpeIf, true)
			lab.WaitFor(t, lab.Deadline(t, 10*time.Second), 100*time.Millisecond, func() error {
				if st := pingRound(t, e, l.target, 1); st.Recv != 1 {
					return fmt.Errorf("after link up: %+v", st)
				}
				return nil
			})
		})
	}
}

func TestLabSharedEngineFanOutNoLoss(t *testing.T) {
	l := newPingLab(t)
	e := l.engine(t, openRaw)
	var mu sync.Mutex
	var sent, recv int
	var wg sync.WaitGroup
	a := l.anyTargets.Addr().Next()
	for i := 0; i < 250; i++ {
		dst := a
		a = a.Next()
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := pingRound(t, e, dst, 2)
			mu.Lock()
			sent, recv = sent+st.Sent, recv+st.Recv
			mu.Unlock()
		}()
	}
	wg.Wait()
	if sent != 500 || recv != 500 {
		t.Fatalf("250 targets x 2: sent %d, received %d", sent, recv)
	}
	if n := len(e.pending); n != 0 {
		t.Fatalf("%d requests still pending after every round ended", n)
	}
	// A round whose time is up asks the kernel whether replies still wait
	// in the queue (SIOCINQ); on the raw socket the kernel must answer.
	if n, ok := e.sock.queued(); !ok || n != 0 {
		t.Fatalf("receive queue after every reply was read: %d bytes, known %v", n, ok)
	}
}

func TestLabUnreachableIsClassified(t *testing.T) {
	l := newPingLab(t)
	// The pop answers "host unreachable" for an address it has a route to
	// but nobody on it: an unreachable route makes the kernel say so.
	l.pop.Run("sysctl", "-qw", "net.ipv4.ip_forward=1")
	l.pop.Run("ip", "route", "add", "unreachable", "198.18.2.0/24")
	l.cpe.Run("ip", "route", "add", "198.18.2.0/24", "via", "198.18.0.2")
	e := l.engine(t, openRaw)
	st := pingRound(t, e, netip.MustParseAddr("198.18.2.7"), 2)
	if s := st.sample(); s.Error != probe.ErrUnreachable {
		t.Fatalf("sample = %+v, want error class unreachable", s)
	}
}

func TestLabProBingRound(t *testing.T) {
	l := newPingLab(t)
	var st roundStats
	err := l.cpe.Do(func() error {
		// pro-bing opens its socket inside RunWithContext, on this thread.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		st = proBingRound(ctx, l.target, Options{Count: 3, PacketInterval: 20 * time.Millisecond, Size: 56}, true, probe.Source{})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 3 || st.Recv != 3 || st.Min <= 0 {
		t.Fatalf("pro-bing round: %+v", st)
	}
}
