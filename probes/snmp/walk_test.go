package snmp

import (
	"testing"

	"github.com/gosnmp/gosnmp"
)

func threeIfs() []fakeIf {
	return []fakeIf{
		{index: 1, name: "lo", up: true},
		{index: 2, name: "ge-0/0/1", alias: "CID-1001", up: true, lastChange: 500, in: 1000, out: 2000},
		{index: 7, name: "ge-0/0/2", up: false, lastChange: 900, in: 5, out: 6, inErr: 3},
	}
}

func TestWalkColumnsBulkAndGetNext(t *testing.T) {
	for _, tc := range []struct {
		name    string
		bulk    bool
		v1      bool
		maxReps int
	}{
		{"bulk reps 1", true, false, 1},
		{"bulk reps 2", true, false, 2},
		{"bulk reps 10", true, false, 10},
		{"getnext v2 end of view", false, false, 0},
		{"getnext v1 noSuchName", false, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAgent()
			f.load(12345, threeIfs())
			f.v1 = tc.v1
			// Something after the tables, as on a real agent.
			f.set("1.3.6.1.2.1.31.1.2.1.3.0", gosnmp.Integer, 1)
			w, err := walkColumns(f, tc.bulk, tc.maxReps, ifColumns)
			if err != nil {
				t.Fatal(err)
			}
			if !w.hasUptime || w.uptime != 12345 {
				t.Fatalf("uptime %d %v", w.uptime, w.hasUptime)
			}
			rows := rowsFrom(w)
			if len(rows) != 3 || rows[1].index != 2 || rows[1].name != "ge-0/0/1" || rows[1].alias != "CID-1001" {
				t.Fatalf("rows: %+v", rows)
			}
			r := rows[2]
			if r.oper != 2 || r.admin != 1 || r.lastChange != 900 || r.in != (counter{5, 64}) || r.inErrors != (counter{3, 32}) {
				t.Fatalf("row 7: %+v", r)
			}
		})
	}
}

func TestWalkFallsBackTo32BitCounters(t *testing.T) {
	f := newFakeAgent()
	f.load(1, []fakeIf{{index: 3, name: "eth0", in: 77, out: 88, no64: true}})
	w, err := walkColumns(f, true, 10, ifColumns)
	if err != nil {
		t.Fatal(err)
	}
	r := rowsFrom(w)[0]
	if r.in != (counter{77, 32}) || r.out != (counter{88, 32}) {
		t.Fatalf("got %+v %+v", r.in, r.out)
	}
}

func TestWalkWithoutIfXTableUsesIfDescr(t *testing.T) {
	f := newFakeAgent()
	f.set(oidSysUpTime0, gosnmp.TimeTicks, uint32(5))
	f.set(oidIfEntry+".2.4", gosnmp.OctetString, []byte("Serial0\x00"))
	f.set(oidIfEntry+".8.4", gosnmp.Integer, 1)
	w, err := walkColumns(f, true, 10, ifColumns)
	if err != nil {
		t.Fatal(err)
	}
	r := rowsFrom(w)
	if len(r) != 1 || r[0].name != "Serial0" || r[0].oper != 1 {
		t.Fatalf("got %+v", r)
	}
}

// An agent that repeats itself must not make the walk loop forever.
type stuckAgent struct{ *fakeAgent }

func (s stuckAgent) GetBulk(oids []string, nr uint8, reps uint32) (*gosnmp.SnmpPacket, error) {
	pkt := &gosnmp.SnmpPacket{}
	for _, o := range oids {
		pkt.Variables = append(pkt.Variables, gosnmp.SnmpPDU{Name: "." + oidIfEntry + ".2.1", Type: gosnmp.OctetString, Value: []byte(o)})
	}
	return pkt, nil
}

func TestWalkStopsOnNonIncreasingAgent(t *testing.T) {
	w, err := walkColumns(stuckAgent{newFakeAgent()}, true, 10, ifColumns)
	if err != nil {
		t.Fatal(err)
	}
	if w.requests > 3 {
		t.Fatalf("walk took %d requests against a stuck agent", w.requests)
	}
}

func TestParseOID(t *testing.T) {
	for in, ok := range map[string]bool{
		"1.3.6.1.2.1.1.3.0": true, ".1.3.6.1": true, "1": false, "1..3": false, "1.3.x": false,
		"1.3.6.01": false, "1.3.4294967296": false, "": false,
	} {
		if _, got := parseOID(in); got != ok {
			t.Errorf("parseOID(%q) = %v, want %v", in, got, ok)
		}
	}
	if !oidLess("1.3.6.1.2", "1.3.6.1.10") || oidLess("1.3.6.1.10", "1.3.6.1.2") || !oidLess("1.3", "1.3.0") {
		t.Fatal("oidLess is not numeric arc order")
	}
}
