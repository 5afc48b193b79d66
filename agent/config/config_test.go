package config

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes"
)

// fakeTypes stands in for the registry: ping and http exist, and http
// targets must be absolute URLs.
type fakeTypes struct{}

func (fakeTypes) Known(t string) (bool, []string) {
	return t == "ping" || t == "http", []string{"http", "ping"}
}

func (fakeTypes) ValidateTarget(typ, target string) error {
	if typ == "http" {
		u, err := url.Parse(target)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return errors.New("not an absolute http(s) URL")
		}
	}
	return nil
}

func TestValid(t *testing.T) {
	c, err := Load("testdata/valid.yaml", fakeTypes{})
	if err != nil {
		t.Fatal(err)
	}
	jobs := c.Jobs()
	if len(jobs) != 2 {
		t.Fatalf("%d jobs", len(jobs))
	}
	if jobs[0].Labels != (Labels{Line: "L-1", Customer: "C-1", Site: "S-1"}) {
		t.Errorf("job 0 labels %+v", jobs[0].Labels)
	}
	if jobs[1].Labels != (Labels{Line: "L-2", Customer: "C-1", Site: "S-1"}) {
		t.Errorf("target labels must override the probe's: %+v", jobs[1].Labels)
	}
	if p := c.Probes[0]; p.Timeout != 800*time.Millisecond || p.Options.Kind == 0 || p.Line() != 8 {
		t.Errorf("defaults/options/line: timeout %s, options kind %d, line %d", p.Timeout, p.Options.Kind, p.Line())
	}
}

// TestInvalid maps each testdata/invalid-*.yaml to the exact messages it
// must produce: file, line, field path and the bad value.
func TestInvalid(t *testing.T) {
	want := map[string][]string{
		"invalid-unknown-key.yaml": {
			"invalid-unknown-key.yaml:4: nats.passwrd: unknown key",
			"invalid-unknown-key.yaml:10: probes[0].colour: unknown key",
		},
		"invalid-duration.yaml": {
			"invalid-duration.yaml:7: cannot unmarshal !!str `1 second` into time.Duration",
		},
		"invalid-timeout.yaml": {
			"invalid-timeout.yaml:5: probes[0].timeout: 2s is longer than interval 500ms",
		},
		"invalid-no-targets.yaml": {
			"invalid-no-targets.yaml:5: probes[0].targets: at least one target is required",
		},
		"invalid-bad-url.yaml": {
			`invalid-bad-url.yaml:9: probes[0].targets[0]: "http//missing-colon": not an absolute http(s) URL`,
		},
		"invalid-traps.yaml": {
			`invalid-traps.yaml:14: traps.colour: unknown key`,
			`invalid-traps.yaml:5: traps.listen: "0.0.0.0:99999" is not ip:port`,
			`invalid-traps.yaml:9: traps.devices["198.18.0.2"].v3.auth_password: must be at least 8 characters`,
			`invalid-traps.yaml:9: traps.devices["198.18.0.2"].v3.priv_protocol: "" is not one of`,
			`invalid-traps.yaml:11: traps.devices["198.18.0.2"].interfaces[0]: give exactly one of name, alias, index (found 2)`,
			`invalid-traps.yaml:12: traps.devices["router-7"]: "router-7" is not an IP address`,
		},
		"invalid-spool.yaml": {
			`invalid-spool.yaml:5: spool.dir: "var/spool" must be an absolute path`,
			`invalid-spool.yaml:6: spool.max_bytes: 1MiB is smaller than 2MiB`,
			`invalid-spool.yaml:7: spool.max_age: 30s is shorter than 1m`,
			`invalid-spool.yaml:8: spool.fsync: "sometimes" is not one of always, interval, never`,
		},
		"invalid-spool-size.yaml": {
			`invalid-spool-size.yaml:6: spool.max_bytes: "lots" is not a size`,
		},
		"invalid-spool-no-dir.yaml": {
			`invalid-spool-no-dir.yaml:4: spool.dir: is required when other spool settings are given`,
		},
		"invalid-confirm.yaml": {
			`invalid-confirm.yaml:4: confirm_budget: -5 is outside 0..100000 rounds per second`,
			`invalid-confirm.yaml:10: probes[0].confirm.interval: 2s is longer than the probe's interval 1s`,
			`invalid-confirm.yaml:11: probes[0].confirm.rounds: 101 is outside 0..100`,
			`invalid-confirm.yaml:12: probes[0].confirm.priority: 12 is outside 0..9`,
			`invalid-confirm.yaml:15: probes[0].targets[1].priority: -1 is outside 0..9`,
			`invalid-confirm.yaml:19: probes[1].confirm.interval: 5ms is shorter than 10ms`,
			`invalid-confirm.yaml:19: probes[1].confirm.watch: 2h0m0s is outside 0..1h`,
		},
		"invalid-networks.yaml": {
			`invalid-networks.yaml:5: networks[0].source_interface: "wwan-none-9" is not an interface on this host (have: `,
			`invalid-networks.yaml:6: networks[1].name: "ours" is already networks[0]`,
			`invalid-networks.yaml:6: networks[1].source_address: "198.18.2.300" is not an IP address`,
			`invalid-networks.yaml:7: networks[2]: give source_interface or source_address (or both)`,
			`invalid-networks.yaml:9: probes[0].networks[1]: "rivals" is not in networks (known: ours, rival)`,
			`invalid-networks.yaml:9: probes[0].networks[2]: "ours" is listed twice`,
		},
		"invalid-many.yaml": {
			`invalid-many.yaml:1: agent_id: "cpe 0001" must be`,
			`invalid-many.yaml:3: nats.urls[0]: "127.0.0.1:4222" is not a nats:// or tls:// URL`,
			`invalid-many.yaml:4: log_level: "loud" is not one of`,
			`invalid-many.yaml:6: probes[0].type: "pingg" is not a probe type (known: http, ping)`,
			`invalid-many.yaml:9: probes[0].targets[1]: "198.18.0.1" is already targets[0]`,
			`invalid-many.yaml:10: probes[1].name: "pop" is already used by probes[0]`,
			`invalid-many.yaml:10: probes[1].interval: 50ms is shorter than 100ms`,
		},
	}
	files, _ := filepath.Glob("testdata/invalid-*.yaml")
	if len(files) != len(want) {
		t.Fatalf("%d invalid files, %d expectations", len(files), len(want))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(name, data, fakeTypes{})
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range want[name] {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("missing %q in:\n%v", w, err)
				}
			}
		})
	}
}

