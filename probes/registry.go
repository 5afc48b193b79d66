// Package probes is the registry of probe types. It is the only list of
// types: config validation, the agent and the docs all ask it, so a type
// added here is known everywhere and nowhere else needs editing.
package probes

import (
	"fmt"
	"sort"

	"github.com/vantage-net/vantage/probes/dial"
	"github.com/vantage-net/vantage/probes/http"
	"github.com/vantage-net/vantage/probes/ping"
	"github.com/vantage-net/vantage/probes/probe"
	"github.com/vantage-net/vantage/probes/snmp"
)

// registry maps a config `type:` to its descriptor. One line per type.
var registry = map[string]probe.Descriptor{
	"dial": dial.Descriptor,
	"http": http.Descriptor,
	"ping": ping.Descriptor,
	"snmp": snmp.Descriptor,
}

// Lookup returns the descriptor of a probe type.
func Lookup(typ string) (probe.Descriptor, bool) {
	d, ok := registry[typ]
	return d, ok
}

// Types lists the registered type names, sorted.
func Types() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New builds a prober for spec.
func New(spec probe.Spec) (probe.Prober, probe.Descriptor, error) {
	d, ok := registry[spec.Type]
	if !ok {
		return nil, d, fmt.Errorf("probe %q: unknown type %q", spec.Name, spec.Type)
	}
	p, err := d.New(spec)
	return p, d, err
}

// TypeInfo answers config validation's questions from the registry.
type TypeInfo struct{}

// Known reports whether typ is registered and lists the registered types.
func (TypeInfo) Known(typ string) (bool, []string) {
	_, ok := registry[typ]
	return ok, Types()
}

// ValidateTarget checks one target string with the type's own rules.
func (TypeInfo) ValidateTarget(typ, target string) error {
	d, ok := registry[typ]
	if !ok || d.ValidateTarget == nil {
		return nil
	}
	return d.ValidateTarget(target)
}

// Measurement names the default measurement of typ's results ("" if typ is
// not registered), so config validation can ask what a type's results may
// carry (the confirm mark).
func (TypeInfo) Measurement(typ string) string { return registry[typ].Measurement }
