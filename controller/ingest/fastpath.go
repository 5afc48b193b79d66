package ingest

import (
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/probes/result"
)

// The single pass. Decoding a message into result.Batch, then
// Batch.Validate, then influx.Batch.Add read every result three times and
// cost about 2 µs a result, most of the ingest's CPU beside InfluxDB's on
// the same cores (bench/ingest). fast reads the agents' canonical JSON
// (result.Encode's: keys in struct order, map keys sorted, no whitespace)
// once, checks each value as Validate does and writes its line protocol
// as it goes, while filling the Results the Sinks read with maps and a
// backing array the unit reuses from pull to pull (arena), so the hot path
// allocates little more than the tag values.
//
// It only ever accepts: a message whose every result is valid and
// encodable, in the form it knows. Anything else — another key order, an
// escape, a number in exponent form or with more than 15 digits, a value
// out of range, a time in the future, a field the schema lacks, a
// controller-only measurement — makes it give up, and the reference path
// (decode, Validate, influx.Batch.Add) handles the message as before, with
// its error texts, reasons and dead letters. fastpath_test.go checks, on
// generated and fuzzed messages, that whatever fast accepts the reference
// path accepts too, with the same Results and byte-identical line protocol.

// fastSpec is one agent measurement's schema laid out for the single pass:
// tag and field keys in lexical order, the order both result.Encode (map
// keys sorted) and the line-protocol encoder (influx layouts) use.
type fastSpec struct {
	name     string
	tags     []string // sorted; "agent" is not among them
	required uint16   // bit i: tags[i] is required
	fields   []fastField
	notAbove [][2]int // indexes into fields
}

type fastField struct {
	key      string
	kind     result.Kind
	min, max float64
}

// fastSpecs has a spec for each measurement agents may send whose names
// need no line-protocol escaping (all of them; one that did would simply
// stay on the reference path).
var fastSpecs = sync.OnceValue(func() map[string]*fastSpec {
	plain := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
				return false
			}
		}
		return s != "" && s != influx.AgentTag
	}
	// result() keeps at most 16 tag values and 16 field values of a result.
	out := map[string]*fastSpec{}
next:
	for name, s := range result.Schemas {
		if !s.FromAgents || !plain(name) || len(s.Tags) > 16 || len(s.Fields) > 16 {
			continue
		}
		sp := &fastSpec{name: name, tags: slices.Sorted(slices.Values(s.Tags))}
		for i, k := range sp.tags {
			if !plain(k) {
				continue next
			}
			if slices.Contains(s.Required, k) {
				sp.required |= 1 << i
			}
		}
		for k, kind := range s.Fields {
			r, ok := s.Ranges[k]
			if !plain(k) || k == influx.ErrorField || !ok {
				continue next
			}
			sp.fields = append(sp.fields, fastField{k, kind, r.Min, r.Max})
		}
		slices.SortFunc(sp.fields, func(a, b fastField) int {
			switch {
			case a.key < b.key:
				return -1
			case a.key > b.key:
				return 1
			}
			return 0
		})
		for _, p := range s.NotAbove {
			a := slices.IndexFunc(sp.fields, func(f fastField) bool { return f.key == p[0] })
			b := slices.IndexFunc(sp.fields, func(f fastField) bool { return f.key == p[1] })
			if a < 0 || b < 0 {
				continue next
			}
			sp.notAbove = append(sp.notAbove, [2]int{a, b})
		}
		out[name] = sp
	}
	return out
})

// arena is the memory a unit's fast-path messages live in, kept across
// pulls: the Results, their maps and their line protocol. reset makes it
// reusable once nothing refers to the unit's messages any more.
type arena struct {
	results []result.Result
	tags    []map[string]string
	fields  []map[string]float64
	nTags   int
	nFields int
	lp      []byte
}

func (a *arena) reset() {
	clear(a.results) // drop the strings they held
	a.results = a.results[:0]
	a.nTags, a.nFields = 0, 0
	a.lp = a.lp[:0]
}

func (a *arena) tagMap() map[string]string {
	if a.nTags == len(a.tags) {
		a.tags = append(a.tags, make(map[string]string, 8))
	}
	m := a.tags[a.nTags]
	a.nTags++
	clear(m)
	return m
}

func (a *arena) fieldMap() map[string]float64 {
	if a.nFields == len(a.fields) {
		a.fields = append(a.fields, make(map[string]float64, 8))
	}
	m := a.fields[a.nFields]
	a.nFields++
	clear(m)
	return m
}

// fastWindow is result.Window as the single pass compares it.
type fastWindow struct{ future, past time.Time }

