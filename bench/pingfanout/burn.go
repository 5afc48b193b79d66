package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// burnMax bounds every burner's life, whatever happens to the bench.
const burnMax = 30 * time.Minute

// startBurners starts n CPU-bound processes (this program's burn mode) at
// nice 0, outside the namespace: the CPU starvation of an edge box whose
// cores other programs hold (-burn). Each exits after burnMax on its own;
// stop ends them all sooner.
func startBurners(n int) (stop func(), err error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var cmds []*exec.Cmd
	stop = func() {
		for _, c := range cmds {
			_ = c.Process.Kill()
			_ = c.Wait()
		}
	}
	for i := 0; i < n; i++ {
		c := exec.Command(self, "burn", burnMax.String())
		// A bench killed outright takes its burners with it.
		c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := c.Start(); err != nil {
			stop()
			return nil, fmt.Errorf("burner: %w", err)
		}
		cmds = append(cmds, c)
	}
	return stop, nil
}

// burnMain is the burn mode: spin until the given duration has passed.
func burnMain(arg string) {
	d, err := time.ParseDuration(arg)
	if err != nil || d > burnMax {
		fatal("burn: %q is not a duration up to %s", arg, burnMax)
	}
	end := time.Now().Add(d)
	for time.Now().Before(end) { // spins: reading the clock is the work
	}
}
