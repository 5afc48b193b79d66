package ping

import (
	"math"
	"time"

	"github.com/vantage-net/vantage/probes/probe"
)

// roundStats is what one round measured, whichever engine ran it.
type roundStats struct {
	Sent, Recv int
	Min, Max   time.Duration
	Sum        time.Duration
	// SumSq accumulates squared RTTs in ms² for the standard deviation, so a
	// round keeps no per-packet slice.
	SumSq float64
	// Err is the class of the round's failure when nothing came back.
	Err    string
	Detail string
}

// add records one reply.
func (s *roundStats) add(rtt time.Duration) {
	if s.Recv == 0 || rtt < s.Min {
		s.Min = rtt
	}
	if rtt > s.Max {
		s.Max = rtt
	}
	s.Recv++
	s.Sum += rtt
	ms := probe.Timing(rtt)
	s.SumSq += ms * ms
}

// sample turns the round into a ping sample. A round with no reply is a
// failed sample (timeout unless the network said unreachable) with sent,
// recv and loss but no RTTs: a missing RTT is not a zero RTT.
func (s *roundStats) sample() probe.Sample {
	f := map[string]float64{"sent": float64(s.Sent), "recv": float64(s.Recv)}
	if s.Sent > 0 {
		f["loss_pct"] = 100 * float64(s.Sent-s.Recv) / float64(s.Sent)
	}
	out := probe.Sample{Fields: f}
	if s.Recv == 0 {
		out.Error, out.Detail = s.Err, s.Detail
		if out.Error == "" {
			out.Error, out.Detail = probe.ErrTimeout, "no echo reply before the round's deadline"
		}
		return out
	}
	avg := probe.Timing(s.Sum) / float64(s.Recv)
	f["rtt_min_ms"] = probe.Timing(s.Min)
	f["rtt_avg_ms"] = avg
	f["rtt_max_ms"] = probe.Timing(s.Max)
	// Population standard deviation, as ping(8)'s mdev and pro-bing report it.
	variance := s.SumSq/float64(s.Recv) - avg*avg
	f["jitter_ms"] = math.Sqrt(math.Max(variance, 0))
	return out
}
