package ping

import (
	"errors"

	prometheus "github.com/vantage-net/vantage/internal/metrics"
)

// engineMetrics count what the shared engine did, across all ping probes.
type engineMetrics struct {
	sent, replies, late, unreachable, sendErrors, readErrors, drops prometheus.Counter
	// unanswered counts requests when their round ends without a reply:
	// the engine's loss. sent minus replies is not, because it includes the
	// requests in flight at the moment it is read.
	unanswered prometheus.Counter
}

func newEngineMetrics() *engineMetrics {
	c := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "vantage", Subsystem: "agent_ping", Name: name, Help: help,
		})
	}
	return &engineMetrics{
		sent:        c("requests_sent_total", "ICMP echo requests written by the shared ping engine."),
		replies:     c("replies_total", "Echo replies matched to a waiting round."),
		late:        c("late_replies_total", "Echo replies received by the kernel after their round's deadline or read after their round ended (counted as lost), or duplicates."),
		unreachable: c("unreachable_total", "ICMP unreachable / time exceeded errors matched to a request."),
		sendErrors:  c("send_errors_total", "Echo requests the kernel refused to send (no route, buffer full)."),
		readErrors:  c("read_errors_total", "Errors reading the shared ICMP socket."),
		drops:       c("socket_drops_total", "Packets the kernel dropped on the engine's socket: its receive buffer was full because the reader was kept from the CPU. Their rounds count them unanswered; the network did not lose them."),
		unanswered:  c("requests_unanswered_total", "Echo requests written whose round ended without a reply or ICMP error for them (lost)."),
	}
}

// register adds the counters to reg once; a second ping probe registering
// the same engine's counters is not an error.
func (m *engineMetrics) register(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	for _, c := range []prometheus.Collector{m.sent, m.replies, m.late, m.unreachable, m.sendErrors, m.readErrors, m.unanswered, m.drops} {
		if err := reg.Register(c); err != nil {
			var already prometheus.AlreadyRegisteredError
			if !errors.As(err, &already) {
				return err
			}
		}
	}
	return nil
}
