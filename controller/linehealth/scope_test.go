package linehealth

import (
	"slices"
	"testing"
)

// TestScope: the zero scope sees nothing; rows without a customer are for
// a scope that sees all; after walks the sorted list past a cursor.
func TestScope(t *testing.T) {
	var zero Scope
	am := OnlyCustomers([]string{"C3", "C1", "C2", "C1", ""})
	for _, c := range []struct {
		s    Scope
		id   string
		want bool
	}{{zero, "C1", false}, {zero, "", false}, {AllCustomers, "", true}, {AllCustomers, "C9", true},
		{am, "C2", true}, {am, "C9", false}, {am, "", false}} {
		if got := c.s.Sees(c.id); got != c.want {
			t.Errorf("Sees(%q) = %v, want %v (all=%v)", c.id, got, c.want, c.s.All())
		}
	}
	if got := am.after("C1"); !slices.Equal(got, []string{"C2", "C3"}) {
		t.Errorf("after(C1) = %v", got)
	}
	if got := am.after(""); !slices.Equal(got, []string{"C1", "C2", "C3"}) {
		t.Errorf("after('') = %v", got)
	}
	if got := am.after("C15"); !slices.Equal(got, []string{"C2", "C3"}) {
		t.Errorf("after(C15) = %v", got)
	}
	if got := zero.jsonIDs(); got != "[]" {
		t.Errorf("zero scope as JSON: %s", got)
	}
}
