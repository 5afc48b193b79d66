package spool

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/vantage-net/vantage/agent/publish"
)

// BenchmarkAppendAck measures the spool's cost on the publish path: one
// batch of 100 results (~25 KB, the size of real ping results) appended,
// read back and acknowledged per op, as the batcher and sender do.
func BenchmarkAppendAck(b *testing.B) {
	for _, p := range []Fsync{FsyncInterval, FsyncAlways} {
		b.Run(string(p), func(b *testing.B) {
			s := open(b, b.TempDir(), func(o *Options) { o.Fsync = p; o.MaxBytes = 256 << 20 })
			defer s.Close()
			const perBatch = 100
			data := bytes.Repeat([]byte(`{"time":"2026-11-23T08:00:00Z","measurement":"ping","tags":{"target":"198.18.0.1","line":"L-1"},"fields":{"rtt_ms":1.2,"sent":1,"recv":1}},`), perBatch)
			b.SetBytes(int64(len(data)))
			i := 0
			for ; b.Loop(); i++ {
				s.Push(publish.Message{ID: fmt.Sprintf("a1-e-%d", i), Data: data, Results: perBatch})
				if _, ok := s.Peek(); !ok {
					b.Fatal("empty")
				}
				s.Pop()
			}
			b.ReportMetric(float64(i*perBatch)/b.Elapsed().Seconds(), "results/s")
		})
	}
}
