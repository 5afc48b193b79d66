package packaging

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/internal/lab"
)

// TestAgentIPK opens the mipsle .ipk as opkg does (a gzip tar holding
// control.tar.gz and data.tar.gz) and checks the OpenWrt parts: the arch,
// the Require-User field OpenWrt's default postinst creates the user from,
// the procd script (run as vantage with the capability file, respawn), and
// a capability file granting CAP_NET_RAW and nothing else.
func TestAgentIPK(t *testing.T) {
	ipk := makePackage(t, "vantage-agent", "mipsle", "ipk")
	outer := untar(t, readFile(t, ipk))
	control := untar(t, outer["./control.tar.gz"].data)
	data := untar(t, outer["./data.tar.gz"].data)

	ctl := string(control["./control"].data)
	for _, want := range []string{"Package: vantage-agent", "Version: 1.2.3", "Architecture: mipsel_24kc", "Require-User: vantage:vantage"} {
		if !strings.Contains(ctl, want) {
			t.Errorf("control lacks %q:\n%s", want, ctl)
		}
	}
	for _, s := range []string{"./postinst", "./prerm"} {
		if !strings.Contains(string(control[s].data), "/lib/functions.sh") {
			t.Errorf("%s does not use OpenWrt's default scripts:\n%s", s, control[s].data)
		}
	}

	for path, mode := range map[string]int64{
		"./usr/bin/vantage-agent":               0o755,
		"./etc/init.d/vantage-agent":            0o755,
		"./etc/capabilities/vantage-agent.json": 0o644,
	} {
		f, ok := data[path]
		if !ok {
			t.Errorf("%s missing from data.tar.gz (%v)", path, names(data))
			continue
		}
		if f.mode != mode {
			t.Errorf("%s mode %o, want %o", path, f.mode, mode)
		}
	}
	if _, ok := data["./usr/lib/systemd/system/vantage-agent.service"]; ok {
		t.Error("the .ipk carries the systemd unit")
	}
	if got := int64(len(data["./usr/bin/vantage-agent"].data)); got != fileSize(t, built(t, "vantage-agent", "mipsle")) {
		t.Errorf("packaged binary is %d bytes, not the mipsle build", got)
	}

	init := string(data["./etc/init.d/vantage-agent"].data)
	for _, want := range []string{
		"#!/bin/sh /etc/rc.common", "USE_PROCD=1",
		"procd_set_param user vantage",
		"procd_set_param capabilities /etc/capabilities/vantage-agent.json",
		"procd_set_param respawn",
		"STATE=/var/lib/vantage-agent",
		// Runs from a directory its user can write (self-update), seeded
		// by the packaged binary, falling back to it.
		"BIN_DIR=/usr/lib/vantage-agent",
		`if "$PROG" install-self "$BIN_DIR"; then`,
		`chown -R vantage:vantage "$BIN_DIR"`,
		`run="$BIN_DIR/vantage-agent"`,
		`procd_set_param command "$run" --config "$CONF"`,
	} {
		if !strings.Contains(init, want) {
			t.Errorf("init script lacks %q", want)
		}
	}
	// The script parses as shell (procd's rc.common sources it).
	lab.Run(t, lab.NeedBinary(t, "sh", "dash"), "-n", writeTemp(t, init))

	var caps map[string][]string
	if err := json.Unmarshal(data["./etc/capabilities/vantage-agent.json"].data, &caps); err != nil {
		t.Fatalf("capability file: %v", err)
	}
	for _, set := range []string{"bounding", "effective", "ambient", "permitted", "inheritable"} {
		if got := caps[set]; len(got) != 1 || got[0] != "CAP_NET_RAW" {
			t.Errorf("capability set %s = %v, want [CAP_NET_RAW]", set, got)
		}
	}
	if len(caps) != 5 {
		t.Errorf("capability file has sets %v", caps)
	}
}

type tarFile struct {
	mode int64
	data []byte
}

func untar(t *testing.T, gz []byte) map[string]tarFile {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	out := map[string]tarFile{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		name := h.Name
		if !strings.HasPrefix(name, "./") {
			name = "./" + name
		}
		out[name] = tarFile{mode: h.Mode & 0o7777, data: b}
	}
}

func names(m map[string]tarFile) []string {
	var n []string
	for k := range m {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fileSize(t *testing.T, p string) int64 {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func writeTemp(t *testing.T, s string) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "script")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

func tarReader(b []byte) *tar.Reader { return tar.NewReader(bytes.NewReader(b)) }
