package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/lab"
)

// --heapprofile writes a gzipped pprof heap profile once the live heap
// reaches a peak, and rewrites it (through a rename, never half a file)
// when the heap grows.
func TestHeapProfileWrittenAtPeak(t *testing.T) {
	path := filepath.Join(t.TempDir(), "heap.pprof")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	writes := make(chan error, 16)
	go watchHeap(ctx, path, func(_ uint64, err error) {
		select {
		case writes <- err:
		default:
		}
	})
	keep := make([][]byte, 0, 64)
	deadline := lab.Deadline(t, time.Minute)
	lab.WaitFor(t, deadline, 100*time.Millisecond, func() error {
		keep = append(keep, make([]byte, 1<<20)) // a growing heap
		select {
		case err := <-writes:
			return err
		default:
			return errors.New("no heap profile written yet")
		}
	})
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		t.Errorf("heap profile is not gzipped pprof: % x", b[:min(len(b), 8)])
	}
	if _, err := os.Stat(path + ".tmp"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file left: %v", err)
	}
	_ = keep
}
