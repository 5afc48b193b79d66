package benchdoc

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// Machine is where a bench ran: timings depend on it and, on a shared
// machine, on its load.
type Machine struct {
	Cores       int    `json:"cores"`
	MemoryBytes int64  `json:"memory_bytes"`
	CPU         string `json:"cpu"`
	Kernel      string `json:"kernel,omitempty"`
	Go          string `json:"go,omitempty"`
	// Load is the 1-, 5- and 15-minute load average when the summary was
	// made (the end of the run).
	Load string `json:"load,omitempty"`
}

// ReadMachine describes this machine from /proc and uname; what cannot be
// read stays empty and Validate says so.
func ReadMachine() Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPU = cpuModel(string(b))
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		m.MemoryBytes = memTotal(string(b))
	}
	if out, err := exec.Command("uname", "-r").Output(); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(out))
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.Load = strings.Join(f[:3], " ")
		}
	}
	return m
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel(cpuinfo string) string {
	for l := range strings.SplitSeq(cpuinfo, "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// memTotal is MemTotal of /proc/meminfo in bytes, 0 if absent.
func memTotal(meminfo string) int64 {
	for l := range strings.SplitSeq(meminfo, "\n") {
		if v, ok := strings.CutPrefix(l, "MemTotal:"); ok {
			f := strings.Fields(v)
			if len(f) == 2 && f[1] == "kB" {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return kb * 1024
				}
			}
		}
	}
	return 0
}
