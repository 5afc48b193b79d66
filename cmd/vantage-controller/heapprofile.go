package main

import (
	"context"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// heapProfileEvery is how often --heapprofile looks at the heap.
const heapProfileEvery = 5 * time.Second

// watchHeap writes a Go heap profile to path whenever the live heap has
// grown 5% past the largest it has seen, until ctx ends, so the file holds
// the profile at (close to) the run's peak: where the memory sits under a
// backlog, not where it sits after the backlog drained (issue 16: an RSS
// of 1.4 GB was put down to the embedded JetStream without a profile).
// It writes to a temporary file and renames it, so a reader never sees
// half a profile.
func watchHeap(ctx context.Context, path string, logf func(peak uint64, err error)) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	t := time.NewTicker(heapProfileEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		metrics.Read(sample)
		live := sample[0].Value.Uint64()
		if live < peak+peak/20 {
			continue
		}
		peak = live
		logf(peak, writeHeapProfile(path))
	}
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}
