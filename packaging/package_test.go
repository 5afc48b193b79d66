package packaging

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/lab"
)

// nfpm installs the pinned nfpm into the module's .tools/bin (shared with
// make dist) once.
func nfpm(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p, err := InstallNFPM(ctx, "", filepath.Join(moduleRoot(t), ".tools", "bin"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func makePackage(t *testing.T, binaryName, arch, format string) string {
	t.Helper()
	bin := built(t, binaryName, arch)
	tg, _ := Find(binaryName, arch)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, err := Package(ctx, PackageOptions{NFPM: nfpm(t), Dir: ".", OutDir: t.TempDir(), Version: "v1.2.3"}, tg, format, bin)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAgentDeb builds the amd64 .deb and checks what dpkg sees: control
// fields and maintainer scripts, every file with its mode and owner, and
// (unpacked with dpkg -x into a temp root) that the packaged binary runs,
// that the packaged example config passes --check with its spool and
// remote-config cache under the unit's StateDirectory, and that the unit
// grants CAP_NET_RAW and nothing else to the user vantage.
func TestAgentDeb(t *testing.T) {
	dpkgDeb := lab.NeedBinary(t, "dpkg-deb", "dpkg")
	deb := makePackage(t, "vantage-agent", "amd64", "deb")

	info := lab.Run(t, dpkgDeb, "-I", deb)
	for _, want := range []string{"Package: vantage-agent", "Version: 1.2.3", "Architecture: amd64", "Depends: passwd", "Section: net"} {
		if !strings.Contains(info, want) {
			t.Errorf("dpkg-deb -I lacks %q:\n%s", want, info)
		}
	}
	for _, script := range []string{"preinst", "postinst", "prerm", "postrm"} {
		if !strings.Contains(info, " "+script) {
			t.Errorf("no %s maintainer script:\n%s", script, info)
		}
	}

	files := map[string]string{} // path -> "mode owner"
	for _, line := range strings.Split(lab.Run(t, dpkgDeb, "-c", deb), "\n") {
		f := strings.Fields(line)
		if len(f) >= 6 {
			files[strings.TrimPrefix(f[5], ".")] = f[0] + " " + f[1]
		}
	}
	for path, want := range map[string]string{
		"/usr/bin/vantage-agent":                          "-rwxr-xr-x root/root",
		"/usr/lib/systemd/system/vantage-agent.service":   "-rw-r--r-- root/root",
		"/usr/share/doc/vantage-agent/agent.yaml.example": "-rw-r--r-- root/root",
		"/etc/vantage/": "drwxr-xr-x root/root",
	} {
		if got := files[path]; got != want {
			t.Errorf("%s: %q, want %q (contents: %v)", path, got, want, files)
		}
	}
	for path := range files {
		if strings.HasPrefix(path, "/etc/init.d") || strings.HasPrefix(path, "/etc/capabilities") {
			t.Errorf("the .deb carries the OpenWrt file %s", path)
		}
	}

	root := t.TempDir()
	lab.Run(t, "dpkg", "-x", deb, root)
	out := lab.Run(t, filepath.Join(root, "usr/bin/vantage-agent"), "--version")
	if !strings.HasPrefix(out, "vantage-agent v0.0.0-test") {
		t.Errorf("packaged binary --version: %q", out)
	}
	example := filepath.Join(root, "usr/share/doc/vantage-agent/agent.yaml.example")
	if out := lab.Run(t, filepath.Join(root, "usr/bin/vantage-agent"), "--config", example, "--check"); !strings.Contains(out, ": ok (") {
		t.Errorf("example config --check: %s", out)
	}
	ex, _ := os.ReadFile(example)
	for _, want := range []string{"dir: /var/lib/vantage-agent/spool", "cache_file: /var/lib/vantage-agent/remote-config.yaml"} {
		if !strings.Contains(string(ex), want) {
			t.Errorf("example config lacks %q (the unit's StateDirectory)", want)
		}
	}

	unit := parseUnit(t, filepath.Join(root, "usr/lib/systemd/system/vantage-agent.service"))
	for key, want := range map[string]string{
		"User": "vantage", "Group": "vantage",
		"AmbientCapabilities": "CAP_NET_RAW", "CapabilityBoundingSet": "CAP_NET_RAW",
		"NoNewPrivileges": "yes", "Restart": "on-failure",
		"StateDirectory": "vantage-agent", "LoadCredential": "agent.yaml:/etc/vantage/agent.yaml",
		"ConditionPathExists": "/etc/vantage/agent.yaml", "WantedBy": "multi-user.target",
	} {
		if got := unit[key]; len(got) != 1 || got[0] != want {
			t.Errorf("unit %s=%v, want exactly %q", key, got, want)
		}
	}
	// The agent runs from its state directory (self-update writes there),
	// seeded from the package's binary first, then checks its config.
	if got := unit["ExecStart"]; len(got) != 1 || !strings.HasPrefix(got[0], unitAgent+" --config ${CREDENTIALS_DIRECTORY}/agent.yaml") {
		t.Errorf("ExecStart=%v, want %s --config …", got, unitAgent)
	}
	pre := unit["ExecStartPre"]
	if len(pre) != 2 || pre[0] != "/usr/bin/vantage-agent install-self "+filepath.Dir(unitAgent) ||
		pre[1] != unitAgent+" --config ${CREDENTIALS_DIRECTORY}/agent.yaml --check" {
		t.Errorf("ExecStartPre=%q, want install-self into %s, then --check", pre, filepath.Dir(unitAgent))
	}
	if !strings.HasPrefix(unitAgent, "/var/lib/"+unit["StateDirectory"][0]+"/") {
		t.Errorf("%s is not under StateDirectory=%s: the agent could not write next to it", unitAgent, unit["StateDirectory"][0])
	}
}

// unitAgent is the binary the agent's unit runs: the state directory's
// copy, which self-update may replace.
const unitAgent = "/var/lib/vantage-agent/bin/vantage-agent"

// parseUnit returns a systemd unit's key=value lines (all sections).
func parseUnit(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '[' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: line %q is not key=value", path, line)
		}
		m[k] = append(m[k], v)
	}
	return m
}

// TestUnitsVerify runs systemd-analyze verify on both units. verify needs
// the Exec programs to exist: the copies point the packaged binary and the
// state directory's copy at a stand-in in a temp folder, everything else is
// the unit as shipped. Any warning fails.
func TestUnitsVerify(t *testing.T) {
	sa := lab.NeedBinary(t, "systemd-analyze", "systemd")
	dir := t.TempDir()
	for _, name := range []string{"vantage-agent", "vantage-controller"} {
		stand := filepath.Join(dir, name)
		if err := os.WriteFile(stand, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join("systemd", name+".service"))
		if err != nil {
			t.Fatal(err)
		}
		unit := filepath.Join(dir, name+".service")
		text := strings.ReplaceAll(string(b), "/usr/bin/"+name, stand)
		text = strings.ReplaceAll(text, unitAgent, stand)
		if err := os.WriteFile(unit, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(sa, "verify", unit).CombinedOutput()
		if err != nil || len(strings.TrimSpace(string(out))) > 0 {
			t.Errorf("systemd-analyze verify %s: %v\n%s", name, err, out)
		}
	}
}

// TestInstallNFPMPathIsAbsolute: Package runs nfpm in packaging/, so a
// relative path (make dist passes .tools/bin) would not be found there.
func TestInstallNFPMPathIsAbsolute(t *testing.T) {
	nfpm(t) // installed (or already there) under the module's .tools/bin
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p, err := InstallNFPM(ctx, "", filepath.Join("..", ".tools", "bin"))
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(p) {
		t.Errorf("InstallNFPM returned %q, a relative path", p)
	}
}