func newFastWindow(w result.Window) fastWindow {
	fw := fastWindow{future: w.Now.Add(w.MaxFuture)}
	if w.MaxAge > 0 {
		fw.past = w.Now.Add(-w.MaxAge)
	}
	return fw
}

// The timestamps line protocol can carry (influx's minTime, maxTime).
var (
	lpMinTime = time.Unix(0, math.MinInt64)
	lpMaxTime = time.Unix(0, math.MaxInt64)
)

// fast reads one message of agent in a single pass. On success the batch's
// Results live in a and its points, newline-terminated and in result
// order, are a.lp[lo:hi]. On failure a is as it was and the caller takes
// the reference path.
func fast(a *arena, strs *interner, data []byte, agent string, w fastWindow) (b *result.Batch, lo, hi int, ok bool) {
	if len(data) > result.MaxBatchBytes*2 {
		return nil, 0, 0, false
	}
	f := fastParser{parser: parser{data: data, names: knownNames()}, a: a, strs: strs, agent: agent, w: w}
	r0, t0, f0 := len(a.results), a.nTags, a.nFields
	lo = len(a.lp)
	b, ok = f.batch()
	if !ok {
		a.results = a.results[:r0]
		a.nTags, a.nFields = t0, f0
		a.lp = a.lp[:lo]
		return nil, 0, 0, false
	}
	b.Results = a.results[r0:len(a.results):len(a.results)]
	return b, lo, len(a.lp), true
}

type fastParser struct {
	parser
	a     *arena
	strs  *interner
	agent string
	w     fastWindow
	spec  *fastSpec // the previous result's
	// lastErr is the previous error class read.
	lastErr string
}

func (p *fastParser) batch() (*result.Batch, bool) {
	if !p.lit(`{"agent":`) {
		return nil, false
	}
	start, plain, ok := p.scanStr()
	if !ok || !plain || string(p.data[start+1:p.i-1]) != p.agent || !p.lit(`,"results":[`) || p.peek(']') {
		return nil, false
	}
	for n := 0; !p.peek(']'); n++ {
		if n > 0 && !p.lit(",") {
			return nil, false
		}
		p.a.results = append(p.a.results, result.Result{})
		if !p.result(&p.a.results[len(p.a.results)-1]) {
			return nil, false
		}
	}
	return &result.Batch{Agent: p.agent}, p.lit("]}") && p.i == len(p.data)
}