// FuzzParse: any bytes give a config or an error, never a panic.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/valid.yaml", "testdata/invalid-many.yaml"} {
		data, _ := os.ReadFile(p)
		f.Add(data)
	}
	f.Add([]byte("probes: [{targets: [{address: {a: b}}]}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data, fakeTypes{})
		if err == nil {
			_ = c.Jobs()
		}
	})
}

// TestNATSURLErrorHidesCredentials: a malformed NATS URL is quoted without
// its user:password@ (issue 10, item 9).
func TestNATSURLErrorHidesCredentials(t *testing.T) {
	_, err := Parse("a.yaml", []byte("agent_id: a1\nnats: {urls: [\"http://cpe:agentS3cret@n1:4222\"]}\n"), nil)
	if err == nil || strings.Contains(err.Error(), "agentS3cret") || !strings.Contains(err.Error(), `"http://n1:4222"`) {
		t.Errorf("error: %v", err)
	}
}

// TestConfirmDefaults: a bare confirm block takes the documented defaults
// (200ms, k = 3 rounds, 60s watch), targets their probe's priority unless
// they give their own, and confirm_budget defaults to 100 a second.
func TestConfirmDefaults(t *testing.T) {
	c, err := Parse("a.yaml", []byte(`agent_id: a1
nats: {urls: [nats://127.0.0.1:4222]}
probes:
  - name: pop
    type: ping
    interval: 1s
    confirm: {priority: 2}
    targets: [198.18.0.1, {address: 198.18.0.2, priority: 4}]
  - {name: plain, type: ping, interval: 1s, targets: [198.18.0.3]}
`), fakeTypes{})
	if err != nil {
		t.Fatal(err)
	}
	cf := c.Probes[0].Confirm
	if cf.Interval != 200*time.Millisecond || *cf.Rounds != 3 || *cf.Watch != time.Minute {
		t.Errorf("defaults: %s, %d rounds, watch %s", cf.Interval, *cf.Rounds, *cf.Watch)
	}
	if c.Probes[1].Confirm != nil || *c.ConfirmBudget != 100 {
		t.Errorf("a probe without confirm must not confirm (%+v); budget %d", c.Probes[1].Confirm, *c.ConfirmBudget)
	}
	jobs := c.Jobs()
	if jobs[0].Priority != 2 || jobs[1].Priority != 4 || jobs[2].Priority != 0 {
		t.Errorf("priorities %d %d %d, want 2 4 0", jobs[0].Priority, jobs[1].Priority, jobs[2].Priority)
	}
}

// TestConfirmRefusedOnSNMP: with the real registry, confirm on a type whose
// results cannot carry the mark is refused by name.
func TestConfirmRefusedOnSNMP(t *testing.T) {
	_, err := Parse("a.yaml", []byte(`agent_id: a1
nats: {urls: [nats://127.0.0.1:4222]}
probes:
  - name: pe
    type: snmp
    interval: 30s
    confirm: {interval: 1s}
    targets: [198.18.0.1]
`), probes.TypeInfo{})
	want := `a.yaml:7: probes[0].confirm: a snmp probe's results cannot be marked as confirmation rounds`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want %s", err, want)
	}
}
