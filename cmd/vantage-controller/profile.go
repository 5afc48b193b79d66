package main

import "github.com/vantage-net/vantage/internal/cpuprofile"

// startCPUProfile writes a Go CPU profile to path until the returned stop
// runs. The controller links runtime/pprof anyway (nats-server imports
// net/http/pprof), so unlike the agent it needs no build tag.
func startCPUProfile(path string) (stop func(), err error) { return cpuprofile.Start(path) }
