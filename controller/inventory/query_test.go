package inventory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// cardTree imports one PoP, two routers with two cards each, 64 ports per
// card, and 300 lines behind card r0-c0 (several per port), plus one line on
// each other card.
func cardTree(t *testing.T) *SQLStore {
	t.Helper()
	s, _ := newStore(t)
	var b bytes.Buffer
	b.WriteString("customers:\n")
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, "  - {id: C%d, name: Customer %d, tier: %s, account_manager: am%d}\n", i, i, Tiers[i%5], i%3)
	}
	b.WriteString("elements:\n  - {id: pop, kind: pop}\n")
	for r := 0; r < 2; r++ {
		fmt.Fprintf(&b, "  - {id: r%d, parent: pop, kind: router}\n", r)
		for c := 0; c < 2; c++ {
			fmt.Fprintf(&b, "  - {id: r%d-c%d, parent: r%d, kind: card}\n", r, c, r)
			for p := 0; p < 64; p++ {
				fmt.Fprintf(&b, "  - {id: r%d-c%d-p%d, parent: r%d-c%d, kind: port}\n", r, c, p, r, c)
			}
		}
	}
	b.WriteString("lines:\n")
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, "  - {circuit_id: L%03d, customer: C%d, upstream_element: r0-c0-p%d}\n", i, i%40, i%64)
	}
	b.WriteString("  - {circuit_id: X-r0-c1, customer: C1, upstream_element: r0-c1-p0}\n")
	b.WriteString("  - {circuit_id: X-r1-c0, customer: C1, upstream_element: r1-c0-p5}\n")
	b.WriteString("  - {circuit_id: X-router, customer: C2, upstream_element: r1}\n")
	b.WriteString("  - {circuit_id: X-none, customer: C2}\n")
	file := filepath.Join(t.TempDir(), "tree.yaml")
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	mustImport(t, s, file)
	return s
}

func TestLowestCommonElement(t *testing.T) {
	s := cardTree(t)
	ctx := context.Background()
	behindCard := make([]string, 300)
	for i := range behindCard {
		behindCard[i] = fmt.Sprintf("L%03d", i)
	}
	tests := []struct {
		name  string
		lines []string
		want  string // "" for no common element
	}{
		{"300 lines behind one card", behindCard, "r0-c0"},
		{"one line", []string{"L007"}, "r0-c0-p7"},
		{"two lines on one port", []string{"L001", "L065"}, "r0-c0-p1"},
		{"cards of one router", append([]string{"X-r0-c1"}, behindCard...), "r0"},
		{"two routers", []string{"L000", "X-r1-c0"}, "pop"},
		{"a line on a router and one below it", []string{"X-router", "X-r1-c0"}, "r1"},
		{"a line with no element", []string{"L000", "X-none"}, ""},
	}
	for _, tt := range tests {
		e, ok, err := s.LowestCommonElement(ctx, tt.lines...)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if ok != (tt.want != "") || e.ID != tt.want {
			t.Errorf("%s: got %q (ok %v), want %q", tt.name, e.ID, ok, tt.want)
		}
	}
	if _, _, err := s.LowestCommonElement(ctx, "L000", "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown line: %v", err)
	}
}

func TestTreeQueries(t *testing.T) {
	s := cardTree(t)
	ctx := context.Background()
	for id, want := range map[string]int{"r0-c0": 300, "r0": 301, "pop": 303, "r1": 2, "r0-c0-p0": 5, "r1-c1": 0} {
		lines, err := s.LinesUnder(ctx, id)
		if err != nil || len(lines) != want {
			t.Errorf("LinesUnder(%s) = %d lines, %v; want %d", id, len(lines), err, want)
		}
	}
	if _, err := s.LinesUnder(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("LinesUnder(unknown): %v", err)
	}
	path, err := s.ElementPath(ctx, "r1-c0-p5")
	if err != nil || ids(path) != "pop r1 r1-c0 r1-c0-p5" || path[0].Kind != "pop" || path[3].ParentID != "r1-c0" {
		t.Errorf("ElementPath = %v, %v", path, err)
	}
	if _, err := s.ElementPath(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ElementPath(unknown): %v", err)
	}
	cs, err := s.CustomersOfAccountManager(ctx, "am1")
	if err != nil || len(cs) != 13 || cs[0].ID != "C1" {
		t.Errorf("CustomersOfAccountManager = %d, %v", len(cs), err)
	}
	lines, _ := s.LinesOfCustomer(ctx, "C1")
	if len(lines) != 10 { // L001, L041, … L281, X-r0-c1, X-r1-c0
		t.Errorf("LinesOfCustomer(C1) = %d", len(lines))
	}
	// Keyset pages walk every line exactly once.
	var n int
	for p := (Page{Limit: 100}); ; {
		page, err := s.Lines(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		n += len(page)
		p.After = page[len(page)-1].CircuitID
	}
	if n != 304 {
		t.Errorf("paged %d lines", n)
	}
}

func TestLowestCommon(t *testing.T) {
	for _, tt := range []struct {
		paths [][]string
		want  string
	}{
		{nil, ""},
		{[][]string{{"a", "b", "c"}}, "c"},
		{[][]string{{"a", "b", "c"}, {"a", "b", "d"}}, "b"},
		{[][]string{{"a", "b"}, {"a", "b", "d"}}, "b"},
		{[][]string{{"a", "b"}, {"x", "b"}}, ""},
		{[][]string{{"a"}, {"a", "b"}, {}}, ""},
	} {
		if got := LowestCommon(tt.paths); got != tt.want {
			t.Errorf("LowestCommon(%v) = %q, want %q", tt.paths, got, tt.want)
		}
	}
}

func TestGeohash(t *testing.T) {
	// The reference example of the geohash format.
	if got := geohash(57.64911, 10.40744, 11); got != "u4pruydqqvj" {
		t.Errorf("geohash = %s", got)
	}
}
