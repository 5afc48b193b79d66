package ping

import (
	"math"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/probe"
)

func TestSampleStatistics(t *testing.T) {
	st := roundStats{Sent: 4}
	for _, ms := range []float64{1, 2, 3} {
		st.add(time.Duration(ms * float64(time.Millisecond)))
	}
	s := st.sample()
	want := map[string]float64{
		"sent": 4, "recv": 3, "loss_pct": 25,
		"rtt_min_ms": 1, "rtt_avg_ms": 2, "rtt_max_ms": 3,
		"jitter_ms": math.Sqrt(2.0 / 3.0), // population stddev of 1, 2, 3
	}
	for k, v := range want {
		if math.Abs(s.Fields[k]-v) > 1e-9 {
			t.Errorf("%s = %v, want %v", k, s.Fields[k], v)
		}
	}
	if s.Error != "" {
		t.Errorf("error = %q for a round with replies", s.Error)
	}
}

func TestSampleAllLostIsFailure(t *testing.T) {
	s := (&roundStats{Sent: 3}).sample()
	if s.Error != probe.ErrTimeout || s.Fields["loss_pct"] != 100 || s.Fields["recv"] != 0 {
		t.Fatalf("sample = %+v", s)
	}
	if _, ok := s.Fields["rtt_avg_ms"]; ok {
		t.Error("a round without replies reports an RTT")
	}
	s = (&roundStats{Sent: 3, Err: probe.ErrUnreachable, Detail: "no route"}).sample()
	if s.Error != probe.ErrUnreachable {
		t.Fatalf("error = %q, want unreachable", s.Error)
	}
}
