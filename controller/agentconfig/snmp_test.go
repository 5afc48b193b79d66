package agentconfig

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/probes"
	"github.com/vantage-net/vantage/probes/probe"
)

// Lab-style credentials, for the derived configs of these tests.
const (
	testCommunity = "pe-c0mmunity"
	testAuth      = "pe-auth-pass"
	testPriv      = "pe-priv-pass"
)

func snmpProfile(t *testing.T) SNMPProfile {
	t.Helper()
	var doc struct {
		Profiles map[string]yaml.Node `yaml:"profiles"`
	}
	if err := yaml.Unmarshal([]byte(`profiles:
  pe-v3: {version: "3", v3: {user: vantage, level: authPriv, auth_protocol: SHA, auth_password: "`+testAuth+`", priv_protocol: AES, priv_password: "`+testPriv+`"}}
  legacy: {community: "`+testCommunity+`"}
`), &doc); err != nil {
		t.Fatal(err)
	}
	return SNMPProfile{Interval: 30 * time.Second, Credentials: doc.Profiles}
}

func popAssignment() inventory.Assignment {
	return inventory.Assignment{Agent: "pop-hz1", Devices: []inventory.SNMPDevice{
		{Element: inventory.Element{ID: "pe1", SNMPAddress: "198.18.10.1", SNMPProfile: "pe-v3"},
			Lines: []inventory.Line{{CircuitID: "0571-L1", SNMPIfName: "ge-0/0/1"}, {CircuitID: "0571-L2", SNMPIfAlias: "CIRCUIT 0571-L2"}}},
		{Element: inventory.Element{ID: "pe2", SNMPAddress: "198.18.10.2:1161", SNMPProfile: "legacy"},
			Lines: []inventory.Line{{CircuitID: "0571-L3", SNMPIfName: "xe-1/0/0"}}},
	}}
}

