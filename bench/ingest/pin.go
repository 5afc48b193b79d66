package main

import (
	"fmt"
	"os/exec"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"
)

// pin sets the CPU affinity of every thread of pid (taskset -a -p), for
// the -pin-influxd and -pin-self experiments: with influxd and this
// process on cores of their own, nothing is shared.
func pin(pid int, cpus string) error {
	out, err := exec.Command("taskset", "-a", "-p", "-c", cpus, strconv.Itoa(pid)).CombinedOutput()
	if err != nil {
		return fmt.Errorf("taskset -a -p -c %s %d: %v: %s", cpus, pid, err, out)
	}
	return nil
}

// burn keeps this process busy for cores × the wall time (0.3: a third of
// one core) until stop is closed, in slices of 1 ms per 2-ms period per
// goroutine: it takes CPU from the cores as the ingest does, without
// JetStream, decoding or requests of its own. The shared phase runs the
// ceiling's raw poster beside it.
func burn(cores float64, stop <-chan struct{}) {
	if cores <= 0 {
		return
	}
	const period = 2 * time.Millisecond
	n := int(cores) + 1
	duty := cores / float64(n) // per goroutine, below 1
	on := time.Duration(duty * float64(period))
	var sink atomic.Int64
	for range n {
		go func() {
			runtime.LockOSThread() // a thread of its own, as the ingest's work runs on the process's threads
			for {
				select {
				case <-stop:
					return
				default:
				}
				t := time.Now()
				for time.Since(t) < on {
					sink.Add(1)
				}
				time.Sleep(period - on)
			}
		}()
	}
}
