package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// namespace is the benchmark's own network namespace: 198.18.0.0/16 is
// local on its loopback, so every target answers and nothing leaves.
type namespace struct {
	name string
	// nice, when not 0, runs every program in the namespace at that nice
	// value (-nice): the agent, fping, snmpbulkwalk, snmpd and NATS alike.
	nice int
}

func newNamespace() (*namespace, error) {
	ns := &namespace{name: fmt.Sprintf("vbench%d", os.Getpid())}
	steps := [][]string{
		{"ip", "netns", "add", ns.name},
		{"ip", "-n", ns.name, "link", "set", "lo", "up"},
		{"ip", "-n", ns.name, "route", "add", "local", "198.18.0.0/16", "dev", "lo"},
		// The kernel rate-limits echo replies per destination (icmp_ratelimit
		// covers only errors by default, but be explicit): every target must
		// answer every second.
		{"ip", "netns", "exec", ns.name, "sysctl", "-qw", "net.ipv4.icmp_ratelimit=0"},
	}
	for _, s := range steps {
		if out, err := exec.Command(s[0], s[1:]...).CombinedOutput(); err != nil {
			ns.remove()
			return nil, fmt.Errorf("%s: %v: %s", strings.Join(s, " "), err, out)
		}
	}
	return ns, nil
}

func (ns *namespace) remove() { _ = exec.Command("ip", "netns", "del", ns.name).Run() }

// command runs name inside the namespace. `ip netns exec` execs it, so the
// returned process's pid is the program's own: its CPU is what we read.
// With nice set, nice(1) execs it in turn: still the same pid.
func (ns *namespace) command(name string, args ...string) *exec.Cmd {
	pre := []string{"netns", "exec", ns.name}
	if ns.nice != 0 {
		pre = append(pre, "nice", "-n", strconv.Itoa(ns.nice))
	}
	return exec.Command("ip", append(append(pre, name), args...)...)
}

// startNATS runs this program's serve-nats mode inside the namespace, so the
// agent under test publishes for real without leaving the namespace.
func (ns *namespace) startNATS() (url string, stop func(), err error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "pingfanout-nats")
	if err != nil {
		return "", nil, err
	}
	addr := "127.0.0.1:14222"
	cmd := ns.command(self, "serve-nats", addr, dir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		os.RemoveAll(dir)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(dir + "/ready"); err == nil {
			return "nats://" + addr, stop, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return "", nil, fmt.Errorf("nats did not come up within 10s")
}
