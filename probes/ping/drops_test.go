package ping

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/internal/lab"
	prometheus "github.com/vantage-net/vantage/internal/metrics"
)

// Replies the kernel drops on a full socket (a reader kept from the CPU)
// are counted by the engine, exactly as the kernel counts them: their
// rounds report them unanswered, and this tells an operator it was the
// agent, not the network.
func TestSocketDropsCountedAsTheKernelCountsThem(t *testing.T) {
	lab.NeedRoot(t)
	ns := lab.NewNetns(t, "pd")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := ns.Do(func() error {
		s, err := openRaw()
		if err != nil {
			return err
		}
		// The smallest buffer the kernel allows: a few replies.
		growConn := func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1) }
		raw, err := s.conn.(syscall.Conn).SyscallConn()
		if err != nil {
			return err
		}
		if err := raw.Control(growConn); err != nil {
			return err
		}
		enableRxTimestamps(s.conn)
		pkt := make([]byte, 8+56)
		lo := &net.IPAddr{IP: net.IPv4(127, 0, 0, 1)}
		echo := func(seq uint16) error {
			marshalEcho(pkt, 7, seq, 42) // not the engine's: read and ignored
			_, err := s.conn.WriteTo(pkt, lo)
			return err
		}
		for seq := uint16(1); seq <= 200; seq++ {
			if err := echo(seq); err != nil {
				return err
			}
		}
		m := newEngineMetrics()
		reg := prometheus.NewRegistry()
		if err := m.register(reg); err != nil {
			return err
		}
		e := startEngine(s, m, clock.Real{})
		defer e.Close()
		// The kernel reports the count with the next packet it queues.
		seq := uint16(200)
		lab.WaitFor(t, ctx, 10*time.Millisecond, func() error {
			seq++
			if err := echo(seq); err != nil {
				return err
			}
			if engineCounters(t, reg)["socket_drops_total"] == 0 {
				return errors.New("no drops counted")
			}
			return nil
		})
		kernel, err := rawDrops()
		if err != nil {
			return err
		}
		if got := engineCounters(t, reg)["socket_drops_total"]; got != kernel || got < 100 {
			return fmt.Errorf("engine counted %v drops, the kernel %v, of 200 replies sent into a full buffer", got, kernel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rawDrops is the drop count of the raw sockets of the calling thread's
// network namespace (the last column of /proc/net/raw).
func rawDrops() (float64, error) {
	b, err := os.ReadFile("/proc/thread-self/net/raw")
	if err != nil {
		return 0, err
	}
	var sum float64
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n")[1:] {
		f := strings.Fields(line)
		n, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/net/raw: %q", line)
		}
		sum += n
	}
	return sum, nil
}
