package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// CPU per call is the figure the machine's load does not change much
// (wall time on two shared cores is mostly other processes'): the
// controller's, and for PostgreSQL its server's (the postmaster and its
// live backends), read from /proc around each call kind's calls.

// procStat returns a process's parent pid and its user+system CPU seconds.
func procStat(pid int) (ppid int, cpu float64, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 > len(s) {
		return 0, 0, false
	}
	f := strings.Fields(s[i+2:])
	if len(f) < 13 {
		return 0, 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return ppid, (u + st) / 100, true // USER_HZ
}

// treeCPU is the CPU seconds of pid and its live children.
func treeCPU(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	_, total, _ := procStat(pid)
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		child, err := strconv.Atoi(filepath.Base(d))
		if err != nil || child == pid {
			continue
		}
		if ppid, cpu, ok := procStat(child); ok && ppid == pid {
			total += cpu
		}
	}
	return total
}

// postmasterPID finds the PostgreSQL server listening on port (its
// command line names -p PORT), 0 when none.
func postmasterPID(port string) int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(b), "\x00")
		if len(args) == 0 || filepath.Base(args[0]) != "postgres" {
			continue
		}
		for i := 0; i+1 < len(args); i++ {
			if args[i] == "-p" && args[i+1] == port {
				pid, _ := strconv.Atoi(filepath.Base(d))
				return pid
			}
		}
	}
	return 0
}
