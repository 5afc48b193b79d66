package spool

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vantage-net/vantage/agent/publish"
)

// Spool is a publish.Queue on disk. It is safe for one appender (the
// batcher) and one consumer (the sender) at a time, plus readers of its
// figures.
type Spool struct {
	opt Options
	m   *metrics
	cf  *os.File // the cursor file, rewritten in place

	mu   sync.Mutex
	segs []*segment // oldest first; the last is appended to
	// q[lo:] are the records waiting, oldest first; q[lo] is the head.
	q       []entry
	lo      int
	cur     cursor
	nextSeq uint64
	bytes   int64
	results int
	signal  chan struct{}
	// head caches the decoded head: the sender peeks it again on each
	// retry during an outage, and it need not be read from disk each time.
	head    *publish.Message
	headSeq uint64
	// What the background sync still owes the disk.
	dataDirty, cursorDirty, dirDirty bool
	closed                           bool
	drops                            dropLog
	// notify holds drops to report to Options.Dropped once mu is released:
	// the callback may take the agent's lock, which is held while the
	// agent reads Results.
	notify []dropNote

	stop chan struct{}
	done chan struct{}
}

// entry locates one waiting record.
type entry struct {
	seq     uint64
	seg     *segment
	off     int64
	size    int64
	results int
	created int64 // unix ns when spooled, for the age bound
}

