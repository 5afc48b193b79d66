package agentrun

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// Emulator returns the qemu-user program that runs a binary for arch on
// this machine, or "" when arch is this machine's own (amd64).
func Emulator(arch string) string {
	switch arch {
	case "amd64":
		return ""
	case "arm64":
		return "qemu-aarch64-static"
	case "armv7", "armv6":
		return "qemu-arm-static"
	case "mipsle":
		return "qemu-mipsel-static"
	case "mips":
		return "qemu-mips-static"
	}
	return "qemu-" + arch + "-static"
}

// Command returns the command running bin (built for arch) with args,
// through its emulator when it needs one. qemu-user runs the guest in the
// emulator's own process, so /proc of the returned process is the agent's
// (plus the emulator's translation cache).
func Command(emulator, bin string, args ...string) *exec.Cmd {
	if emulator == "" {
		return exec.Command(bin, args...)
	}
	return exec.Command(emulator, append([]string{bin}, args...)...)
}

// Usage is what a process has cost so far.
type Usage struct {
	// CPUSeconds is user+system CPU time.
	CPUSeconds float64
	// RSSKiB is the resident set now; PeakRSSKiB its peak (VmHWM).
	RSSKiB, PeakRSSKiB int64
}

// clockTicks is USER_HZ, the unit of utime/stime in /proc/PID/stat; 100
// on every Linux architecture.
const clockTicks = 100

// ReadUsage reads /proc/PID/stat and /proc/PID/status.
func ReadUsage(pid int) (Usage, error) {
	var u Usage
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return u, err
	}
	s := string(b)
	// The command name (field 2) may hold spaces; count from after it.
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return u, fmt.Errorf("short /proc/%d/stat", pid)
	}
	ut, err1 := strconv.ParseFloat(f[11], 64)
	st, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return u, fmt.Errorf("bad /proc/%d/stat", pid)
	}
	u.CPUSeconds = (ut + st) / clockTicks
	b, err = os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return u, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			u.RSSKiB = n
		case "VmHWM":
			u.PeakRSSKiB = n
		}
	}
	return u, nil
}
