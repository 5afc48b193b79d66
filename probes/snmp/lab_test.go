package snmp_test

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/probes/probe"
	"github.com/vantage-net/vantage/probes/snmp"
	"github.com/vantage-net/vantage/probes/snmp/trap"
)

// Lab credentials: throwaway, for the snmpd this test starts.
const (
	labCommunity = "lab-c0mmunity"
	labUser      = "labuser"
	labAuth      = "lab-auth-pass"
	labPriv      = "lab-priv-pass"
)

// labDevice is a real net-snmp snmpd in a namespace ("dev") reachable from
// the test over a veth (a random /30 in 198.19.0.0/16), with three more veth
// interfaces towards a second namespace ("peer") that the test sets down and
// up and sends traffic through.
type labDevice struct {
	dev, peer *lab.Netns
	target    string   // host:port of snmpd, as a probe target
	hostAddr  string   // the test's end of the access link
	devAddr   string   // snmpd's end
	ifs       []string // interface names inside dev
	peerAddrs []string // peer address behind each of ifs
}

func startLab(t *testing.T) *labDevice {
	t.Helper()
	if testing.Short() {
		t.Skip("lab test (-short)")
	}
	lab.NeedRoot(t)
	lab.NeedBinary(t, "snmptrap", "snmp")
	d := &labDevice{dev: lab.NewNetns(t, "sd"), peer: lab.NewNetns(t, "sp")}
	// The host end lives in the shared host namespace, where other lab runs
	// add their own links: a random /30 in 198.19.0.0/16 avoids them.
	r := rand.Intn(1 << 14)
	d.hostAddr, d.devAddr = fmt.Sprintf("198.19.%d.%d", r>>6, (r&63)*4+1), fmt.Sprintf("198.19.%d.%d", r>>6, (r&63)*4+2)
	lab.Veth(t, nil, d.hostAddr+"/30", d.dev, d.devAddr+"/30")
	for i := 1; i <= 3; i++ {
		ifDev, _ := lab.Veth(t, d.dev, fmt.Sprintf("198.18.%d.1/30", i), d.peer, fmt.Sprintf("198.18.%d.2/30", i))
		d.ifs = append(d.ifs, ifDev)
		d.peerAddrs = append(d.peerAddrs, fmt.Sprintf("198.18.%d.2", i))
	}
	port := lab.FreeUDPPort(t)
	d.target = d.devAddr + ":" + strconv.Itoa(port)
	// Ready when a poll answers.
	p := newProber(t, "ready", v2cOptions(d, ""))
	lab.StartSNMPD(t, d.dev, fmt.Sprintf(`agentAddress udp:%s
rocommunity %s 198.18.0.0/15
createUser %s SHA "%s" AES "%s"
rouser %s priv
`, d.target, labCommunity, labUser, labAuth, labPriv, labUser), func(ctx context.Context, _ *lab.SNMPD) error {
		c, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if s := pollErr(p.Probe(c, d.target)); s != "" {
			return fmt.Errorf("snmpd not answering: %s", s)
		}
		return nil
	})
	return d
}

func v2cOptions(d *labDevice, community string) string {
	if community == "" {
		community = labCommunity
	}
	return fmt.Sprintf(`
community: %q
request_timeout: 500ms
retries: 1
interfaces:
  - {name: %s, line: L-0001}
  - {name: %s, line: L-0002}
  - {name: %s, line: L-0003}
`, community, d.ifs[0], d.ifs[1], d.ifs[2])
}

func v3Options(auth string) string {
	return fmt.Sprintf(`
version: "3"
request_timeout: 500ms
retries: 0
v3: {user: %s, level: authPriv, auth_protocol: SHA, auth_password: %q, priv_protocol: AES, priv_password: %q}
`, labUser, auth, labPriv)
}