// result reads, checks and encodes one result; its keys come in the order
// and with the omissions of result.Result's json tags.
func (p *fastParser) result(r *result.Result) bool {
	if !p.lit(`{"t":`) || !p.time(&r.Time) || !p.lit(`,"m":`) {
		return false
	}
	start, plain, ok := p.scanStr()
	if !ok || !plain {
		return false
	}
	if m := p.data[start+1 : p.i-1]; p.spec == nil || string(m) != p.spec.name {
		if p.spec = fastSpecs()[string(m)]; p.spec == nil {
			return false
		}
	}
	sp := p.spec
	r.Measurement = sp.name
	if r.Time.After(p.w.future) || r.Time.Before(p.w.past) || r.Time.Before(lpMinTime) || r.Time.After(lpMaxTime) {
		return false
	}
	if p.lit(`,"p":`) {
		if r.Probe, ok = p.text(); !ok {
			return false
		}
	}
	lp := append(p.a.lp, sp.name...)
	agentDone := false
	var seen uint16
	if p.lit(`,"tags":{`) {
		// The values become substrings of one string per result: one
		// allocation instead of one per value.
		var vals [16]struct {
			key    string
			lo, hi int
		}
		from := p.i
		nv := 0
		next := 0 // tags before it are behind us: keys must increase
		for n := 0; !p.lit("}"); n++ {
			if n > 0 && !p.lit(",") || n == len(vals) {
				return false
			}
			ks, kplain, ok := p.scanStr()
			if !ok || !kplain || !p.lit(":") {
				return false
			}
			key := p.data[ks+1 : p.i-2]
			for next < len(sp.tags) && sp.tags[next] < string(key) {
				next++
			}
			if next == len(sp.tags) || sp.tags[next] != string(key) {
				return false // unknown, repeated or out of order
			}
			k := sp.tags[next]
			vs, vplain, ok := p.scanStr()
			v := p.data[vs+1 : p.i-1]
			if !ok || !vplain || len(v) > 256 || !printableASCII(v) {
				return false
			}
			if !agentDone && k > influx.AgentTag {
				lp = appendAgent(lp, p.agent)
				agentDone = true
			}
			if len(v) > 0 {
				seen |= 1 << next
				lp = append(append(append(lp, ','), k...), '=')
				lp = appendTagValue(lp, v)
			}
			vals[nv].key, vals[nv].lo, vals[nv].hi = k, vs+1-from, p.i-1-from
			nv++
			next++
		}
		r.Tags = p.a.tagMap()
		all := string(p.data[from:p.i])
		for _, v := range vals[:nv] {
			r.Tags[v.key] = all[v.lo:v.hi]
		}
	}
	if seen&sp.required != sp.required {
		return false
	}
	if !agentDone {
		lp = appendAgent(lp, p.agent)
	}
	sep := byte(' ')
	if p.lit(`,"f":{`) {
		r.Fields = p.a.fieldMap()
		var vals [16]float64
		var has uint16
		next := 0
		for n := 0; !p.lit("}"); n++ {
			if n > 0 && !p.lit(",") {
				return false
			}
			ks, kplain, ok := p.scanStr()
			if !ok || !kplain || !p.lit(":") {
				return false
			}
			key := p.data[ks+1 : p.i-2]
			for next < len(sp.fields) && sp.fields[next].key < string(key) {
				next++
			}
			if next == len(sp.fields) || sp.fields[next].key != string(key) {
				return false
			}
			fs := &sp.fields[next]
			ns := p.i
			v, short, ok := p.simpleNumber()
			if !ok {
				// Another form or more digits (a jitter's square root):
				// strconv reads and writes it, as decode and the encoder do.
				p.i = ns
				if v, ok = p.number(); !ok {
					return false
				}
			}
			if v < fs.min || v > fs.max {
				return false
			}
			lp = append(append(append(lp, sep), fs.key...), '=')
			sep = ','
			switch fs.kind {
			case result.Int:
				if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
					return false
				}
				lp = append(strconv.AppendInt(lp, int64(v), 10), 'i')
			case result.Bool:
				switch v {
				case 0:
					lp = append(lp, "false"...)
				case 1:
					lp = append(lp, "true"...)
				default:
					return false
				}
			default:
				if short {
					lp = append(lp, p.data[ns:p.i]...) // what 'g', -1 writes for it
				} else {
					lp = strconv.AppendFloat(lp, v, 'g', -1, 64)
				}
			}
			vals[next], has = v, has|1<<next
			r.Fields[fs.key] = v
			next++
		}
		for _, pr := range sp.notAbove {
			if has&(1<<pr[0]) != 0 && has&(1<<pr[1]) != 0 && vals[pr[0]] > vals[pr[1]] {
				return false
			}
		}
	}
	if p.lit(`,"err":`) {
		es, eplain, ok := p.scanStr()
		e := p.data[es+1 : p.i-1]
		if !ok || !eplain || len(e) == 0 || len(e) > 64 || !printableASCII(e) {
			return false
		}
		r.Error = p.interned(e)
		lp = append(append(lp, sep), influx.ErrorField+`="`...)
		sep = ','
		lp = append(append(lp, e...), '"')
	}
	if sep == ' ' {
		return false // no fields and no error class
	}
	if p.lit(`,"detail":`) {
		if r.Detail, ok = p.text(); !ok {
			return false
		}
	}
	if !p.lit("}") {
		return false // string fields ("s") and anything else: reference path
	}
	lp = append(strconv.AppendInt(append(lp, ' '), r.Time.UnixNano(), 10), '\n')
	p.a.lp = lp
	return true
}

// text reads a string, interned when plain (probe names and details
// repeat), else decoded with encoding/json's rules (parser.str).
func (p *fastParser) text() (string, bool) {
	start, plain, ok := p.scanStr()
	if ok && plain {
		return p.strs.get(p.data[start+1 : p.i-1]), true
	}
	p.i = start
	return p.str()
}

// interned returns s as the previous error class if equal: a batch
// repeats one or two ("timeout").
func (p *fastParser) interned(s []byte) string {
	if string(s) == p.lastErr {
		return p.lastErr
	}
	p.lastErr = string(s)
	return p.lastErr
}

// interner hands out one string per probe name or detail seen lately: a
// fleet has few, and they repeat in every batch. It holds at most
// maxInterned and starts afresh when full (a flood of distinct details
// costs a map, not memory). Not safe for concurrent use: only the pull
// loop uses it. (Tag values are many — every line and target — and
// looking them up cost more than allocating them.)
type interner struct{ m map[string]string }

const maxInterned = 4096

func (in *interner) get(b []byte) string {
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	if in.m == nil || len(in.m) >= maxInterned {
		in.m = make(map[string]string, 1024)
	}
	s := string(b)
	in.m[s] = s
	return s
}

func appendAgent(lp []byte, agent string) []byte {
	// A valid agent id (the subject's, checked before) needs no escaping.
	return append(append(lp, ","+influx.AgentTag+"="...), agent...)
}

