package lab

import (
	"os/exec"
	"strings"
	"testing"
)

// outputTail is how much of a lab server's output a failed test logs.
const outputTail = 3000

// Start starts cmd (a lab server: snmpd, dnsmasq) with its stdout and
// stderr collected, and kills it when the test ends. If the test failed,
// the tail of the output is logged under what, so a server that refused
// its config says why.
func Start(t testing.TB, what string, cmd *exec.Cmd) {
	t.Helper()
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			s := out.String()
			if len(s) > outputTail {
				s = s[len(s)-outputTail:]
			}
			t.Logf("%s output:\n%s", what, s)
		}
	})
}
