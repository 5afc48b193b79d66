package lab

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/waitfor"
)

// SNMPD is a net-snmp snmpd that a test started inside one of its
// namespaces.
type SNMPD struct {
	// Env is snmpd's environment: the test's, with SNMP_PERSISTENT_DIR set
	// to snmpd's own directory. net-snmp tools run with it (snmpset,
	// snmptrap) share that directory instead of the user's ~/.snmp.
	Env []string
}

// StartSNMPD writes conf (agentAddress, communities, users: see DESIGN.md's
// lab notes) as snmpd.conf in a directory of the test's and runs snmpd with
// it inside ns, in the foreground and without MIB files (Debian installs
// none: numeric OIDs only). When ready is not nil it is polled every 200 ms
// for up to 20 s until it returns nil — the caller's own proof that snmpd
// answers (a poll, or a set with d.Env) — and the test fails with its last
// error otherwise. snmpd runs until the test ends (Start).
func StartSNMPD(t testing.TB, ns *Netns, conf string, ready func(ctx context.Context, d *SNMPD) error) *SNMPD {
	t.Helper()
	bin := NeedBinary(t, "snmpd", "snmpd")
	dir := t.TempDir()
	file := filepath.Join(dir, "snmpd.conf")
	if err := os.WriteFile(file, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	d := &SNMPD{Env: append(os.Environ(), "SNMP_PERSISTENT_DIR="+dir)}
	cmd := ns.Command(bin, "-f", "-Lo", "-C", "-c", file, "-M", "/nonexistent", "-m", "")
	cmd.Env = d.Env
	Start(t, "snmpd", cmd)
	if ready != nil {
		ctx := waitfor.Context(t, 20*time.Second)
		waitfor.Poll(t, ctx, 200*time.Millisecond, "snmpd answering", func() error { return ready(ctx, d) })
	}
	return d
}
