package agentconfig

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/probes"
	"github.com/vantage-net/vantage/probes/probe"
)

func assignment() inventory.Assignment {
	lat, lon := 30.25, 120.17
	return inventory.Assignment{Agent: "cpe-1",
		Site: inventory.Site{ID: "S1", Lat: &lat, Lon: &lon, Agent: "cpe-1"},
		Lines: []inventory.Line{
			{CircuitID: "0571-L1", CustomerID: "C1", ProbeAddress: "198.18.0.1"},
			{CircuitID: "0571-L2", CustomerID: "C1", ProbeAddress: "pe1.example.net"},
		}}
}

func TestDerive(t *testing.T) {
	got, err := Derive(assignment(), Profiles{Ping: PingProfile{Interval: time.Second, Timeout: 800 * time.Millisecond, Count: 3, PacketInterval: 10 * time.Millisecond}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `# Derived by vantage-controller from the inventory (site S1); edits here are overwritten.
agent_id: cpe-1
site:
    id: S1
    lat: 30.25
    lon: 120.17
probes:
    - name: lines
      type: ping
      interval: 1s
      timeout: 800ms
      options:
        count: 3
        packet_interval: 10ms
      targets:
        - address: 198.18.0.1
          labels:
            customer: C1
            line: 0571-L1
            site: S1
        - address: pe1.example.net
          labels:
            customer: C1
            line: 0571-L2
            site: S1
`
	if string(got) != want {
		t.Errorf("Derive =\n%s\nwant\n%s", got, want)
	}
	// The agent's own rules accept it, labels and all.
	cfg, err := config.ParseRemote("kv", got, baseConfig(t), probes.TypeInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Probes) != 1 || cfg.Probes[0].Targets[1].Labels.Line != "0571-L2" || cfg.Site.ID != "S1" {
		t.Errorf("agent reads %+v", cfg.Probes)
	}
}

func TestDeriveExtraAndEmpty(t *testing.T) {
	a := assignment()
	extra := []byte("probes:\n  - {name: portal, type: http, interval: 30s, targets: [\"https://portal.example.net/\"]}\n")
	got, err := Derive(a, Profiles{Ping: PingProfile{Interval: time.Second, Count: 1}}, extra)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.ParseRemote("kv", got, baseConfig(t), probes.TypeInfo{})
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	if len(cfg.Probes) != 2 || cfg.Probes[1].Name != "portal" {
		t.Errorf("probes %+v", cfg.Probes)
	}
	if _, err := Derive(a, Profiles{Ping: PingProfile{Interval: time.Second, Count: 1}},
		[]byte("probes:\n  - {name: lines, type: ping, interval: 1s, targets: [198.18.0.9]}\n")); err == nil ||
		!strings.Contains(err.Error(), `probes[0].name: "lines" is the derived probe's name`) {
		t.Errorf("extra probe named lines: %v", err)
	}
	// A site with an agent and no probed lines gets no probes, not an error.
	a.Lines = nil
	got, err = Derive(a, Profiles{Ping: PingProfile{Interval: time.Second, Count: 1}}, nil)
	if err != nil || !strings.Contains(string(got), "probes: []") {
		t.Errorf("empty assignment: %v\n%s", err, got)
	}
}

func baseConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Parse("agent.yaml", []byte("agent_id: cpe-1\nnats: {urls: [nats://127.0.0.1:4222]}\n"+
		"remote_config: {enabled: true, cache_file: /tmp/unused.yaml}\n"), probes.TypeInfo{})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// FuzzDerive feeds arbitrary extra-probe files: Derive returns a config or
// an error, never panics, and what it returns the agent's rules either
// accept or refuse with an error (Put checks before publishing).
func FuzzDerive(f *testing.F) {
	f.Add([]byte("probes:\n  - {name: portal, type: http, interval: 30s, targets: [\"https://p.example.net/\"]}\n"))
	f.Add([]byte("probes:\n  - {name: lines}\n"))
	f.Add([]byte("probes: {a: 1}\n"))
	f.Add([]byte("\x00\xff: ["))
	f.Fuzz(func(t *testing.T, extra []byte) {
		out, err := Derive(assignment(), Profiles{Ping: PingProfile{Interval: time.Second, Count: 3}}, extra)
		if err != nil {
			return
		}
		_ = config.CheckRemote("kv", out, "cpe-1", probes.TypeInfo{})
	})
}

// TestDeriveExtraSNMP: an extra_dir file may hold snmp probes, as the
// README says (issue 9: the agent's rules, asked before publishing,
// answered "known: dial, http, ping").
func TestDeriveExtraSNMP(t *testing.T) {
	extra := []byte(`probes:
  - name: cpe-router
    type: snmp
    interval: 30s
    targets: [198.18.0.2]
    options:
      community: lab-community
      interfaces: [{name: ge-0/0/1, line: 0571-L1}]
`)
	got, err := Derive(assignment(), Profiles{Ping: PingProfile{Interval: time.Second, Count: 3}}, extra)
	if err != nil {
		t.Fatal(err)
	}
	if err := config.CheckRemote("kv", got, "cpe-1", probes.TypeInfo{}); err != nil {
		t.Fatalf("derived config with an extra snmp probe refused: %v\n%s", err, got)
	}
}

// TestDeriveKeepsCredentialsOnTheAgent (issue 10, item 9): an extra probe
// with an Authorization (or other credential) header inline is not
// published, with the line and header named and the value not; the same
// probe with headers_file is published without the secret, and the
// agent, building the probe with its own rules, sends the header it read
// from its own file.
func TestDeriveKeepsCredentialsOnTheAgent(t *testing.T) {
	prof := Profiles{Ping: PingProfile{Interval: time.Second, Count: 1}}
	for _, h := range []string{"Authorization", "X-Api-Key", "Cookie", "X-Auth-Token", "proxy-authorization"} {
		extra := []byte("probes:\n  - name: portal\n    type: http\n    interval: 30s\n    targets: [\"https://p.example.net/\"]\n" +
			"    options:\n      headers:\n        Accept: text/plain\n        " + h + ": inline-secret-42\n")
		_, err := Derive(assignment(), prof, extra)
		want := "extra probes: line 9: probes[0].options.headers." + h + ": a credential is not published in a remote config"
		if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "options.headers_file") {
			t.Errorf("%s inline: %v", h, err)
		}
		if err != nil && strings.Contains(err.Error(), "inline-secret-42") {
			t.Errorf("the refusal shows the value: %v", err)
		}
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "portal-headers.yaml")
	if err := os.WriteFile(file, []byte("Authorization: Bearer on-agent-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	seenC := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case seenC <- r.Header.Get("Authorization"):
		default:
		}
	}))
	defer srv.Close()
	extra := []byte("probes:\n  - name: portal\n    type: http\n    interval: 30s\n    targets: [\"" + srv.URL + "/\"]\n" +
		"    options: {headers: {Accept: text/plain}, headers_file: " + file + "}\n")
	got, err := Derive(assignment(), prof, extra)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(got), "on-agent-secret") || !strings.Contains(string(got), "headers_file: "+file) {
		t.Fatalf("derived config:\n%s", got)
	}
	cfg, err := config.ParseRemote("kv", got, baseConfig(t), probes.TypeInfo{})
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Probes[1]
	pr, _, err := probes.New(probe.Spec{Name: p.Name, Type: p.Type, Interval: p.Interval, Timeout: p.Timeout, Options: p.Options, File: "kv"})
	if err != nil {
		t.Fatalf("the agent refused the probe: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if ss := pr.Probe(ctx, srv.URL+"/"); len(ss) != 1 || ss[0].Error != "" {
		t.Errorf("round: %+v", ss)
	}
	select {
	case seen := <-seenC:
		if seen != "Bearer on-agent-secret" {
			t.Errorf("server saw Authorization %q", seen)
		}
	default:
		t.Error("the probe never reached the server")
	}
}
