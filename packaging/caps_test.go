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
// here): the packaged binary first installs itself into a state directory
// (the unit's first ExecStartPre; the copy has no file capability), then
// the copy runs. It checks in /proc that the process holds CAP_NET_RAW and no
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

	args := []string{"--reuid", fmt.Sprint(nobody), "--regid", fmt.Sprint(nobody), "--clear-groups",
		"--inh-caps", capArg, "--ambient-caps", capArg, "--bounding-set", capArg}
	if unit["NoNewPrivileges"][0] == "yes" {
		args = append(args, "--no-new-privs")
	}
	agent := seedAs(t, setpriv, args, filepath.Join(root, "usr/bin/vantage-agent"), unit["ExecStartPre"][0])
	status := pingAs(t, nobody, setpriv, args, agent)
	checkCaps(t, status, capMask(t, caps), capMask(t, caps), nobody)
	if !strings.Contains(status, "NoNewPrivs:\t1") {
		t.Error("NoNewPrivs is not set")
	}
}

// seedAs runs the unit's install-self line (pre) as nobody with args, the
// packaged binary and the state directory moved into a folder nobody can
// reach, and returns the installed copy, which must carry no file
// capability: what it can do comes from the unit alone.
func seedAs(t *testing.T, setpriv string, args []string, packaged, pre string) string {
	t.Helper()
	f := strings.Fields(pre)
	if len(f) != 3 || f[0] != "/usr/bin/vantage-agent" || f[1] != "install-self" {
		t.Fatalf("ExecStartPre %q is not the packaged binary's install-self", pre)
	}
	dir, err := os.MkdirTemp("", "vantage-seed")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(dir, "usr/bin/vantage-agent")
	if err := os.MkdirAll(filepath.Dir(pkg), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, packaged, pkg)
	// StateDirectory= gives the unit's user its own directory.
	state := filepath.Join(dir, "var/lib/vantage-agent")
	if err := os.MkdirAll(filepath.Dir(state), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(state, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(state, nobody, nobody); err != nil {
		t.Fatal(err)
	}
	binDir := filepath.Join(dir, f[2])
	out, err := exec.Command(setpriv, append(args, pkg, "install-self", binDir)...).CombinedOutput()
	if err != nil {
		t.Fatalf("install-self as the unit runs it: %v\n%s", err, out)
	}
	installed := filepath.Join(binDir, "vantage-agent")
	if !strings.Contains(string(out), "installed "+installed) {
		t.Fatalf("install-self into an empty state directory: %s", out)
	}
	// A restart runs it again: the same version (read from the copy's
	// --version) and bytes are kept, not copied again.
	out, err = exec.Command(setpriv, append(args, pkg, "install-self", binDir)...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "kept "+installed) {
		t.Fatalf("install-self again over the same version: %v\n%s", err, out)
	}
	if n, err := syscall.Getxattr(installed, "security.capability", make([]byte, 64)); err == nil {
		t.Fatalf("the state directory's copy carries a file capability (%d bytes)", n)
	}
	return installed
}

// nobody stands for the unit's User=vantage (and the image's 10001): any
// unprivileged uid.
const nobody = 65534

// pingAs runs agent through setpriv with args (the user and capability
// sets), pinging 127.0.0.1 every second into an in-process JetStream, waits
// for a successful ping result and returns the agent's /proc/PID/status.
// The agent's files are in a folder uid can read; its spool is uid's.
func pingAs(t *testing.T, uid int, setpriv string, args []string, agent string) string {
	t.Helper()
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
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	if err := os.Mkdir(state, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(state, uid, uid); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "vantage-agent")
	copyFile(t, agent, bin)
	cfg := filepath.Join(dir, "agent.yaml")
	text := agentrun.Config(agentrun.ConfigOptions{AgentID: "caps", NATSURL: n.URL,
		HTTPListen: fmt.Sprintf("127.0.0.1:%d", lab.FreePort(t)), PingTargets: []string{"127.0.0.1"},
		Interval: "1s", SpoolDir: filepath.Join(state, "spool")})
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(setpriv, append(args, bin, "--config", cfg)...)
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
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	defer func() { _ = cmd.Process.Signal(syscall.SIGINT); <-exited }()
	log := agentLog(logPath)

	rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	go func() { // an agent that exits (no ICMP socket) ends the wait at once
		select {
		case <-exited:
			cancel()
		case <-rctx.Done():
		}
	}()
	err = n.Results(rctx, "caps", func(r result.Result) bool { return r.Probe == "ping" && r.Error == "" })
	if err != nil {
		t.Fatalf("no successful ping as uid %d via %v: %v\nagent log:\n%s", uid, args, err, log())
	}
	// setpriv exec'd the agent: cmd's pid is the agent's.
	return string(readFile(t, fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)))
}

// checkCaps wants the permitted, effective and bounding sets of status to
// be want, the inheritable and ambient sets inherit, and uid.
func checkCaps(t *testing.T, status, want, inherit string, uid int) {
	t.Helper()
	for _, line := range strings.Split(status, "\n") {
		k, v, _ := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		switch k {
		case "CapPrm", "CapEff", "CapBnd":
			if v != want {
				t.Errorf("%s = %s, want %s", k, v, want)
			}
		case "CapInh", "CapAmb":
			if v != inherit {
				t.Errorf("%s = %s, want %s", k, v, inherit)
			}
		case "Uid":
			if f := strings.Fields(v); f[0] != fmt.Sprint(uid) || f[1] != fmt.Sprint(uid) {
				t.Errorf("Uid = %s, want %d", v, uid)
			}
		}
	}
}

// copyFile copies src to dst with its file capability (the image's
// security.capability xattr), if it has one.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.WriteFile(dst, readFile(t, src), 0o755); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, err := syscall.Getxattr(src, "security.capability", buf)
	if err != nil {
		return // none: the unit grants capabilities, not the file
	}
	if err := syscall.Setxattr(dst, "security.capability", buf[:n], 0); err != nil {
		t.Fatal(err)
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
