package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuTimes is CPU time used so far by this process (the bench, the
// embedded nats-server and the ingest: getrusage self), by influxd, which
// runs detached (setsid) and so is not a child whose time RUSAGE_CHILDREN
// would count (its time comes from /proc), and by the whole machine, so
// a run disturbed by other work on the same cores says so.
type cpuTimes struct {
	self, influxd, machine time.Duration
}

func readCPU(influxPID int) cpuTimes {
	var c cpuTimes
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		c.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	c.influxd = procCPU(influxPID)
	c.machine = machineCPU()
	return c
}

func (c cpuTimes) sub(o cpuTimes) cpuTimes {
	return cpuTimes{c.self - o.self, c.influxd - o.influxd, c.machine - o.machine}
}

// others is what the rest of the machine used meanwhile.
func (c cpuTimes) others() time.Duration { return max(0, c.machine-c.self-c.influxd) }

func (c cpuTimes) String() string {
	return fmt.Sprintf("%.1fs self + %.1fs influxd (+ %.1fs other processes)",
		c.self.Seconds(), c.influxd.Seconds(), c.others().Seconds())
}

// machineCPU is the busy time of all cores from /proc/stat: everything
// but idle and iowait.
func machineCPU() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	var busy int64
	for i := 1; i < len(f) && i <= 8; i++ {
		if i == 4 || i == 5 {
			continue
		}
		v, _ := strconv.ParseInt(f[i], 10, 64)
		busy += v
	}
	return time.Duration(busy) * 10 * time.Millisecond
}

// procCPU reads utime+stime of pid from /proc/PID/stat. Like /proc/stat
// it counts in USER_HZ ticks, 1/100 s on every Linux architecture Go
// supports.
func procCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; the fields after it are fixed.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}
