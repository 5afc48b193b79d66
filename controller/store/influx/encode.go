package influx

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vantage-net/vantage/probes/result"
)

// AgentTag is the tag every point of an agent's result carries. Its value
// comes from the NATS subject the batch arrived on, never from the payload.
const AgentTag = "agent"

// ErrorField is the string field that holds a failed round's error class.
const ErrorField = "error"

// Batch is a set of encoded points for one Write call. The zero value is
// ready to use; Reset makes it reusable without reallocating its buffer.
//
// Points are appended straight into one buffer rather than through
// lineprotocol.Encoder: the measurement, tag keys and field keys come
// from result.Schemas and are escaped once per layout, so per point only
// tag values are checked and escaped. That halves the encoding cost, which
// the ingest pays on the same two cores as InfluxDB (bench/ingest); the
// bytes are the same as the encoder's (testdata/points.golden).
type Batch struct {
	buf  []byte
	ends []int // ends[i] is the offset just past point i's newline
}

// Len returns the number of points in the batch.
func (b *Batch) Len() int { return len(b.ends) }

// Reset empties the batch and keeps its memory.
func (b *Batch) Reset() {
	b.buf = b.buf[:0]
	b.ends = b.ends[:0]
}

// Line returns point i as line protocol, without its newline.
func (b *Batch) Line(i int) []byte {
	l := b.lines(i, i+1)
	return l[:len(l)-1]
}

// AddLine appends one point already encoded as line protocol (what Line
// returned for it), for points that waited in a queue between encoding and
// writing. line must be one point without its newline.
func (b *Batch) AddLine(line []byte) {
	b.buf = append(append(b.buf, line...), '\n')
	b.ends = append(b.ends, len(b.buf))
}

// AddLines appends points already encoded as line protocol, each ending
// in a newline, as the ingest's single pass writes them. They must be
// what Add writes for the same results (the ingest's tests compare).
func (b *Batch) AddLines(lp []byte) {
	i := len(b.buf)
	b.buf = append(b.buf, lp...)
	for i < len(b.buf) {
		n := bytes.IndexByte(b.buf[i:], '\n')
		if n < 0 {
			n = len(b.buf) - i - 1 // a last point without its newline
			b.buf = append(b.buf, '\n')
		}
		i += n + 1
		b.ends = append(b.ends, i)
	}
}

// lines returns points [lo, hi) as newline-terminated line protocol.
func (b *Batch) lines(lo, hi int) []byte {
	start := 0
	if lo > 0 {
		start = b.ends[lo-1]
	}
	return b.buf[start:b.ends[hi-1]]
}

// Add encodes one result of agent as a point. The result must have passed
// result.Batch.Validate: Add writes only the tags and fields its schema
// lists, typed as the schema says, and refuses only what line protocol
// cannot carry. On error the batch is unchanged.
func (b *Batch) Add(agent string, r *result.Result) error {
	l, ok := layouts()[r.Measurement]
	if !ok {
		return fmt.Errorf("unknown measurement %q", r.Measurement)
	}
	start := len(b.buf)
	buf := append(b.buf, l.measurement...)
	for _, k := range l.tags {
		v := r.Tags[k.key]
		if k.key == AgentTag {
			v = agent
		}
		// An empty tag value cannot be written; InfluxDB treats a missing
		// tag as empty, so leaving it out means the same.
		if v == "" {
			continue
		}
		if !validTagValue(v) {
			return b.fail(buf, start, fmt.Errorf("invalid tag value %s=%q", k.key, v))
		}
		buf = append(buf, ',')
		buf = append(buf, k.escaped...)
		buf = append(buf, '=')
		buf = appendEscaped(buf, v, tagValueEscapes)
	}
	sep := byte(' ')
	for _, f := range l.fields {
		v, ok := r.Fields[f.key]
		if !ok {
			continue
		}
		if f.kind == result.Float && (math.IsNaN(v) || math.IsInf(v, 0)) {
			return b.fail(buf, start, fmt.Errorf("field %s: %v is not a finite number", f.key, v))
		}
		buf = append(buf, sep)
		sep = ','
		buf = append(buf, f.escaped...)
		buf = append(buf, '=')
		switch f.kind {
		case result.Int:
			buf = append(strconv.AppendInt(buf, int64(v), 10), 'i')
		case result.Bool:
			buf = strconv.AppendBool(buf, v != 0)
		default:
			buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
		}
	}
	for _, f := range l.strings {
		v, ok := r.Text[f.key]
		if !ok {
			continue
		}
		if !utf8.ValidString(v) {
			return b.fail(buf, start, fmt.Errorf("string field %s is not valid UTF-8", f.key))
		}
		buf = append(buf, sep)
		sep = ','
		buf = append(buf, f.escaped...)
		buf = append(buf, `="`...)
		buf = appendEscaped(buf, v, stringFieldEscapes)
		buf = append(buf, '"')
	}
	if r.Error != "" {
		if !utf8.ValidString(r.Error) {
			return b.fail(buf, start, fmt.Errorf("error class %q is not valid UTF-8", r.Error))
		}
		buf = append(buf, sep)
		sep = ','
		buf = append(buf, ErrorField+`="`...)
		buf = appendEscaped(buf, r.Error, stringFieldEscapes)
		buf = append(buf, '"')
	}
	if sep == ' ' {
		return b.fail(buf, start, fmt.Errorf("result has no fields known to measurement %q", r.Measurement))
	}
	// A zero time is sent without a timestamp (the server's clock), as
	// the line-protocol encoder does; validated results never have one.
	if !r.Time.IsZero() {
		if r.Time.Before(minTime) || r.Time.After(maxTime) {
			return b.fail(buf, start, fmt.Errorf("timestamp %s out of range", r.Time.Format(time.RFC3339)))
		}
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, r.Time.UnixNano(), 10)
	}
	b.buf = append(buf, '\n')
	b.ends = append(b.ends, len(b.buf))
	return nil
}

// fail drops the partly encoded line, keeping the (maybe grown) buffer.
func (b *Batch) fail(buf []byte, start int, err error) error {
	b.buf = buf[:start]
	return err
}

// layout is a measurement's tag keys (with "agent") and field keys in
// lexical order, so encoding needs no sorting and is deterministic.
type layout struct {
	measurement string // escaped
	tags        []keyLayout
	fields      []keyLayout
	strings     []keyLayout
}

type keyLayout struct {
	key, escaped string
	kind         result.Kind // fields only
}

// layouts is built on first use from result.Schemas, the one list of
// measurements both agent and controller check against.
var layouts = sync.OnceValue(func() map[string]layout {
	m := make(map[string]layout, len(result.Schemas))
	for name, s := range result.Schemas {
		l := layout{measurement: escape(name, measurementEscapes)}
		for _, k := range append([]string{AgentTag}, s.Tags...) {
			l.tags = append(l.tags, keyLayout{key: k, escaped: escape(k, keyEscapes)})
		}
		for k, kind := range s.Fields {
			l.fields = append(l.fields, keyLayout{key: k, escaped: escape(k, keyEscapes), kind: kind})
		}
		for _, k := range s.Strings {
			l.strings = append(l.strings, keyLayout{key: k, escaped: escape(k, keyEscapes)})
		}
		for _, ks := range [][]keyLayout{l.tags, l.fields, l.strings} {
			slices.SortFunc(ks, func(a, b keyLayout) int {
				switch {
				case a.key < b.key:
					return -1
				case a.key > b.key:
					return 1
				}
				return 0
			})
		}
		m[name] = l
	}
	return m
})
