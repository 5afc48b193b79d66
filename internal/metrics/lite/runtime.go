package lite

import (
	"os"
	"runtime"
	"strconv"
	"strings"
)

// RuntimeCollectors are the Go and process figures client_golang's Go and
// process collectors give most often, under the same names: goroutines,
// heap, CPU seconds, resident and virtual memory, open and max fds, start
// time (read from /proc/self at scrape time).
func RuntimeCollectors() []Collector {
	mem := func(f func(*runtime.MemStats) uint64) func() float64 {
		return func() float64 {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			return float64(f(&m))
		}
	}
	stat := func(field int, scale float64) func() float64 {
		return func() float64 { return procStat(field) * scale }
	}
	return []Collector{
		NewGaugeFunc(GaugeOpts{Name: "go_goroutines", Help: "Number of goroutines that currently exist."},
			func() float64 { return float64(runtime.NumGoroutine()) }),
		NewGaugeFunc(GaugeOpts{Name: "go_memstats_heap_alloc_bytes", Help: "Number of heap bytes allocated and currently in use."},
			mem(func(m *runtime.MemStats) uint64 { return m.HeapAlloc })),
		NewGaugeFunc(GaugeOpts{Name: "go_memstats_sys_bytes", Help: "Number of bytes obtained from system."},
			mem(func(m *runtime.MemStats) uint64 { return m.Sys })),
		NewCounterFunc(CounterOpts{Name: "process_cpu_seconds_total", Help: "Total user and system CPU time spent in seconds."},
			func() float64 { return (procStat(14) + procStat(15)) / 100 }),
		NewGaugeFunc(GaugeOpts{Name: "process_virtual_memory_bytes", Help: "Virtual memory size in bytes."}, stat(23, 1)),
		NewGaugeFunc(GaugeOpts{Name: "process_resident_memory_bytes", Help: "Resident memory size in bytes."},
			stat(24, float64(os.Getpagesize()))),
		NewGaugeFunc(GaugeOpts{Name: "process_open_fds", Help: "Number of open file descriptors."}, func() float64 {
			ents, err := os.ReadDir("/proc/self/fd")
			if err != nil {
				return 0
			}
			return float64(len(ents))
		}),
		NewGaugeFunc(GaugeOpts{Name: "process_start_time_seconds", Help: "Start time of the process since unix epoch in seconds."},
			startTime()),
	}
}

// procStat returns field n (1-based, as in proc(5)) of /proc/self/stat;
// USER_HZ is 100 on every Linux architecture Go supports.
func procStat(n int) float64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // f[0] is field 3
	if n-3 < 0 || n-3 >= len(f) {
		return 0
	}
	v, _ := strconv.ParseFloat(f[n-3], 64)
	return v
}

// startTime is the boot time plus the process's start (field 22, ticks).
func startTime() func() float64 {
	var boot float64
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "btime "); ok {
				boot, _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
			}
		}
	}
	start := boot + procStat(22)/100
	return func() float64 { return start }
}
