package config

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes"
	"github.com/vantage-net/vantage/probes/probe"
)

// readmeYAML returns the ```yaml blocks of the repository's README that
// contain every one of want.
func readmeYAML(t *testing.T, want ...string) []string {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(data), -1) {
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(m[1], w)
		}
		if ok {
			out = append(out, m[1])
		}
	}
	return out
}

// TestREADMESNMPConfigWithRealRegistry loads the README's SNMP examples,
// exactly as printed, with the real probe registry, and builds each probe
// (which decodes its options) and the trap listener's config. Issue 9: the
// documented `type: snmp` was refused ("known: dial, http, ping") because
// every config test used fake types.
func TestREADMESNMPConfigWithRealRegistry(t *testing.T) {
	blocks := readmeYAML(t, "type: snmp")
	if len(blocks) < 2 {
		t.Fatalf("README has %d yaml blocks with type: snmp, want the CPE router and the hotspot radio", len(blocks))
	}
	const head = "agent_id: pe-0001\nnats: {urls: [nats://127.0.0.1:4222]}\n"
	for i, b := range blocks {
		if !strings.HasPrefix(b, "probes:") {
			b = "probes:\n" + b // the hotspot example continues the probes list
		}
		c, err := Parse("README-snmp.yaml", []byte(head+b), probes.TypeInfo{})
		if err != nil {
			t.Fatalf("README snmp block %d refused:\n%v\n%s", i, err, b)
		}
		for j := range c.Probes {
			p := &c.Probes[j]
			pr, _, err := probes.New(probe.Spec{Name: p.Name, Type: p.Type, Interval: p.Interval, Timeout: p.Timeout,
				Options: p.Options, File: "README-snmp.yaml"})
			if err != nil {
				t.Fatalf("README snmp block %d, probe %s: options refused: %v", i, p.Name, err)
			}
			if cl, ok := pr.(probe.Closer); ok {
				_ = cl.Close()
			}
		}
		if strings.Contains(b, "traps:") && c.Traps.Kind == 0 {
			t.Errorf("README snmp block %d: traps block not decoded", i)
		}
	}
}

// TestRealRegistryRefusesUnknownType: the message lists the registry's
// types, snmp among them, as the README's example error shows.
func TestRealRegistryRefusesUnknownType(t *testing.T) {
	_, err := Parse("agent.yaml", []byte("agent_id: cpe-1\nnats: {urls: [nats://127.0.0.1:4222]}\nprobes:\n  - {name: x, type: pingg, interval: 1s, targets: [198.18.0.1]}\n"), probes.TypeInfo{})
	want := `agent.yaml:4: probes[0].type: "pingg" is not a probe type (known: dial, http, ping, snmp)`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want %s", err, want)
	}
}

// TestREADMEConfirmConfig loads the README's confirmation block, exactly as
// printed, with the real registry: its keys and values are what the agent
// accepts (TestConfirmationThroughAgentBinary runs it).
func TestREADMEConfirmConfig(t *testing.T) {
	blocks := readmeYAML(t, "confirm_budget:", "confirm:")
	if len(blocks) != 1 {
		t.Fatalf("README has %d yaml blocks with confirm_budget and confirm, want 1", len(blocks))
	}
	c, err := Parse("README-confirm.yaml", []byte("agent_id: pop-0001\nnats: {urls: [nats://127.0.0.1:4222]}\n"+blocks[0]), probes.TypeInfo{})
	if err != nil {
		t.Fatalf("README confirm block refused:\n%v", err)
	}
	cf := c.Probes[0].Confirm
	if *c.ConfirmBudget != 100 || cf == nil || cf.Interval != 200*time.Millisecond || *cf.Rounds != 3 || *cf.Watch != time.Minute {
		t.Fatalf("README confirm block read as budget %d, %+v", *c.ConfirmBudget, cf)
	}
	if jobs := c.Jobs(); jobs[0].Priority != 4 || jobs[1].Priority != 0 {
		t.Fatalf("priorities %d, %d, want 4, 0", jobs[0].Priority, jobs[1].Priority)
	}
}
