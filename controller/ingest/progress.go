package ingest

import (
	"sync"
	"time"
)

// progress reports to Options.Progress how far the Sinks got in the
// stream, in pull order although several writers feed pulls at once: a
// pull's messages are reported only once every earlier pull was fed, so
// "every message that reached the stream up to arrived was fed" holds
// (line health's ArrivalClock, controller/linehealth/arrival.go).
type progress struct {
	report func(arrived time.Time, caughtUp bool)

	mu       sync.Mutex
	next     uint64          // sequence of the next pull
	reported uint64          // pulls before this one are reported
	fed      map[uint64]mark // pulls fed but waiting for an earlier one
	newest   time.Time       // newest arrival reported (never goes back)
}

// mark is where a pull leaves the consumer: the arrival time of its last
// message and whether none waited after it.
type mark struct {
	at       time.Time
	caughtUp bool
}

// pulled numbers a pull; every pulled sequence must be fed once.
func (p *progress) pulled() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next++
	return p.next - 1
}

// done records that pull seq was fed (or had nothing to feed) and reports
// the furthest point up to which every pull was.
func (p *progress) done(seq uint64, m mark) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fed == nil {
		p.fed = map[uint64]mark{}
	}
	p.fed[seq] = m
	var last mark
	advanced := false
	for {
		m, ok := p.fed[p.reported]
		if !ok {
			break
		}
		delete(p.fed, p.reported)
		p.reported++
		last, advanced = m, true
		// A redelivered message is older than what came before it; the
		// point reached does not go back for it.
		if m.at.After(p.newest) {
			p.newest = m.at
		}
	}
	if advanced {
		p.report(p.newest, last.caughtUp)
	}
}
