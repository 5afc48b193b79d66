package packaging

import (
	"strings"
	"testing"

	"github.com/vantage-net/vantage/internal/lab"
)

// TestAgentRPM reads the armv7 .rpm with rpm itself: arch, version, the
// shadow-utils requirement the preinstall script's useradd needs, the
// scriptlets, and every file's mode and owner.
func TestAgentRPM(t *testing.T) {
	rpm := lab.NeedBinary(t, "rpm", "rpm")
	pkg := makePackage(t, "vantage-agent", "armv7", "rpm")
	q := lab.Run(t, rpm, "-qp", "--qf", "%{NAME} %{VERSION} %{ARCH}\n[%{REQUIRENAME}\n]", pkg)
	for _, want := range []string{"vantage-agent 1.2.3 armv7hl", "shadow-utils"} {
		if !strings.Contains(q, want) {
			t.Errorf("rpm -qp lacks %q:\n%s", want, q)
		}
	}
	scripts := lab.Run(t, rpm, "-qp", "--scripts", pkg)
	for _, want := range []string{"preinstall scriptlet", "useradd --system", "postinstall scriptlet", "systemctl enable vantage-agent.service", "preuninstall scriptlet"} {
		if !strings.Contains(scripts, want) {
			t.Errorf("scriptlets lack %q:\n%s", want, scripts)
		}
	}
	files := map[string]string{}
	for _, line := range strings.Split(lab.Run(t, rpm, "-qlvp", pkg), "\n") {
		f := strings.Fields(line)
		if len(f) >= 9 {
			files[f[len(f)-1]] = f[0] + " " + f[2] + "/" + f[3]
		}
	}
	for path, want := range map[string]string{
		"/usr/bin/vantage-agent":                        "-rwxr-xr-x root/root",
		"/usr/lib/systemd/system/vantage-agent.service": "-rw-r--r-- root/root",
	} {
		if got := files[path]; got != want {
			t.Errorf("%s: %q, want %q (%v)", path, got, want, files)
		}
	}
}
