package spool

import (
	"slices"
	"testing"
)

// PeekN returns the oldest messages within its count and results limits
// (always at least the head), and PopN acknowledges exactly those: a
// reopened spool replays the rest, oldest first.
func TestPeekNPopN(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, func(o *Options) { o.SegmentBytes = 256 }) // several segments
	for i := range 10 {
		s.Push(msg(i))
	}
	got := s.PeekN(4, 100)
	if len(got) != 4 || got[0].ID != msg(0).ID || got[3].ID != msg(3).ID {
		t.Fatalf("PeekN(4, 100) = %d messages starting %v", len(got), got)
	}
	if got := s.PeekN(100, 5); len(got) != 2 { // 2 results each: 4 of at most 5
		t.Fatalf("PeekN(100, 5) = %d messages, want 2", len(got))
	}
	if got := s.PeekN(100, 1); len(got) != 1 { // the head even beyond the limit
		t.Fatalf("PeekN(100, 1) = %d messages, want the head", len(got))
	}
	s.PopN(4)
	if s.Results() != 12 {
		t.Fatalf("%d results wait after PopN(4), want 12", s.Results())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := reopenIDs(t, dir, nil), idRange(4, 9); !slices.Equal(got, want) {
		t.Fatalf("after PopN(4) and a reopen: %v, want %v", got, want)
	}
}
