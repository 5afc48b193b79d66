package ping

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/probes/probe"
)

func specWith(t *testing.T, options string, timeout time.Duration) probe.Spec {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("options:\n"+options), &doc); err != nil {
		t.Fatal(err)
	}
	return probe.Spec{Name: "p", Type: "ping", File: "agent.yaml", Timeout: timeout, Options: *doc.Content[0].Content[1]}
}

func TestOptionErrorsNameFieldAndLine(t *testing.T) {
	for _, tc := range []struct{ options, want string }{
		{"  count: 0\n", "agent.yaml:2: probe \"p\": options.count: must be between 1 and 100"},
		{"  count: 3\n  size: 4\n", "agent.yaml:3: probe \"p\": options.size"},
		{"  engine: fast\n", "agent.yaml:2: probe \"p\": options.engine"},
		{"  counts: 3\n", "agent.yaml:2: options.counts: unknown key"},
		{"  packet_interval: soon\n", "agent.yaml:2"},
		{"  count: 10\n  packet_interval: 200ms\n", "options.packet_interval: 10 packets 200ms apart do not fit"},
	} {
		_, err := parseOptions(specWith(t, tc.options, time.Second))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("options %q: error %v, want it to contain %q", tc.options, err, tc.want)
		}
	}
}

func TestOptionDefaultsAndValues(t *testing.T) {
	o, err := parseOptions(specWith(t, "  count: 5\n  packet_interval: 20ms\n  size: 100\n  engine: pro-bing\n", time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if o.Count != 5 || o.PacketInterval != 20*time.Millisecond || o.Size != 100 || o.Engine != EngineProBing {
		t.Fatalf("options = %+v", o)
	}
	o, err = parseOptions(probe.Spec{Name: "p", Timeout: time.Second})
	if err != nil || o != defaultOptions() {
		t.Fatalf("no options block: %+v, %v", o, err)
	}
}

func TestValidateTarget(t *testing.T) {
	for target, ok := range map[string]bool{
		"198.18.0.1": true, "2001:db8::1": true, "pop1.example.net": true, "pop1.example.net.": true,
		"": false, "bad host": false, "-x.example": false, "a..b": false, "198.18.0.1:80": false,
	} {
		if err := ValidateTarget(target); (err == nil) != ok {
			t.Errorf("ValidateTarget(%q) = %v", target, err)
		}
	}
}

func TestPermissionErrorNamesBothRemedies(t *testing.T) {
	msg := permissionError(errString("operation not permitted"), errString("permission denied")).Error()
	for _, want := range []string{"CAP_NET_RAW", "net.ipv4.ping_group_range", "setcap", "sysctl -w"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }
