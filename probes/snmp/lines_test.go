package snmp

import (
	"testing"
	"time"
)

func TestNameMappingFollowsRenumberingAndReportsIt(t *testing.T) {
	s := newDeviceState()
	cfg := Device{Interfaces: []InterfaceLine{
		{Name: "ge-0/0/1", Line: "L-NAME"},
		{Alias: "CID-1001", Line: "L-ALIAS"},
		{Index: 7, Line: "L-INDEX"},
	}}
	ifs := []fakeIf{
		{index: 2, name: "ge-0/0/1", up: true, in: 100},
		{index: 5, name: "ge-0/0/9", alias: "CID-1001", up: true},
		{index: 7, name: "ge-0/0/2", up: true},
	}
	_, rep := s.update("r1", t0, snapOf(t, 100000, ifs), cfg)
	if len(rep.lineChanges) != 0 || rep.lines[2] != "L-NAME" || rep.lines[5] != "L-ALIAS" || rep.lines[7] != "L-INDEX" {
		t.Fatalf("first poll: %+v", rep)
	}
	// The device rebooted and renumbered: every interface got a new index,
	// and index 7 now belongs to another port.
	ifs = []fakeIf{
		{index: 12, name: "ge-0/0/1", up: true, in: 5},
		{index: 15, name: "ge-0/0/9", alias: "CID-1001", up: true},
		{index: 7, name: "ge-0/0/3", up: true},
		{index: 17, name: "ge-0/0/2", up: true},
	}
	out, rep := s.update("r1", t0.Add(60*time.Second), snapOf(t, 3000, ifs), cfg)
	want := map[int]string{12: "L-NAME", 15: "L-ALIAS", 17: "L-INDEX"}
	for idx, line := range want {
		if rep.lines[idx] != line {
			t.Errorf("ifIndex %d: line %q, want %q", idx, rep.lines[idx], line)
		}
	}
	if rep.lines[7] != "" {
		t.Fatalf("ifIndex 7 (another port now) silently kept line %q", rep.lines[7])
	}
	if len(rep.lineChanges) != 3 {
		t.Fatalf("want 3 reported line moves, got %+v", rep.lineChanges)
	}
	for _, c := range rep.lineChanges {
		if c.oldIndex == 0 || c.newIndex == 0 || c.oldIndex == c.newIndex {
			t.Errorf("change not a move: %+v", c)
		}
	}
	if len(rep.renumbered) != 3 {
		t.Fatalf("renumbered interfaces: %v", rep.renumbered)
	}
	if got := one(t, out, MeasurementIf, "7"); got.Tags["line"] != "" {
		t.Fatalf("sample of ifIndex 7 carries line %q", got.Tags["line"])
	}
	// Stable from now on: nothing more to report.
	_, rep = s.update("r1", t0.Add(90*time.Second), snapOf(t, 6000, ifs), cfg)
	if len(rep.lineChanges) != 0 || len(rep.renumbered) != 0 {
		t.Fatalf("reported again: %+v", rep)
	}
}

func TestRenumberingWithoutRebootResetsCounters(t *testing.T) {
	s := newDeviceState()
	s.update("r1", t0, snapOf(t, 100000, []fakeIf{{index: 2, name: "a", up: true, in: 1e9}}), Device{})
	out, rep := s.update("r1", t0.Add(30*time.Second), snapOf(t, 103000, []fakeIf{{index: 3, name: "a", up: true, in: 10}}), Device{})
	if _, ok := one(t, out, MeasurementIf, "3").Fields["in_bps"]; ok || len(rep.renumbered) != 1 {
		t.Fatalf("renumbered interface got a rate: %+v %+v", out, rep)
	}
}

func TestLineMapProblemsAreReportedOnce(t *testing.T) {
	m := newLineMapper()
	entries := []InterfaceLine{{Name: "x", Line: "L-X"}, {Alias: "dup", Line: "L-D"}}
	rows := []ifRow{{index: 1, name: "a", alias: "dup"}, {index: 2, name: "b", alias: "dup"}}
	_, ch := m.resolve(rows, entries)
	if len(ch) != 2 || ch[0].reason != "no interface has this ifName" || ch[1].reason != "2 interfaces have this ifAlias" {
		t.Fatalf("got %+v", ch)
	}
	if _, ch = m.resolve(rows, entries); len(ch) != 0 {
		t.Fatalf("reported twice: %+v", ch)
	}
	rows = append(rows, ifRow{index: 3, name: "x"})
	lines, ch := m.resolve(rows, entries)
	if lines[3] != "L-X" || len(ch) != 1 || ch[0].reason != "mapped again" {
		t.Fatalf("got %v %+v", lines, ch)
	}
}

func TestIndexEntryWithoutTheNameAnywhereIsDropped(t *testing.T) {
	m := newLineMapper()
	entries := []InterfaceLine{{Index: 4, Line: "L-4"}}
	m.resolve([]ifRow{{index: 4, name: "wan0"}}, entries)
	lines, ch := m.resolve([]ifRow{{index: 4, name: "lan3"}}, entries)
	if len(lines) != 0 || len(ch) != 1 || ch[0].oldIndex != 4 || ch[0].newIndex != 0 {
		t.Fatalf("got %v %+v", lines, ch)
	}
}

func TestMatchLine(t *testing.T) {
	entries := []InterfaceLine{{Name: "ge-0/0/1", Line: "A"}, {Alias: "CID-9", Line: "B"}, {Index: 3, Line: "C"}}
	for _, tc := range []struct {
		idx  int
		info IfInfo
		want string
	}{
		{1, IfInfo{Name: "ge-0/0/1"}, "A"},
		{2, IfInfo{Alias: "CID-9"}, "B"},
		{3, IfInfo{}, "C"},
		{4, IfInfo{Name: "other"}, ""},
	} {
		if got := MatchLine(entries, tc.idx, tc.info); got != tc.want {
			t.Errorf("MatchLine(%d, %+v) = %q, want %q", tc.idx, tc.info, got, tc.want)
		}
	}
}
