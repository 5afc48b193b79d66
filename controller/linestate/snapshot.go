package linestate

import (
	"bytes"
	"encoding/gob"
	"fmt"
)

// snapshotMagic starts every snapshot; the byte after it is the format
// version. A controller refuses a snapshot of a version it does not know
// and rebuilds from durable storage instead of guessing.
const (
	snapshotMagic   = "vantage-linestate"
	snapshotVersion = 2
)

// The snapshot is gob: at 50,000 lines with a 15-minute buffer each it is
// hundreds of megabytes, where JSON would be several times larger and
// slower. Everything the detector decides from is in it (buffers, both
// counters of time, the sealed machines), so a restored detector produces
// exactly the events the original would have. Profiles are not: they are
// configuration, and the controller passes its current ones to New.
//
// Version 1 once held one MaxEvent for all sources; it now holds Clocks,
// the newest event time per source. Gob skips fields the reader does not
// know and zeroes those the data lacks, so both directions still decode:
// a missing clock only means the line seals by the controller's clock
// (Now), which is what a running controller does anyway.
//
// Version 2 judges each source on its own (agree.go): a source's failure
// count is no longer reset by another source's answer, and recovery is
// counted per source. The layout is version 1's with fields added, so
// Restore reads both; a version-1 machine is converted by fromV1.
type snapshotV1 struct {
	Now    int64
	Clocks []sourceClock
	Stats  Stats
	Lines  []lineV1
}

// sourceClock is one source's newest accepted event time (Detector.clocks).
type sourceClock struct {
	Source string
	Newest int64
}

type lineV1 struct {
	Name, Profile string
	Srcs          []srcKey
	Pending       []pend
	SealedTo      int64
	Sealed        machine
	// Late is the line's late evidence notes (live.go); a snapshot
	// without them restores none, which only makes a revision's reason
	// less precise.
	Late []lateNote
}

// Snapshot serialises the detector's state.
func (d *Detector) Snapshot() ([]byte, error) {
	v, err := d.View()
	if err != nil {
		return nil, err
	}
	defer v.Release()
	return v.Encode()
}

// Restore replaces the detector's state with a snapshot. Lines whose
// profile no longer exists fall back to the default thresholds (the error
// names them, but the state is restored). Provisional views are rebuilt
// from the sealed ones without emitting transitions.
func (d *Detector) Restore(data []byte) error {
	if len(data) <= len(snapshotMagic) || string(data[:len(snapshotMagic)]) != snapshotMagic {
		return fmt.Errorf("linestate restore: not a line-state snapshot")
	}
	v := data[len(snapshotMagic)]
	if v != 1 && v != snapshotVersion {
		return fmt.Errorf("linestate restore: snapshot version %d, this build reads 1 and %d", v, snapshotVersion)
	}
	var s snapshotV1
	if err := gob.NewDecoder(bytes.NewReader(data[len(snapshotMagic)+1:])).Decode(&s); err != nil {
		return fmt.Errorf("linestate restore: %w", err)
	}
	d.now, d.stats, d.newest = s.Now, s.Stats, 0
	d.clocks = make([]int64, 0, len(s.Clocks))
	d.clockIdx = make(map[string]int32, len(s.Clocks))
	for _, c := range s.Clocks {
		i := d.clockSlot(c.Source)
		d.clocks[i] = max(d.clocks[i], c.Newest)
		d.newest = max(d.newest, c.Newest)
	}
	d.lines = make([]*line, 0, len(s.Lines))
	d.index = make(map[string]int32, len(s.Lines))
	var missing []string
	for _, ls := range s.Lines {
		p, ok := d.profileParams(ls.Profile)
		if !ok {
			missing = append(missing, ls.Name)
			p = d.def
		}
		l := &line{name: ls.Name, profile: ls.Profile, params: p, srcs: ls.Srcs,
			pending: ls.Pending, sealedTo: ls.SealedTo, sealed: ls.Sealed, late: ls.Late}
		if v == 1 {
			l.sealed.fromV1(p)
		}
		for i := range l.srcs {
			l.srcs[i].key = l.srcs[i].Agent + "\x00" + l.srcs[i].Probe
			l.srcs[i].clk = d.clockSlot(l.srcs[i].Agent)
		}
		l.rebuild(d.now, nil)
		l.liveOpen = l.openOutage() // a consumer resynchronises from Live
		d.index[l.name] = int32(len(d.lines))
		d.lines = append(d.lines, l)
	}
	if len(missing) > 0 {
		return fmt.Errorf("linestate restore: %d lines had an unknown profile and use the default (first: %s)", len(missing), missing[0])
	}
	return nil
}

// fromV1 converts a sealed machine of a version-1 snapshot, which kept one
// recovery count for the whole line and reset every source's failures on
// any answer. Failure counts carry over as they are (never more than the
// source's own). The line's answered rounds in an open outage came from
// the sources heard since the first of them: one source heard gets them
// all; of several, each is given one (which of them answered twice is
// lost, so recovery may take one round more than it would have). A run
// that had reached MinFlapRounds is agreed, as version 1 counted it. A
// source's latest round is taken to be its latest evidence.
func (m *machine) fromV1(p *Params) {
	maxFails := 0
	for i := range m.Srcs {
		s := &m.Srcs[i]
		if s.Round == 0 {
			s.Round = s.Last
		}
		maxFails = max(maxFails, int(s.Fails))
	}
	m.Agreed = m.RunStart != 0 && maxFails >= p.MinFlapRounds
	if m.InOutage && m.OKRun > 0 {
		var heard []int
		for i := range m.Srcs {
			if m.Srcs[i].Last >= m.OKStart {
				heard = append(heard, i)
			}
		}
		for _, i := range heard {
			n := 1
			if len(heard) == 1 {
				n = m.OKRun
			}
			m.Srcs[i].OKs, m.Srcs[i].OKStart = uint16(min(n, 65535)), m.OKStart
		}
	}
	m.OKRun, m.OKStart = 0, 0
}
