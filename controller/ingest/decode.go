package ingest

import (
	"encoding/json"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vantage-net/vantage/probes/result"
)

// decode is result.Decode with a fast path for the exact form agents send,
// result.Encode's compact JSON. encoding/json with DisallowUnknownFields
// costs about 7 µs per result, more than InfluxDB's own work per point,
// and on the small boxes the controller runs on both compete for the same
// cores (bench/ingest). The fast path parses only that canonical form:
// keys in struct order, exact names, no whitespace. Anything else (other
// key order or case, unknown keys, null, odd numbers, trailing data,
// oversize) goes to result.Decode, which stays the one definition of what
// a valid message is and the source of every decode error; the fast path
// never refuses a message itself. decode_test.go checks both agree.
func decode(data []byte) (*result.Batch, error) {
	if len(data) <= result.MaxBatchBytes*2 {
		p := parser{data: data, names: knownNames()}
		if b, ok := p.batch(); ok {
			return b, nil
		}
	}
	return result.Decode(data)
}

// parser reads the canonical form; every method reports false at the
// first byte it does not expect.
type parser struct {
	data []byte
	i    int
	// names are the schema's measurement, tag and field names (knownNames):
	// keys are looked up here, values never (a line id is not a key).
	names map[string]string
	// probe is the last probe name read: a batch repeats a few.
	probe string
}

func (p *parser) lit(s string) bool {
	if len(p.data)-p.i < len(s) || string(p.data[p.i:p.i+len(s)]) != s {
		return false
	}
	p.i += len(s)
	return true
}

func (p *parser) peek(c byte) bool { return p.i < len(p.data) && p.data[p.i] == c }

func (p *parser) batch() (*result.Batch, bool) {
	b := &result.Batch{}
	var ok bool
	if !p.lit(`{"agent":`) {
		return nil, false
	}
	if b.Agent, ok = p.str(); !ok || !p.lit(`,"results":[`) {
		return nil, false
	}
	b.Results = []result.Result{}
	for !p.peek(']') {
		if len(b.Results) > 0 && !p.lit(",") {
			return nil, false
		}
		b.Results = append(b.Results, result.Result{})
		if !p.result(&b.Results[len(b.Results)-1]) {
			return nil, false
		}
	}
	return b, p.lit("]}") && p.i == len(p.data)
}

// result reads one Result, its keys in the order and with the omissions
// of its json tags.
func (p *parser) result(r *result.Result) bool {
	if !p.lit(`{"t":`) || !p.time(&r.Time) || !p.lit(`,"m":`) {
		return false
	}
	var ok bool
	if r.Measurement, ok = p.key(); !ok {
		return false
	}
	if p.lit(`,"p":`) {
		if r.Probe, ok = p.probeName(); !ok {
			return false
		}
	}
	if p.lit(`,"tags":{`) {
		if r.Tags, ok = p.tags(); !ok {
			return false
		}
	}
	if p.lit(`,"f":{`) {
		if r.Fields, ok = p.fields(); !ok {
			return false
		}
	}
	if p.lit(`,"err":`) {
		if r.Error, ok = p.str(); !ok {
			return false
		}
	}
	if p.lit(`,"s":{`) {
		if r.Text, ok = p.tags(); !ok {
			return false
		}
	}
	if p.lit(`,"detail":`) {
		if r.Detail, ok = p.str(); !ok {
			return false
		}
	}
	return p.lit("}")
}

func (p *parser) tags() (map[string]string, bool) {
	m := make(map[string]string, 4)
	for !p.lit("}") {
		if len(m) > 0 && !p.lit(",") {
			return nil, false
		}
		k, ok := p.key()
		if !ok || !p.lit(":") {
			return nil, false
		}
		if m[k], ok = p.str(); !ok {
			return nil, false
		}
	}
	return m, true
}

func (p *parser) fields() (map[string]float64, bool) {
	m := make(map[string]float64, 8)
	for !p.lit("}") {
		if len(m) > 0 && !p.lit(",") {
			return nil, false
		}
		k, ok := p.key()
		if !ok || !p.lit(":") {
			return nil, false
		}
		if m[k], ok = p.number(); !ok {
			return nil, false
		}
	}
	return m, true
}

// str reads a JSON string. Plain ASCII is the common case and is copied
// as is; escapes and other bytes go through encoding/json for its exact
// rules (\u escapes, surrogates, invalid UTF-8 replaced by U+FFFD).
func (p *parser) str() (string, bool) {
	start, plain, ok := p.scanStr()
	switch {
	case !ok:
		return "", false
	case plain:
		return string(p.data[start+1 : p.i-1]), true
	}
	var s string
	if json.Unmarshal(p.data[start:p.i], &s) != nil {
		return "", false
	}
	return s, true
}

// key reads a string that names a measurement, tag or field: the schema's
// own string for a known name, so the keys repeated in every result cost
// no allocation (a map lookup by []byte does not allocate either).
func (p *parser) key() (string, bool) {
	start, plain, ok := p.scanStr()
	if ok && plain {
		if s, known := p.names[string(p.data[start+1:p.i-1])]; known {
			return s, true
		}
	}
	p.i = start
	return p.str()
}

// probeName reads a probe name, reusing the previous result's when equal.
func (p *parser) probeName() (string, bool) {
	start, plain, ok := p.scanStr()
	if ok && plain && string(p.data[start+1:p.i-1]) == p.probe {
		return p.probe, true
	}
	p.i = start
	s, ok := p.str()
	p.probe = s
	return s, ok
}

// scanStr moves past a JSON string and returns where it started (its
// opening quote) and whether it is plain ASCII without escapes.
func (p *parser) scanStr() (start int, plain, ok bool) {
	if !p.peek('"') {
		return 0, false, false
	}
	start = p.i
	plain = true
	d := p.data
	for p.i++; p.i < len(d); p.i++ {
		c := d[p.i]
		if strClass[c] == 0 {
			continue // the common byte, looked up once
		}
		switch {
		case c == '"':
			p.i++
			return start, plain, true
		case c == '\\':
			plain = false
			p.i++ // the escaped byte cannot end the string
		case c < 0x20:
			return 0, false, false
		default: // c >= utf8.RuneSelf
			plain = false
		}
	}
	return 0, false, false
}

// strClass is 1 for the bytes scanStr must look at: the quote, the
// backslash, control bytes and those above ASCII.
var strClass = func() (t [256]byte) {
	for c := range 256 {
		if c == '"' || c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			t[c] = 1
		}
	}
	return t
}()

// number reads a JSON number with JSON's grammar (strconv alone would also
// take "inf", hex or underscores) and converts it as encoding/json does.
func (p *parser) number() (float64, bool) {
	start := p.i
	digits := func() bool {
		n := p.i
		for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
			p.i++
		}
		return p.i > n
	}
	p.lit("-")
	if !p.lit("0") && !digits() {
		return 0, false
	}
	if p.lit(".") && !digits() {
		return 0, false
	}
	if p.lit("e") || p.lit("E") {
		_ = p.lit("+") || p.lit("-")
		if !digits() {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(string(p.data[start:p.i]), 64)
	return f, err == nil
}

// time reads a timestamp with time.Time's own JSON rules. One with
// escapes or other than ASCII is left to the slow path, which unescapes
// before time.Time parses.
func (p *parser) time(t *time.Time) bool {
	start, plain, ok := p.scanStr()
	return ok && plain && t.UnmarshalJSON(p.data[start:p.i]) == nil
}

var knownNames = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for name, s := range result.Schemas {
		m[name] = name
		for _, k := range s.Tags {
			m[k] = k
		}
		for k := range s.Fields {
			m[k] = k
		}
	}
	return m
})