// Open opens or creates the spool in o.Dir and recovers what a previous run
// left: a torn record at the end of the newest segment (a write cut by a
// crash) is cut off, damaged records elsewhere are skipped, and both are
// counted in vantage_agent_spool_damaged_records_total and logged.
func Open(o Options) (*Spool, error) {
	if err := o.setDefaults(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	s := &Spool{opt: o, signal: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	s.m = newMetrics(o.Registerer, s)
	if err := s.recover(); err != nil {
		s.closeFiles()
		return nil, fmt.Errorf("spool %s: %w", o.Dir, err)
	}
	s.mu.Lock()
	s.dropAged(o.Clock.Now())
	s.writeCursor()
	notes := s.takeNotes()
	s.mu.Unlock()
	s.report(notes)
	go s.background()
	return s, nil
}

// recover loads the cursor and indexes every segment.
func (s *Spool) recover() error {
	cpath := filepath.Join(s.opt.Dir, "cursor")
	cur, ok, err := readCursor(cpath)
	if err != nil {
		return err
	}
	if !ok {
		s.opt.Logger.Warn("spool cursor damaged: replaying every record on disk; JetStream and InfluxDB absorb the duplicates",
			"file", cpath)
	}
	s.cur = cur
	if s.cf, err = os.OpenFile(cpath, os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return err
	}
	ids, err := listSegments(s.opt.Dir)
	if err != nil {
		return err
	}
	maxSeq := max(cur.acked, cur.dropped)
	torn, corrupt := 0, 0
	for i, id := range ids {
		last := i == len(ids)-1
		p := segPath(s.opt.Dir, id)
		buf, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sc := scan(buf)
		corrupt += sc.corrupt
		if sc.end < len(buf) {
			if last {
				// A write the crash cut short: never reported as spooled.
				torn++
				if err := os.Truncate(p, int64(sc.end)); err != nil {
					return err
				}
			} else {
				corrupt++
			}
		}
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		seg := &segment{id: id, path: p, f: f, size: int64(sc.end)}
		if !last {
			seg.size = int64(len(buf))
		}
		s.segs = append(s.segs, seg)
		for _, r := range sc.recs {
			maxSeq = max(maxSeq, r.seq)
			if s.cur.gone(r.seq) {
				continue
			}
			s.q = append(s.q, entry{seq: r.seq, seg: seg, off: int64(r.off), size: int64(r.size),
				results: r.results, created: r.created})
			seg.live++
			s.bytes += int64(r.size)
			s.results += r.results
		}
	}
	s.nextSeq = maxSeq + 1
	// The kept head must be the head; if damage took it, everything up to
	// dropped is gone.
	if s.cur.dropped > 0 && (len(s.q) == 0 || s.q[0].seq != s.cur.kept) {
		s.cur = cursor{acked: max(s.cur.acked, s.cur.dropped)}
	}
	if len(s.segs) == 0 {
		seg, err := createSegment(s.opt.Dir, 1)
		if err != nil {
			return err
		}
		s.segs = append(s.segs, seg)
		s.dirDirty = true
	}
	s.removeDead()
	s.m.damaged.WithLabelValues("torn").Add(float64(torn))
	s.m.damaged.WithLabelValues("corrupt").Add(float64(corrupt))
	if torn > 0 || corrupt > 0 {
		s.opt.Logger.Warn("spool damage repaired at open", "dir", s.opt.Dir, "torn_tail", torn, "corrupt_skipped", corrupt)
	}
	s.opt.Logger.Info("spool opened", "dir", s.opt.Dir, "results", s.results, "messages", len(s.q),
		"bytes", s.bytes, "fsync", s.opt.Fsync)
	return nil
}

// Push implements publish.Queue: it appends m to the spool, dropping the
// oldest waiting records first if m would not fit. It returns once m is in
// the page cache (and on disk with FsyncAlways); it never waits for NATS.
func (s *Spool) Push(m publish.Message) {
	s.mu.Lock()
	s.push(m)
	notes := s.takeNotes()
	s.mu.Unlock()
	s.report(notes)
}

func (s *Spool) push(m publish.Message) {
	if s.closed {
		s.noteDrop(m.Results, "error")
		return
	}
	now := s.opt.Clock.Now()
	b := encode(&rec{seq: s.nextSeq, created: now.UnixNano(), results: m.Results, id: m.ID, data: m.Data})
	s.dropAged(now)
	s.makeRoom(int64(len(b)))
	seg, off, err := s.append(b)
	if err != nil {
		s.opt.Logger.Error("spool write failed: results dropped", "err", err, "msg_id", m.ID, "results", m.Results)
		s.noteDrop(m.Results, "error")
		return
	}
	s.q = append(s.q, entry{seq: s.nextSeq, seg: seg, off: off, size: int64(len(b)), results: m.Results,
		created: now.UnixNano()})
	s.nextSeq++
	seg.live++
	s.bytes += int64(len(b))
	s.results += m.Results
	s.writeCursor()
	close(s.signal)
	s.signal = make(chan struct{})
}

// append writes a framed record at the end of the newest segment, starting
// a new segment when it is full.
func (s *Spool) append(b []byte) (*segment, int64, error) {
	act := s.segs[len(s.segs)-1]
	if act.size > 0 && act.size+int64(len(b)) > s.opt.SegmentBytes {
		if s.opt.Fsync != FsyncNever {
			// The background sync only follows the newest segment.
			if err := act.f.Sync(); err != nil {
				return nil, 0, err
			}
		}
		seg, err := createSegment(s.opt.Dir, act.id+1)
		if err != nil {
			return nil, 0, err
		}
		s.segs = append(s.segs, seg)
		s.dirDirty = true
		if s.opt.Fsync == FsyncAlways {
			if err := syncDir(s.opt.Dir); err != nil {
				return nil, 0, err
			}
			s.dirDirty = false
		}
		act = seg
		s.removeDead() // act was exempt while it was the newest
	}
	off := act.size
	if _, err := act.f.WriteAt(b, off); err != nil {
		_ = act.f.Truncate(off) // a partial record would be cut at open anyway
		return nil, 0, err
	}
	act.size += int64(len(b))
	if s.opt.Fsync == FsyncAlways {
		if err := act.f.Sync(); err != nil {
			return nil, 0, err
		}
	} else {
		s.dataDirty = true
	}
	return act, off, nil
}

// Peek implements publish.Queue: the oldest waiting message, read from
// disk. A record that no longer reads back intact (disk damage since it was
// written) is dropped, counted as "corrupt", and the next one is tried.
func (s *Spool) Peek() (publish.Message, bool) {
	s.mu.Lock()
	m, ok := s.peek()
	notes := s.takeNotes()
	s.mu.Unlock()
	s.report(notes)
	return m, ok
}

func (s *Spool) peek() (publish.Message, bool) {
	for s.lo < len(s.q) {
		e := s.q[s.lo]
		if s.head != nil && s.headSeq == e.seq {
			return *s.head, true
		}
		buf := make([]byte, e.size)
		_, err := e.seg.f.ReadAt(buf, e.off)
		r, _, ok := decodeAt(buf, 0)
		if err == nil && ok && r.seq == e.seq {
			m := publish.Message{ID: r.id, Data: r.data, Results: r.results}
			s.head, s.headSeq = &m, e.seq
			return m, true
		}
		s.opt.Logger.Error("spool record unreadable: dropped", "seq", e.seq, "segment", e.seg.path, "err", err)
		s.m.damaged.WithLabelValues("corrupt").Inc()
		s.noteDrop(e.results, "corrupt")
		s.popHead()
	}
	return publish.Message{}, false
}

// Pop implements publish.Queue: JetStream acknowledged the head, so the
// cursor moves past it. The record's bytes leave the disk with its segment.
func (s *Spool) Pop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lo < len(s.q) {
		s.popHead()
	}
}

func (s *Spool) popHead() {
	e := s.q[s.lo]
	s.advance()
	s.forget(e)
	s.cur = cursor{acked: max(e.seq, s.cur.dropped)}
	s.head = nil
	s.writeCursor()
	s.removeDead()
}

// advance drops q[lo] from the index. The slice is compacted now and then:
// during a long outage with a full spool the batcher appends at one end and
// drops at the other, and the backing array must not grow for ever.
func (s *Spool) advance() {
	s.q[s.lo] = entry{}
	s.lo++
	if s.lo > 1024 && s.lo > len(s.q)/2 {
		s.q = append([]entry(nil), s.q[s.lo:]...)
		s.lo = 0
	}
}

// forget takes a record out of the figures.
func (s *Spool) forget(e entry) {
	e.seg.live--
	s.bytes -= e.size
	s.results -= e.results
}

// writeCursor stores the cursor in place: 28 bytes, well inside one disk
// sector, so a crash leaves the old or the new value (and a CRC catches
// anything else).
func (s *Spool) writeCursor() {
	if _, err := s.cf.WriteAt(s.cur.encode(), 0); err != nil {
		s.opt.Logger.Error("spool cursor write failed; acknowledged results may be sent again after a restart", "err", err)
		return
	}
	if s.opt.Fsync == FsyncAlways {
		_ = s.cf.Sync()
		return
	}
	s.cursorDirty = true
}

// removeDead deletes segments that hold no waiting record, except the
// newest, which is still appended to.
func (s *Spool) removeDead() {
	keep := s.segs[:0]
	for i, seg := range s.segs {
		if seg.live > 0 || i == len(s.segs)-1 {
			keep = append(keep, seg)
			continue
		}
		_ = seg.f.Close()
		if err := os.Remove(seg.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.opt.Logger.Error("spool segment removal failed", "segment", seg.path, "err", err)
		}
		s.dirDirty = true
	}
	for i := len(keep); i < len(s.segs); i++ {
		s.segs[i] = nil
	}
	s.segs = keep
}

// Results implements publish.Queue: results waiting for acknowledgement.
func (s *Spool) Results() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.results
}

