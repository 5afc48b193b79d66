package packaging

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/agentrun"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/probes/result"
)

// TestUnitCapabilitiesSuffice starts the agent from the .deb the way its
// unit does — an unprivileged user, the unit's AmbientCapabilities and
// CapabilityBoundingSet, NoNewPrivileges — with setpriv (no systemd runs
// here), then checks in /proc that the process holds CAP_NET_RAW and no
// other capability, and that with only that its ping probe of 127.0.0.1
// succeeds (raw ICMP) and its results reach JetStream through the spool.
func TestUnitCapabilitiesSuffice(t *testing.T) {
	lab.NeedRoot(t)
	setpriv := lab.NeedBinary(t, "setpriv", "util-linux")
	deb := makePackage(t, "vantage-agent", "amd64", "deb")
	root := t.TempDir()
	lab.Run(t, "dpkg", "-x", deb, root)
	unit := parseUnit(t, filepath.Join(root, "usr/lib/systemd/system/vantage-agent.service"))
	caps := strings.Fields(unit["AmbientCapabilities"][0])
	if got := strings.Join(strings.Fields(unit["CapabilityBoundingSet"][0]), " "); got != strings.Join(caps, " ") {
		t.Fatalf("bounding set %q differs from ambient %q", got, caps)
	}
	var set []string
	for _, c := range caps {
		set = append(set, "+"+strings.ToLower(strings.TrimPrefix(c, "CAP_")))
	}
	capArg := "-all," + strings.Join(set, ",")

	ctx := lab.Deadline(t, 2*time.Minute)
	n, err := agentrun.StartNATS(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	// A world-readable folder: t.TempDir's parents are root-only (0700).
	dir, err := os.MkdirTemp("", "vantage-caps")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	spool := filepath.Join(dir, "state")
	if err := os.Mkdir(spool, 0o700); err != nil {
		t.Fatal(err)
	}
	const nobody = 65534 // the unit's User=vantage stands for any unprivileged uid
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(spool, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "agent.yaml")
	text := agentrun.Config(agentrun.ConfigOptions{AgentID: "caps", NATSURL: n.URL,
		HTTPListen: fmt.Sprintf("127.0.0.1:%d", lab.FreePort(t)), PingTargets: []string{"127.0.0.1"},
		Interval: "1s", SpoolDir: filepath.Join(spool, "spool")})
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}

	args := []string{"--reuid", fmt.Sprint(nobody), "--regid", fmt.Sprint(nobody), "--clear-groups",
		"--inh-caps", capArg, "--ambient-caps", capArg, "--bounding-set", capArg}
	if unit["NoNewPrivileges"][0] == "yes" {
		args = append(args, "--no-new-privs")
	}
	args = append(args, filepath.Join(root, "usr/bin/vantage-agent"), "--config", cfg)
	cmd := exec.Command(setpriv, args...)
	logPath := filepath.Join(t.TempDir(), "agent.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGINT); _ = cmd.Wait() }()
	log := agentLog(logPath)

	rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var last result.Result
	err = n.Results(rctx, "caps", func(r result.Result) bool { last = r; return r.Probe == "ping" && r.Error == "" })
	if err != nil {
		t.Fatalf("no successful ping with %v (last result %+v): %v\nagent log:\n%s", caps, last, err, log())
	}

	// setpriv exec'd the agent: cmd's pid is the agent's.
	status := readFile(t, fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	want := capMask(t, caps)
	for _, line := range strings.Split(string(status), "\n") {
		k, v, _ := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		switch k {
		case "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb":
			if v != want {
				t.Errorf("%s = %s, want %s (only %v)", k, v, want, caps)
			}
		case "Uid":
			if f := strings.Fields(v); f[0] != fmt.Sprint(nobody) || f[1] != fmt.Sprint(nobody) {
				t.Errorf("Uid = %s, want %d", v, nobody)
			}
		case "NoNewPrivs":
			if v != "1" {
				t.Errorf("NoNewPrivs = %s", v)
			}
		}
	}
}

// capMask is /proc's hex form of a capability set.
func capMask(t *testing.T, caps []string) string {
	bits := map[string]uint{"CAP_NET_BIND_SERVICE": 10, "CAP_NET_RAW": 13}
	var m uint64
	for _, c := range caps {
		b, ok := bits[c]
		if !ok {
			t.Fatalf("capability %s: add its bit to capMask", c)
		}
		m |= 1 << b
	}
	return fmt.Sprintf("%016x", m)
}
