//go:build !pprof

package main

import "errors"

// startCPUProfile refuses: release builds leave runtime/pprof out (about
// 200 kB); build with -tags pprof to profile.
func startCPUProfile(string) (func(), error) {
	return nil, errors.New("this build has no profiler; build with: go build -tags pprof ./cmd/vantage-agent")
}
