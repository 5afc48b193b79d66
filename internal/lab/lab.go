// Package lab gives tests the real parts they need — root, network
// namespaces, binaries from Debian packages — and decides what happens when a
// part is missing: skip with the reason on a developer's laptop, fail when
// VANTAGE_REQUIRE_LAB=1 (CI), so a lab test can never pass by not running.
package lab

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/waitfor"
)

// Required reports whether lab prerequisites are mandatory in this run.
func Required() bool { return os.Getenv("VANTAGE_REQUIRE_LAB") == "1" }

// Missing skips the test with reason, or fails it when the lab is required.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	reason := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatalf("lab prerequisite missing (VANTAGE_REQUIRE_LAB=1): %s", reason)
	}
	t.Skipf("lab prerequisite missing: %s (set up the lab, see README, or run as root)", reason)
}

// NeedRoot skips or fails unless the test runs as root.
func NeedRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "needs root for network namespaces and raw sockets")
	}
}

// NeedBinary returns the path of a program, or skips/fails naming the Debian
// package that provides it.
func NeedBinary(t testing.TB, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/bin"} {
			if _, serr := os.Stat(dir + "/" + name); serr == nil {
				return dir + "/" + name
			}
		}
		Missing(t, "%s not found (apt-get install %s)", name, debianPackage)
	}
	return p
}

// Deadline returns a context that ends a little before the test's own
// deadline, so a stuck lab step fails with a message instead of a panic dump
// (waitfor.Context).
func Deadline(t testing.TB, max time.Duration) context.Context {
	t.Helper()
	return waitfor.Context(t, max)
}

// WaitFor polls cond every step until it returns nil or ctx ends, and then
// fails the test with cond's last error (waitfor.Poll). It replaces
// sleep-and-hope.
func WaitFor(t testing.TB, ctx context.Context, step time.Duration, cond func() error) {
	t.Helper()
	waitfor.Poll(t, ctx, step, "condition", cond)
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago, for
// servers (InfluxDB, snmpd) that cannot be told to pick their own.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// FreeUDPPort is FreePort for UDP.
func FreeUDPPort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// Run runs a command and fails the test with its output if it fails.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(bytes.TrimSpace(out))
}

// Unique returns a short random suffix for namespace and interface names, so
// parallel and repeated runs never collide (interface names max 15 bytes).
func Unique() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