// appendTagValue escapes what line protocol needs escaped in a tag value:
// comma, space and equals sign (influx tagValueEscapes).
func appendTagValue(lp, v []byte) []byte {
	for _, c := range v {
		if c == ',' || c == ' ' || c == '=' {
			lp = append(lp, '\\')
		}
		lp = append(lp, c)
	}
	return lp
}

// printableASCII: what Validate's printable check and the line-protocol
// encoder's tag rule both accept, for text scanStr found plain (no escape,
// no byte above 0x7f, no control byte below 0x20).
func printableASCII(s []byte) bool {
	for _, c := range s {
		if c == 0x7f {
			return false
		}
	}
	return true
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// simpleNumber reads a JSON number in the form encoding/json writes a
// float64 between 1e-6 and 1e21: digits, maybe a fraction without
// trailing zeros, no exponent. It accepts at most 15 significant digits
// and reports ok false for anything else (read with strconv then).
// Such a decimal is the shortest that rounds to its float64 (two decimals
// of at most 15 digits never round to the same float64), so its value is
// strconv.ParseFloat's (computed the same exact way: the digits as an
// integer divided by a power of ten, both exact) and short reports whether
// strconv.AppendFloat(v, 'g', -1, 64) writes exactly this text: it does
// when the decimal exponent lies in -4..5, where 'g' chooses %f.
func (p *fastParser) simpleNumber() (v float64, short, ok bool) {
	d := p.data
	i := p.i
	neg := i < len(d) && d[i] == '-'
	if neg {
		i++
	}
	var mant uint64
	sig, lead := 0, 0 // significant digits; leading zeros after the point
	intDigits := 0
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			mant = mant*10 + uint64(d[i]-'0')
			i++
			intDigits++
		}
		sig = intDigits
	default:
		return 0, false, false
	}
	frac := 0
	if i < len(d) && d[i] == '.' {
		i++
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			if mant == 0 && d[i] == '0' {
				lead++
			} else {
				sig++
			}
			mant = mant*10 + uint64(d[i]-'0')
			i++
			frac++
			if sig > 15 || frac > 22 {
				return 0, false, false
			}
		}
		if frac == 0 || d[i-1] == '0' {
			return 0, false, false // "1." or a trailing zero: not encoding/json's
		}
	}
	if sig > 15 || i < len(d) && (d[i] == 'e' || d[i] == 'E' || d[i] >= '0' && d[i] <= '9') {
		return 0, false, false
	}
	if mant == 0 && neg {
		return 0, false, false // -0
	}
	v = float64(mant)
	if frac > 0 {
		v /= pow10[frac]
	}
	if neg {
		v = -v
	}
	// The decimal exponent of the first significant digit.
	exp := intDigits - 1
	if intDigits == 0 {
		exp = -lead - 1
	}
	p.i = i
	return v, mant == 0 || exp >= -4 && exp < 6, true
}

// time reads the timestamp of an agent's result, "2026-11-23T08:00:00.123Z"
// (time.Time's JSON in UTC), into the value time.Time.UnmarshalJSON gives.
// Anything else (an offset, a bad date, more than nine fraction digits)
// is left to the reference path.
func (p *fastParser) time(t *time.Time) bool {
	d := p.data[p.i:]
	if len(d) < 22 || d[0] != '"' || d[5] != '-' || d[8] != '-' || d[11] != 'T' || d[14] != ':' || d[17] != ':' {
		return false
	}
	num := func(s []byte) int {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(d[1:5]), num(d[6:8]), num(d[9:11])
	hour, minute, sec := num(d[12:14]), num(d[15:17]), num(d[18:20])
	if year < 2000 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return false
	}
	i, nsec := 20, 0
	if d[i] == '.' {
		i++
		n := 0
		for ; i < len(d) && d[i] >= '0' && d[i] <= '9'; i++ {
			nsec = nsec*10 + int(d[i]-'0')
			n++
		}
		if n == 0 || n > 9 {
			return false
		}
		for ; n < 9; n++ {
			nsec *= 10
		}
	}
	if len(d) < i+2 || d[i] != 'Z' || d[i+1] != '"' {
		return false
	}
	unix := daysSinceEpoch(year, month, day)*86400 + int64(hour*3600+minute*60+sec)
	*t = time.Unix(unix, int64(nsec)).UTC()
	p.i += i + 2
	return true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysSinceEpoch is the proleptic Gregorian date's day number from
// 1970-01-01 (Howard Hinnant's days_from_civil), for years from 2000.
func daysSinceEpoch(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097 + doe - 719468)
}
