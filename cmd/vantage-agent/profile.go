//go:build pprof

package main

import "github.com/vantage-net/vantage/internal/cpuprofile"

// startCPUProfile writes a Go CPU profile to path until the returned stop
// runs. Only in builds with -tags pprof: runtime/pprof costs an edge
// box's flash about 200 kB that it never uses.
func startCPUProfile(path string) (stop func(), err error) { return cpuprofile.Start(path) }
