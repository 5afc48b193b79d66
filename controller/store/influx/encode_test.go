package influx

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 123456789, time.UTC)

// sample has one result per measurement, plus the awkward cases: a failed
// round with an error class, an empty optional tag, a value that needs
// escaping.
func sample() []result.Result {
	return []result.Result{
		{Time: t0, Measurement: "ping", Tags: map[string]string{"target": "198.18.0.1", "line": "L-0001", "customer": "ACME Corp", "site": ""},
			Fields: map[string]float64{"sent": 5, "recv": 4, "loss_pct": 20, "rtt_avg_ms": 1.25, "rtt_min_ms": 1, "rtt_max_ms": 2, "jitter_ms": 0.5}},
		{Time: t0, Measurement: "dial", Tags: map[string]string{"target": "198.18.0.2:443", "kind": "tls"},
			Fields: map[string]float64{"ok": 0, "connect_ms": 3.5}, Error: "timeout"},
		{Time: t0, Measurement: "http", Tags: map[string]string{"target": "http://198.18.0.3/a=b,c"},
			Fields: map[string]float64{"ok": 1, "status": 200, "bytes": 1024, "total_ms": 12.5}},
		{Time: t0, Measurement: "snmp_if", Tags: map[string]string{"device": "pe1", "ifindex": "3", "ifname": "ge-0/0/3"},
			Fields: map[string]float64{"oper_up": 1, "admin_up": 1, "in_errors": 0, "in_bps": 1e9}},
		{Time: t0, Measurement: "snmp", Tags: map[string]string{"device": "hotspot-7", "metric": "rsrp"},
			Fields: map[string]float64{"value": -97.5}},
		{Time: t0, Measurement: "dial", Tags: map[string]string{"target": "x:1", "kind": "tcp"}, Error: "refused"},
	}
}

func TestEncodeGolden(t *testing.T) {
	var b Batch
	for i, r := range sample() {
		if err := b.Add("cpe-0001", &r); err != nil {
			t.Fatalf("result %d: %v", i, err)
		}
	}
	got := b.lines(0, b.Len())
	path := filepath.Join("testdata", "points.golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("line protocol differs from %s (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
	if string(b.Line(4)) != "snmp,agent=cpe-0001,device=hotspot-7,metric=rsrp value=-97.5 1795420800123456789" {
		t.Errorf("Line(4) = %q", b.Line(4))
	}
}

// A result line protocol cannot carry is refused alone; the batch keeps the
// points before it and goes on encoding after it.
func TestEncodeRefusesOneAndContinues(t *testing.T) {
	var b Batch
	good := sample()[4]
	bad := good
	bad.Tags = map[string]string{"device": `trailing\`, "metric": "m"}
	none := good
	none.Fields = map[string]float64{"colour": 1}
	for _, c := range []struct {
		r    result.Result
		fail bool
	}{{good, false}, {bad, true}, {none, true}, {good, false}} {
		err := b.Add("a", &c.r)
		if (err != nil) != c.fail {
			t.Fatalf("Add(%v) = %v, want failure %v", c.r.Tags, err, c.fail)
		}
	}
	if b.Len() != 2 || !bytes.Equal(b.Line(0), b.Line(1)) {
		t.Fatalf("batch after refusals: %q", b.lines(0, b.Len()))
	}
	b.Reset()
	if b.Len() != 0 || len(b.enc.Bytes()) != 0 {
		t.Fatal("Reset left points behind")
	}
}

func BenchmarkEncode(b *testing.B) {
	rs := sample()
	var batch Batch
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if batch.Len() >= 5000 {
			batch.Reset()
		}
		_ = batch.Add("cpe-0001", &rs[i%len(rs)])
	}
}
