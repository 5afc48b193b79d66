package inventory

import (
	"strings"
	"testing"
)

// Regression test (issue 10, "what already held"): an alias bomb in an
// inventory file is refused; records are flat, so it is never expanded.
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
	doc := aliasBomb + "lines: [*i, *i, *i, *i, *i, *i, *i, *i, *i]\n"
	_, err := ParseYAML("bomb.yaml", []byte(doc))
	if err == nil || !strings.Contains(err.Error(), "bomb.yaml:") {
		t.Fatalf("alias bomb: err = %v, want a refusal naming the file", err)
	}
}
