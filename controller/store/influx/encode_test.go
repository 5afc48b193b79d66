package influx

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/influxdata/line-protocol/v2/lineprotocol"

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
	if b.Len() != 0 || len(b.buf) != 0 {
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

// The hand-written encoder must write what github.com/influxdata/line-protocol
// writes, including escapes, and refuse what it refuses.
func TestEncodeMatchesLineProtocol(t *testing.T) {
	values := []string{"plain", "a b", "a,b=c", `back\slash`, "ünïcode", "tab\there", "trailing\\", "del\x7f", "bad\xff"}
	for _, v := range values {
		r := result.Result{Time: t0, Measurement: "dial", Tags: map[string]string{"target": v, "kind": "tcp"},
			Fields: map[string]float64{"ok": 1, "connect_ms": 1e-7, "dns_ms": 12345678912}, Error: `say "` + v + `"` + "\n"}
		var b Batch
		err := b.Add("cpe-1", &r)

		var e lineprotocol.Encoder
		e.SetPrecision(lineprotocol.Nanosecond)
		e.StartLine("dial")
		e.AddTag("agent", "cpe-1")
		e.AddTag("kind", "tcp")
		e.AddTag("target", v)
		e.AddField("connect_ms", lineprotocol.MustNewValue(1e-7))
		e.AddField("dns_ms", lineprotocol.MustNewValue(12345678912.0))
		e.AddField("ok", lineprotocol.BoolValue(true))
		if sv, ok := lineprotocol.StringValue(r.Error); ok {
			e.AddField("error", sv) // after the schema's fields, as Add writes it
		}
		e.EndLine(t0)
		want, wantErr := e.Bytes(), e.Err()

		if (err != nil) != (wantErr != nil) {
			t.Errorf("tag value %q: error %v, line-protocol says %v", v, err, wantErr)
			continue
		}
		if err == nil && !bytes.Equal(b.lines(0, 1), want) {
			t.Errorf("tag value %q:\ngot  %s\nwant %s", v, b.lines(0, 1), want)
		}
	}
}

// The agent point's version is a string field, escaped as line protocol
// wants it.
func TestEncodeStringField(t *testing.T) {
	for _, v := range []string{"1.2.3", `v"2\beta`, "bad\xff"} {
		r := result.Result{Time: t0, Measurement: "agent", Tags: map[string]string{"site": "S1"},
			Fields: map[string]float64{"up": 1}, Text: map[string]string{"version": v}}
		var b Batch
		err := b.Add("cpe-1", &r)
		var e lineprotocol.Encoder
		e.SetPrecision(lineprotocol.Nanosecond)
		e.StartLine("agent")
		e.AddTag("agent", "cpe-1")
		e.AddTag("site", "S1")
		e.AddField("up", lineprotocol.IntValue(1))
		sv, valid := lineprotocol.StringValue(v) // false: not UTF-8, which Add must refuse
		if valid {
			e.AddField("version", sv)
		}
		e.EndLine(t0)
		want, wantErr := e.Bytes(), e.Err()
		if (err != nil) != (wantErr != nil || !valid) {
			t.Errorf("version %q: error %v, line-protocol says %v", v, err, wantErr)
			continue
		}
		if err == nil && !bytes.Equal(b.lines(0, 1), want) {
			t.Errorf("version %q:\ngot  %s\nwant %s", v, b.lines(0, 1), want)
		}
	}
}

// AddLines takes points already encoded (the ingest's single pass) and
// indexes them as Add would have: same points, same lines.
func TestAddLinesIndexesLikeAdd(t *testing.T) {
	var added, copied Batch
	copied.AddLine([]byte("x v=1i 1")) // a point before, so offsets are relative
	added.AddLine([]byte("x v=1i 1"))
	for _, r := range sample() {
		if err := added.Add("cpe-1", &r); err != nil {
			t.Fatal(err)
		}
	}
	copied.AddLines(added.lines(1, added.Len()))
	if copied.Len() != added.Len() || string(copied.lines(0, copied.Len())) != string(added.lines(0, added.Len())) {
		t.Fatalf("AddLines: %d points\n%s\nAdd: %d points\n%s", copied.Len(), copied.lines(0, copied.Len()), added.Len(), added.lines(0, added.Len()))
	}
	for i := range added.Len() {
		if string(copied.Line(i)) != string(added.Line(i)) {
			t.Errorf("point %d: %q, want %q", i, copied.Line(i), added.Line(i))
		}
	}
}
