package main

import (
	"os"
	"runtime/pprof"
)

// startCPUProfile writes a Go CPU profile to path until the returned stop
// runs (bench/sim profiles the shipped binary under load this way). The
// controller links runtime/pprof anyway (nats-server imports
// net/http/pprof), so unlike the agent it needs no build tag.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
