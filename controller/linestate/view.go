package linestate

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
)

// View is the detector's state at one instant, for a snapshot serialised
// without holding the caller's lock: at 50,000 lines gob-encoding the
// reorder buffers takes seconds, and the ingest stood still while the
// Monitor held its locks for it (issue 16). View copies what the detector
// changes in place (sources, late notes, the sealed machine: a few entries
// per line) and shares the reorder buffers, which the detector only
// appends to and re-slices, except when it inserts out of order: that
// insert copies a shared buffer first (line.insert). So taking a view is
// quick and does not double the buffers' memory.
//
// The caller takes the view and calls Release under the lock that guards
// the detector; Encode may run without it, alongside Add and Advance.
type View struct {
	d     *Detector
	s     snapshotV1
	lines []*line
}

// View captures the detector's state. One view may be open at a time.
func (d *Detector) View() (*View, error) {
	if d.viewOpen {
		return nil, errors.New("linestate snapshot: a view is already open")
	}
	d.viewOpen = true
	v := &View{d: d, lines: append([]*line(nil), d.lines...),
		s: snapshotV1{Now: d.now, Stats: d.stats, Lines: make([]lineV1, len(d.lines)), Clocks: make([]sourceClock, len(d.clocks))}}
	for name, i := range d.clockIdx {
		v.s.Clocks[i] = sourceClock{Source: name, Newest: d.clocks[i]}
	}
	for i, l := range d.lines {
		l.shared = true
		v.s.Lines[i] = lineV1{Name: l.name, Profile: l.profile, Srcs: append([]srcKey(nil), l.srcs...),
			Pending: l.pending[:len(l.pending):len(l.pending)], SealedTo: l.sealedTo, Sealed: l.sealed.clone(),
			Late: append([]lateNote(nil), l.late...)}
	}
	return v, nil
}

// Encode serialises the view; it does not touch the detector.
func (v *View) Encode() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(snapshotMagic)
	b.WriteByte(snapshotVersion)
	if err := gob.NewEncoder(&b).Encode(&v.s); err != nil {
		return nil, fmt.Errorf("linestate snapshot: %w", err)
	}
	return b.Bytes(), nil
}

// Release ends the view: the detector may shift its buffers in place
// again. Call it under the detector's lock, after Encode.
func (v *View) Release() {
	if v.d == nil {
		return
	}
	for _, l := range v.lines {
		l.shared = false
	}
	v.d.viewOpen = false
	v.d, v.lines, v.s = nil, nil, snapshotV1{}
}
