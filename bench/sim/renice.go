package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// reniceThreads sets the nice value of every thread of pid. On Linux a
// nice value belongs to a thread, not a process, so setpriority on the
// pid alone would leave influxd's other threads where they were; threads
// started later inherit the value of the thread that starts them.
func reniceThreads(pid, nice int) (int, error) {
	if pid <= 0 {
		return 0, fmt.Errorf("influxd's pid is unknown")
	}
	tasks, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "task"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, nice); err != nil {
			return n, fmt.Errorf("thread %d: %w", tid, err)
		}
		n++
	}
	return n, nil
}
