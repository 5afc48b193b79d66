package spool

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

const helperEnv = "VANTAGE_SPOOL_CRASH_HELPER"

// TestCrashHelper is not a test: TestSurvivesKill9 re-executes the test
// binary to run it as a separate process (as the Go standard library's
// TestHelperProcess does). It appends messages for ever, acknowledging every
// third, and reports each on stdout only after the spool call returned.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("helper process for TestSurvivesKill9")
	}
	s, err := Open(Options{Dir: dir, MaxBytes: 1 << 30, Fsync: FsyncInterval, SegmentBytes: 64 << 10, Logger: quiet})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	w := os.Stdout // unbuffered: a report must not wait in memory for the kill
	for i := 1; ; i++ {
		s.Push(msg(i))
		fmt.Fprintf(w, "w %s\n", msg(i).ID)
		if i%3 == 0 {
			m, _ := s.Peek()
			s.Pop()
			fmt.Fprintf(w, "a %s\n", m.ID)
		}
	}
}

// TestSurvivesKill9 kills a process in the middle of appending and checks
// that every message it reported as spooled, and did not acknowledge, is
// replayed exactly once, in order.
func TestSurvivesKill9(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	written, acked := map[string]bool{}, map[string]bool{}
	var order []string
	killed := false
	deadline := time.Now().Add(20 * time.Second)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 || (f[0] != "error" && len(f[1]) != len(msg(1).ID)) {
			continue // the kill may cut the last line short
		}
		switch f[0] {
		case "w":
			written[f[1]] = true
			order = append(order, f[1])
		case "a":
			acked[f[1]] = true
		case "error":
			t.Fatal(sc.Text())
		}
		if !killed && (len(written) >= 20000 || time.Now().After(deadline)) {
			_ = cmd.Process.Kill() // SIGKILL: no deferred code, no Close
			killed = true
		}
	}
	_ = cmd.Wait()
	if len(written) < 1000 {
		t.Fatalf("helper wrote only %d messages", len(written))
	}

	s := open(t, dir, nil)
	defer s.Close()
	got := ids(t, s)
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
	}
	// The oldest unacknowledged message may have been acknowledged in the
	// instant between Pop and its report; anything after the last reported
	// write may have been written without being reported.
	var waiting []string
	for _, id := range order {
		if !acked[id] {
			waiting = append(waiting, id)
		}
	}
	for i, id := range waiting {
		if seen[id] != 1 && !(i == 0 && seen[id] == 0) {
			t.Fatalf("%s (waiting[%d]) reported spooled, replayed %d times; replay starts %v; waiting starts %v", id, i, seen[id], got[:min(3, len(got))], waiting[:min(3, len(waiting))])
		}
	}
	for id := range acked {
		if seen[id] > 0 {
			t.Fatalf("%s acknowledged, replayed", id)
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("replay out of order: %s after %s", got[i], got[i-1])
		}
	}
	if extra := len(got) - len(waiting); extra > 1 || extra < -1 {
		t.Fatalf("replayed %d, %d reported waiting", len(got), len(waiting))
	}
	t.Logf("killed after %d writes, %d acks; replayed %d; torn tails %d", len(written), len(acked), len(got), damaged(s, "torn"))
}
