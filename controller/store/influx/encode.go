package influx

import (
	"fmt"
	"slices"
	"sync"

	"github.com/influxdata/line-protocol/v2/lineprotocol"

	"github.com/vantage-net/vantage/probes/result"
)

// AgentTag is the tag every point of an agent's result carries. Its value
// comes from the NATS subject the batch arrived on, never from the payload.
const AgentTag = "agent"

// ErrorField is the string field that holds a failed round's error class.
const ErrorField = "error"

// Batch is a set of encoded points for one Write call. The zero value is
// ready to use; Reset makes it reusable without reallocating its buffer.
type Batch struct {
	enc  lineprotocol.Encoder
	ends []int // ends[i] is the offset just past point i's newline
}

// Len returns the number of points in the batch.
func (b *Batch) Len() int { return len(b.ends) }

// Reset empties the batch and keeps its memory.
func (b *Batch) Reset() {
	b.enc.Reset()
	b.ends = b.ends[:0]
}

// Line returns point i as line protocol, without its newline.
func (b *Batch) Line(i int) []byte {
	l := b.lines(i, i+1)
	return l[:len(l)-1]
}

// lines returns points [lo, hi) as newline-terminated line protocol.
func (b *Batch) lines(lo, hi int) []byte {
	start := 0
	if lo > 0 {
		start = b.ends[lo-1]
	}
	return b.enc.Bytes()[start:b.ends[hi-1]]
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
	e := &b.enc
	e.StartLine(r.Measurement)
	for _, k := range l.tags {
		v := r.Tags[k]
		if k == AgentTag {
			v = agent
		}
		// An empty tag value cannot be written; InfluxDB treats a missing
		// tag as empty, so leaving it out means the same.
		if v != "" {
			e.AddTag(k, v)
		}
	}
	n := 0
	for _, f := range l.fields {
		v, ok := r.Fields[f.key]
		if !ok {
			continue
		}
		switch f.kind {
		case result.Int:
			e.AddField(f.key, lineprotocol.IntValue(int64(v)))
		case result.Bool:
			e.AddField(f.key, lineprotocol.BoolValue(v != 0))
		default:
			fv, ok := lineprotocol.FloatValue(v)
			if !ok {
				return b.fail(fmt.Errorf("field %s: %v is not a finite number", f.key, v))
			}
			e.AddField(f.key, fv)
		}
		n++
	}
	if r.Error != "" {
		sv, ok := lineprotocol.StringValue(r.Error)
		if !ok {
			return b.fail(fmt.Errorf("error class %q is not valid UTF-8", r.Error))
		}
		e.AddField(ErrorField, sv)
		n++
	}
	if n == 0 {
		return b.fail(fmt.Errorf("result has no fields known to measurement %q", r.Measurement))
	}
	e.EndLine(r.Time)
	if err := e.Err(); err != nil {
		return b.fail(err)
	}
	b.ends = append(b.ends, len(e.Bytes()))
	return nil
}

// fail drops the partly encoded line and leaves the encoder ready for the
// next one. The encoder remembers its first error and its position in a
// line, so both are reset by handing it back the good part of its buffer.
func (b *Batch) fail(err error) error {
	end := 0
	if len(b.ends) > 0 {
		end = b.ends[len(b.ends)-1]
	}
	b.enc.SetBuffer(b.enc.Bytes()[:end])
	return err
}

// layout is a measurement's tag keys (with "agent") and field keys in
// lexical order, so encoding needs no sorting and is deterministic.
type layout struct {
	tags   []string
	fields []fieldLayout
}

type fieldLayout struct {
	key  string
	kind result.Kind
}

// layouts is built on first use from result.Schemas, the one list of
// measurements both agent and controller check against.
var layouts = sync.OnceValue(func() map[string]layout {
	m := make(map[string]layout, len(result.Schemas))
	for name, s := range result.Schemas {
		l := layout{tags: append([]string{AgentTag}, s.Tags...)}
		slices.Sort(l.tags)
		for k, kind := range s.Fields {
			l.fields = append(l.fields, fieldLayout{k, kind})
		}
		slices.SortFunc(l.fields, func(a, b fieldLayout) int {
			switch {
			case a.key < b.key:
				return -1
			case a.key > b.key:
				return 1
			}
			return 0
		})
		m[name] = l
	}
	return m
})