// TestDeriveSNMP: an agent the inventory names at a PoP gets one snmp
// probe over its devices, each with its profile's credentials and its
// lines' interfaces, no site of its own, and the agent's rules (and the
// snmp probe's option rules) accept it.
func TestDeriveSNMP(t *testing.T) {
	got, err := Derive(popAssignment(), Profiles{SNMP: snmpProfile(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `# Derived by vantage-controller from the inventory (elements naming agent pop-hz1); edits here are overwritten.
agent_id: pop-hz1
probes:
    - name: snmp
      type: snmp
      interval: 30s
      options:
        only_mapped: true
        devices:
            198.18.10.1:
                version: "3"
                v3: {user: vantage, level: authPriv, auth_protocol: SHA, auth_password: "pe-auth-pass", priv_protocol: AES, priv_password: "pe-priv-pass"}
                interfaces:
                    - name: ge-0/0/1
                      line: 0571-L1
                    - alias: CIRCUIT 0571-L2
                      line: 0571-L2
            198.18.10.2:1161:
                community: "pe-c0mmunity"
                interfaces:
                    - name: xe-1/0/0
                      line: 0571-L3
      targets:
        - 198.18.10.1
        - 198.18.10.2:1161
`
	if string(got) != want {
		t.Errorf("Derive =\n%s\nwant\n%s", got, want)
	}
	base, err := config.Parse("agent.yaml", []byte("agent_id: pop-hz1\nsite: {id: POP-HZ1}\nnats: {urls: [nats://127.0.0.1:4222]}\n"+
		"remote_config: {enabled: true, cache_file: /tmp/unused.yaml}\n"), probes.TypeInfo{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.ParseRemote("kv", got, base, probes.TypeInfo{})
	if err != nil {
		t.Fatalf("agent refuses the derived snmp config: %v", err)
	}
	if cfg.Site.ID != "POP-HZ1" {
		t.Errorf("a config without site must keep the local site, got %q", cfg.Site.ID)
	}
	p := cfg.Probes[0]
	pr, _, err := probes.New(probe.Spec{Name: p.Name, Type: p.Type, Interval: p.Interval, Timeout: p.Timeout, Options: p.Options, File: "kv"})
	if err != nil {
		t.Fatalf("snmp probe options refused: %v", err)
	}
	_ = pr.(probe.Closer).Close()

	// A profile the controller does not have, or a name clash, is an error
	// for this agent, not a half config.
	a := popAssignment()
	a.Devices[1].Element.SNMPProfile = "nope"
	if _, err := Derive(a, Profiles{SNMP: snmpProfile(t)}, nil); err == nil || !strings.Contains(err.Error(), `element pe2: snmp_profile "nope" is not in the controller's remote_config.snmp.profiles`) {
		t.Errorf("unknown profile: %v", err)
	}
	if _, err := Derive(popAssignment(), Profiles{SNMP: snmpProfile(t)}, []byte("probes:\n  - {name: snmp, type: ping, interval: 1s, targets: [198.18.0.9]}\n")); err == nil ||
		!strings.Contains(err.Error(), `"snmp" is the derived probe's name`) {
		t.Errorf("extra probe named snmp: %v", err)
	}
}

// A hotspot's router, an element naming the hotspot's agent and a profile
// with its make's radio scalars: the agent's derived config keeps its
// inventory site and polls the router for those scalars, which the agent
// and the snmp probe accept.
func TestDeriveRadioScalarsFromProfile(t *testing.T) {
	var doc struct {
		Profiles map[string]yaml.Node `yaml:"profiles"`
	}
	if err := yaml.Unmarshal([]byte(`profiles:
  hotspot-vendor-a: {community: "`+testCommunity+`", scalars: [{name: rsrp, oid: 1.3.6.1.4.1.99999.1.1.0, type: gauge}, {name: sinr, oid: 1.3.6.1.4.1.99999.1.2.0, type: gauge, scale: 0.1}]}
`), &doc); err != nil {
		t.Fatal(err)
	}
	a := inventory.Assignment{Agent: "hs-1", Site: inventory.Site{ID: "hs-compound", Kind: "hotspot"},
		Devices: []inventory.SNMPDevice{{Element: inventory.Element{ID: "hs-router", SNMPAddress: "198.18.30.1", SNMPProfile: "hotspot-vendor-a"}}}}
	got, err := Derive(a, Profiles{SNMP: SNMPProfile{Interval: time.Minute, Credentials: doc.Profiles}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"site:\n    id: hs-compound", "198.18.30.1:\n                community: \"" + testCommunity + "\"",
		"scalars: [{name: rsrp, oid: 1.3.6.1.4.1.99999.1.1.0, type: gauge}, {name: sinr, oid: 1.3.6.1.4.1.99999.1.2.0, type: gauge, scale: 0.1}]"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("derived config lacks %q:\n%s", want, got)
		}
	}
	base, err := config.Parse("agent.yaml", []byte("agent_id: hs-1\nnats: {urls: [nats://127.0.0.1:4222]}\n"+
		"remote_config: {enabled: true, cache_file: /tmp/unused.yaml}\n"), probes.TypeInfo{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.ParseRemote("kv", got, base, probes.TypeInfo{})
	if err != nil {
		t.Fatalf("agent refuses the derived config: %v", err)
	}
	p := cfg.Probes[0]
	pr, _, err := probes.New(probe.Spec{Name: p.Name, Type: p.Type, Interval: p.Interval, Timeout: p.Timeout, Options: p.Options, File: "kv"})
	if err != nil {
		t.Fatalf("snmp probe options refused: %v", err)
	}
	_ = pr.(probe.Closer).Close()
}

// TestConfigAPIRedactsSecrets: GET /api/v1/agents/{id}/config shows the
// derived snmp probe without its community and v3 passphrases.
func TestConfigAPIRedactsSecrets(t *testing.T) {
	nc, js := connect(t)
	got, err := Derive(popAssignment(), Profiles{SNMP: snmpProfile(t)}, []byte(
		"probes:\n  - {name: portal, type: http, interval: 30s, targets: [\"https://p.example.net/\"], options: {headers: {X-Probe-Label: tok-123456}}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Put(context.Background(), js, "pop-hz1", got); err != nil {
		t.Fatal(err)
	}
	sw, err := NewStatusWatcher(nc, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sw.Close()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/agents/pop-hz1/config", nil)
	req.SetPathValue("id", "pop-hz1")
	Handler(js, sw).ServeHTTP(rec, req)
	var v View
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("status %d, %v: %s", rec.Code, err, rec.Body)
	}
	for _, secret := range []string{testCommunity, testAuth, testPriv, "tok-123456"} {
		if strings.Contains(rec.Body.String(), secret) {
			t.Errorf("API output shows secret %q:\n%s", secret, v.Config)
		}
	}
	if !strings.Contains(v.Config, "auth_password: <redacted>") || !strings.Contains(v.Config, "community: <redacted>") ||
		!strings.Contains(v.Config, "line: 0571-L1") || !strings.Contains(v.Config, "user: vantage") {
		t.Errorf("redacted config lost its shape:\n%s", v.Config)
	}
}
