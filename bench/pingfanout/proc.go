package main

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of utime/stime in /proc/PID/stat. It is
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// cpuSeconds is the user+system CPU a process has used so far.
func cpuSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields count from after it.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseFloat(f[11], 64)
	stime, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad /proc/%d/stat", pid)
	}
	return (utime + stime) / clockTicks, nil
}

// peakRSSMB is VmHWM, the process's peak resident set, in MB.
func peakRSSMB(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

func cpuCount() int { return runtime.NumCPU() }

// memTotal is the machine's memory as /proc/meminfo states it.
func memTotal() string {
	b, _ := os.ReadFile("/proc/meminfo")
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return fmt.Sprintf("%.1f GiB memory", kb/(1<<20))
		}
	}
	return "memory unknown"
}

// loadAvg is /proc/loadavg's three averages: how busy the machine was.
func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// cpuPressure is the kernel's CPU pressure line (/proc/pressure/cpu,
// "some": the share of time some runnable task waited for a CPU), which
// says more than the load average about whether the measured programs had
// to wait.
func cpuPressure() string {
	b, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimPrefix(line, "some ")
}

// load1 is the 1-minute load average, NaN if unreadable.
func load1() float64 {
	f := strings.Fields(loadAvg())
	if v, err := strconv.ParseFloat(f[0], 64); err == nil {
		return v
	}
	return math.NaN()
}

// rawDrops is the number of packets the kernel dropped on the raw sockets
// of pid's network namespace (last column of /proc/PID/net/raw): replies
// lost to a full receive buffer. In the benchmark's namespace the agent's
// ICMP socket is the only raw socket while the agent runs.
func rawDrops(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/raw", pid))
	if err != nil {
		return 0, err
	}
	var sum float64
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) == 0 {
			continue // the header
		}
		n, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/net/raw: %q", pid, line)
		}
		sum += n
	}
	return sum, nil
}
