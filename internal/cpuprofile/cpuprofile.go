// Package cpuprofile writes a Go CPU profile of the running binary for
// `--cpuprofile` (bench/sim and bench/pingfanout profile the shipped
// binaries under load this way). The agent links it only in builds with
// -tags pprof: runtime/pprof costs an edge box's flash about 200 kB.
package cpuprofile

import (
	"os"
	"runtime/pprof"
)

// Start writes a CPU profile to path until the returned stop runs.
func Start(path string) (stop func(), err error) {
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
