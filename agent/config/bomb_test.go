package config

import (
	"testing"

	"github.com/vantage-net/vantage/probes"
)

// An alias bomb (9^9 leaves once expanded) is refused at once, whether
// its anchors hide under a known key (labels) or unknown top-level keys.
// Regression test for what issue 10 found already held.
const aliasBomb = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`

func TestAliasBombRefused(t *testing.T) {
	docs := map[string]string{
		"top level":      aliasBomb,
		"used in labels": aliasBomb + "agent_id: a\nnats: {urls: [nats://127.0.0.1:4222]}\nprobes:\n  - {name: p, type: ping, interval: 1s, targets: [198.18.0.1], labels: {x: *i}}\n",
	}
	for name, doc := range docs {
		if _, err := Parse("bomb.yaml", []byte(doc), probes.TypeInfo{}); err == nil {
			t.Errorf("%s: alias bomb accepted", name)
		}
	}
}