func newProber(t *testing.T, name, options string) *snmp.Prober {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(options), &n); err != nil {
		t.Fatal(err)
	}
	p, err := snmp.NewProber(probe.Spec{Name: name, Type: "snmp", Interval: 10 * time.Second, Timeout: 5 * time.Second,
		Options: *n.Content[0], File: "lab.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// poll runs one round with a 5 s budget.
func poll(t *testing.T, p *snmp.Prober, target string) []probe.Sample {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.Probe(ctx, target)
}

// pollErr returns "class: detail" of a failed round, or "".
func pollErr(samples []probe.Sample) string {
	for _, s := range samples {
		if s.Tags["metric"] == "poll_ms" && s.Error != "" {
			return s.Error + ": " + s.Detail
		}
	}
	return ""
}

// find returns the samples of measurement m whose tags include want.
func find(samples []probe.Sample, m string, want map[string]string) []probe.Sample {
	var out []probe.Sample
next:
	for _, s := range samples {
		if s.Measurement != m {
			continue
		}
		for k, v := range want {
			if s.Tags[k] != v {
				continue next
			}
		}
		out = append(out, s)
	}
	return out
}

func ifSample(t *testing.T, samples []probe.Sample, ifname string) probe.Sample {
	t.Helper()
	got := find(samples, snmp.MeasurementIf, map[string]string{"ifname": ifname})
	if len(got) != 1 {
		t.Fatalf("%d snmp_if samples for %s (poll error %q)", len(got), ifname, pollErr(samples))
	}
	return got[0]
}

// TestLabSNMP proves polling and traps against a real snmpd. The steps
// share one snmpd; each names the bullet it proves.
func TestLabSNMP(t *testing.T) {
	d := startLab(t)
	p := newProber(t, "lab", v2cOptions(d, ""))

	t.Run("v2c and v3 polls read the interfaces and their lines", func(t *testing.T) {
		s := poll(t, p, d.target)
		for i, name := range d.ifs {
			is := ifSample(t, s, name)
			if is.Tags["line"] != fmt.Sprintf("L-000%d", i+1) || is.Fields["oper_up"] != 1 {
				t.Errorf("%s: tags %v fields %v", name, is.Tags, is.Fields)
			}
		}
		p3 := newProber(t, "lab-v3", v3Options(labAuth))
		s3 := poll(t, p3, d.target)
		if e := pollErr(s3); e != "" {
			t.Fatalf("v3 authPriv poll failed: %s", e)
		}
		ifSample(t, s3, d.ifs[0])
	})

	t.Run("wrong v3 password and wrong community are clear errors", func(t *testing.T) {
		e := pollErr(poll(t, newProber(t, "lab-bad-v3", v3Options("wrong-pass-000")), d.target))
		if !strings.HasPrefix(e, probe.ErrAuth+": ") || !strings.Contains(e, "auth_password") {
			t.Errorf("wrong v3 password: %q, want class auth naming v3.auth_password", e)
		}
		e = pollErr(poll(t, newProber(t, "lab-bad-comm", v2cOptions(d, "not-the-community")), d.target))
		if !strings.HasPrefix(e, probe.ErrTimeout+": ") || !strings.Contains(e, "wrong community") {
			t.Errorf("wrong community: %q, want class timeout naming a wrong community", e)
		}
		if strings.Contains(e, "not-the-community") || strings.Contains(e, labCommunity) {
			t.Errorf("error text carries a community: %q", e)
		}
	})

	t.Run("ifOperStatus change is seen by a poll", func(t *testing.T) {
		name := d.ifs[0]
		poll(t, p, d.target) // baseline
		lab.SetLink(t, d.dev, name, false)
		ctx := lab.Deadline(t, 15*time.Second)
		var down []probe.Sample
		lab.WaitFor(t, ctx, 500*time.Millisecond, func() error {
			s := poll(t, p, d.target)
			down = append(down, find(s, snmp.MeasurementEvent, map[string]string{"ifname": name, "kind": snmp.KindLinkDown})...)
			if ifSample(t, s, name).Fields["oper_up"] != 0 {
				return fmt.Errorf("%s still reads oper up", name)
			}
			return nil
		})
		if len(down) != 1 || down[0].Tags["line"] != "L-0001" || down[0].Tags["source"] != snmp.SourcePoll {
			t.Errorf("link_down events %+v", down)
		}
		lab.SetLink(t, d.dev, name, true)
		lab.WaitFor(t, ctx, 500*time.Millisecond, func() error {
			if ifSample(t, poll(t, p, d.target), name).Fields["oper_up"] != 1 {
				return fmt.Errorf("%s not up again", name)
			}
			return nil
		})
	})

	t.Run("down and up between two polls is an unseen flap", func(t *testing.T) {
		// snmpd refreshes its interface table every ~3 s, so the flap lasts
		// 6 s and the second poll waits 5 s more (lab notes); a router
		// updates ifLastChange at once.
		name := d.ifs[1]
		before := poll(t, p, d.target)
		start := time.Now()
		lab.SetLink(t, d.dev, name, false)
		time.Sleep(6 * time.Second)
		lab.SetLink(t, d.dev, name, true)
		time.Sleep(5 * time.Second)
		after := poll(t, p, d.target)
		if ifSample(t, before, name).Fields["oper_up"] != 1 || ifSample(t, after, name).Fields["oper_up"] != 1 {
			t.Fatal("the port must read up in both polls")
		}
		flaps := find(after, snmp.MeasurementEvent, map[string]string{"ifname": name, "kind": snmp.KindUnseenFlap})
		if len(flaps) != 1 {
			t.Fatalf("unseen_flap events: %+v", find(after, snmp.MeasurementEvent, nil))
		}
		f := flaps[0]
		at := float64(start.UnixMilli()) / 1000
		if f.Tags["line"] != "L-0002" || f.Fields["earliest_unix"] > at || f.Fields["latest_unix"] < at {
			t.Errorf("flap %v %v: bounds must contain the flap start %.3f", f.Tags, f.Fields, at)
		}
	})

	t.Run("counters move with bounded traffic through a veth", func(t *testing.T) {
		name := d.ifs[2]
		poll(t, p, d.target)
		t0 := time.Now()
		// 50 pings of 1000 bytes: ~51 kB each way.
		d.dev.Run("ping", "-q", "-c", "50", "-i", "0.01", "-s", "1000", "-W", "1", d.peerAddrs[2])
		time.Sleep(4 * time.Second) // snmpd's counter cache
		s := ifSample(t, poll(t, p, d.target), name)
		secs := time.Since(t0).Seconds()
		outBytes := s.Fields["out_bps"] * secs / 8
		inBytes := s.Fields["in_bps"] * secs / 8
		if outBytes < 40000 || inBytes < 40000 {
			t.Errorf("in %.0f / out %.0f bytes over the round, want ≥ 40000 each (fields %v)", inBytes, outBytes, s.Fields)
		}
	})

	t.Run("v2c and v3 traps from snmptrap arrive within 1s; bad ones are dropped and counted", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		port := lab.FreeUDPPort(t)
		cfg := decodeTraps(t, fmt.Sprintf(`
listen: %s:%d
community: %s
v3: {user: %s, level: authPriv, auth_protocol: SHA, auth_password: %s, priv_protocol: AES, priv_password: %s}
devices:
  %s:
    device: %s
`, d.hostAddr, port, labCommunity, labUser, labAuth, labPriv, d.devAddr, d.target))
		got := make(chan probe.Sample, 16)
		l, err := trap.Listen(trap.Options{Config: cfg, Forward: func(s probe.Sample) { got <- s }, Lookup: p.Lookup, Registerer: reg})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		name := d.ifs[0]
		idx := strings.TrimSpace(d.dev.Run("cat", "/sys/class/net/"+name+"/ifindex"))
		dest := fmt.Sprintf("%s:%d", d.hostAddr, port)
		varbinds := func(oper string) []string {
			return []string{"1.3.6.1.2.1.2.2.1.1." + idx, "i", idx, "1.3.6.1.2.1.2.2.1.7." + idx, "i", "1", "1.3.6.1.2.1.2.2.1.8." + idx, "i", oper}
		}
		v2 := func(community, oid, oper string) []string {
			return append([]string{"-v", "2c", "-c", community, dest, "", oid}, varbinds(oper)...)
		}
		v3 := func(auth, oid, oper string) []string {
			return append([]string{"-v", "3", "-u", labUser, "-l", "authPriv", "-a", "SHA", "-A", auth, "-x", "AES", "-X", labPriv,
				"-e", "0x80001f8804766c6162", dest, "", oid}, varbinds(oper)...)
		}
		send := func(args []string) time.Time {
			t.Helper()
			cmd := d.dev.Command("snmptrap", append([]string{"-M", "/nonexistent", "-m", ""}, args...)...)
			cmd.Env = append(os.Environ(), "SNMP_PERSISTENT_DIR="+t.TempDir())
			sent := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("snmptrap: %v: %s", err, out)
			}
			return sent
		}
		expect := func(what string, sent time.Time, kind string, up float64) {
			t.Helper()
			select {
			case s := <-got:
				took := time.Since(sent)
				t.Logf("%s handed off %s after snmptrap started", what, took.Round(time.Millisecond))
				if took > time.Second {
					t.Errorf("%s: %s, want within 1s", what, took)
				}
				want := map[string]string{"device": d.target, "kind": kind, "source": "trap", "ifindex": idx, "ifname": name, "line": "L-0001"}
				for k, v := range want {
					if s.Tags[k] != v {
						t.Errorf("%s: tag %s = %q, want %q (%v)", what, k, s.Tags[k], v, s.Tags)
					}
				}
				if s.Fields["oper_up"] != up {
					t.Errorf("%s: oper_up %v", what, s.Fields["oper_up"])
				}
			case <-time.After(2 * time.Second):
				t.Fatalf("%s not forwarded", what)
			}
		}
		expect("v2c linkDown", send(v2(labCommunity, "1.3.6.1.6.3.1.1.5.3", "2")), snmp.KindLinkDown, 0)
		expect("v2c linkUp", send(v2(labCommunity, "1.3.6.1.6.3.1.1.5.4", "1")), snmp.KindLinkUp, 1)
		expect("v3 linkDown", send(v3(labAuth, "1.3.6.1.6.3.1.1.5.3", "2")), snmp.KindLinkDown, 0)
		expect("v3 linkUp", send(v3(labAuth, "1.3.6.1.6.3.1.1.5.4", "1")), snmp.KindLinkUp, 1)

		send(v2("wrong-community", "1.3.6.1.6.3.1.1.5.3", "2"))
		send(v3("wrong-pass-000", "1.3.6.1.6.3.1.1.5.3", "2"))
		ctx := lab.Deadline(t, 5*time.Second)
		lab.WaitFor(t, ctx, 50*time.Millisecond, func() error {
			c, v := dropped(t, reg, trap.DropCommunity), dropped(t, reg, trap.DropV3Auth)
			if c != 1 || v != 1 {
				return fmt.Errorf("dropped community=%v v3_auth=%v, want 1 and 1", c, v)
			}
			return nil
		})
		select {
		case s := <-got:
			t.Errorf("a refused trap was forwarded: %v", s.Tags)
		case <-time.After(200 * time.Millisecond):
		}
	})
}

func decodeTraps(t *testing.T, text string) *trap.Config {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(text), &n); err != nil {
		t.Fatal(err)
	}
	c, err := trap.DecodeConfig("lab.yaml", &n)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// dropped reads vantage_agent_snmp_traps_dropped_total{reason}.
func dropped(t *testing.T, reg *prometheus.Registry, reason string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "vantage_agent_snmp_traps_dropped_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "reason" && l.GetValue() == reason {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return -1
}
