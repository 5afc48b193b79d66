package yamlstrict

import (
	"strings"
	"testing"
)

// billionLaughs is the classic alias bomb: nine levels of nine aliases
// each expand to 9^9 (387 million) leaves.
const billionLaughs = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`

type bombTarget struct {
	A []any `yaml:"a"`
	B []any `yaml:"b"`
	C []any `yaml:"c"`
	D []any `yaml:"d"`
	E []any `yaml:"e"`
	F []any `yaml:"f"`
	G []any `yaml:"g"`
	H []any `yaml:"h"`
	I []any `yaml:"i"`
}

func TestAliasBombRefused(t *testing.T) {
	var v bombTarget
	err := Decode("bomb.yaml", []byte(billionLaughs), &v)
	if err == nil || !strings.Contains(err.Error(), "alias") {
		t.Fatalf("alias bomb: err = %v, want a refusal naming aliasing", err)
	}
}