// Depth is Results under the name the heartbeat uses.
func (s *Spool) Depth() int { return s.Results() }

// Bytes is the size of the waiting records, framing included.
func (s *Spool) Bytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytes
}

// Wait implements publish.Queue.
func (s *Spool) Wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lo < len(s.q) {
		c := make(chan struct{})
		close(c)
		return c
	}
	return s.signal
}

// Close syncs everything whatever the policy (a clean stop should lose
// nothing) and closes the files. Records not yet acknowledged stay for the
// next Open. Close is idempotent.
func (s *Spool) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushDropLog(time.Time{})
	err := s.segs[len(s.segs)-1].f.Sync()
	err = errors.Join(err, s.cf.Sync(), syncDir(s.opt.Dir))
	s.closeFiles()
	return err
}

func (s *Spool) closeFiles() {
	for _, seg := range s.segs {
		_ = seg.f.Close()
	}
	if s.cf != nil {
		_ = s.cf.Close()
	}
}

// PeekN returns the oldest waiting messages, oldest first: at least the
// head if one waits, then more while there are fewer than n and their
// results stay within maxResults. It is Peek for a consumer that sends
// several records in one request (the controller's write-behind to
// InfluxDB); PopN(len) then acknowledges them. A record after the head
// that no longer reads back intact ends the list early; it is dropped
// when it becomes the head, as Peek does.
func (s *Spool) PeekN(n, maxResults int) []publish.Message {
	s.mu.Lock()
	head, ok := s.peek()
	var out []publish.Message
	if ok {
		out = append(out, head)
		total := head.Results
		for i := s.lo + 1; i < len(s.q) && len(out) < n; i++ {
			e := s.q[i]
			if total+e.results > maxResults {
				break
			}
			buf := make([]byte, e.size)
			if _, err := e.seg.f.ReadAt(buf, e.off); err != nil {
				break
			}
			r, _, ok := decodeAt(buf, 0)
			if !ok || r.seq != e.seq {
				break
			}
			out = append(out, publish.Message{ID: r.id, Data: r.data, Results: r.results})
			total += r.results
		}
	}
	notes := s.takeNotes()
	s.mu.Unlock()
	s.report(notes)
	return out
}

// PopN acknowledges the k oldest waiting messages (what PeekN returned),
// moving the cursor past them once.
func (s *Spool) PopN(k int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k <= 0 || s.lo >= len(s.q) {
		return
	}
	var last uint64
	for ; k > 0 && s.lo < len(s.q); k-- {
		e := s.q[s.lo]
		s.advance()
		s.forget(e)
		last = e.seq
	}
	s.cur = cursor{acked: max(last, s.cur.dropped)}
	s.head = nil
	s.writeCursor()
	s.removeDead()
}
