package ping

import (
	"container/heap"
	"math"
	"time"
)

// The engine's timer loop: one goroutine for every round's later requests
// and deadlines, however many rounds are out.

// loop writes requests that come due, ends rounds at their deadline and
// ends held rounds once the reader has caught up (or their grace ran out).
// On Close it ends every round left.
func (e *Engine) loop() {
	defer e.wg.Done()
	t := e.clock.NewTimer(time.Hour)
	defer t.Stop()
	var sends []*round
	var fins []func()
	for {
		now := e.now()
		e.mu.Lock()
		sends, fins = sends[:0], fins[:0]
		for len(e.timers) > 0 && e.timers[0].next <= now {
			r := e.timers[0]
			if r.left > 0 {
				// send reschedules it; meanwhile it is not due again.
				e.timers.remove(r)
				sends = append(sends, r)
				continue
			}
			e.timers.remove(r)
			e.held = append(e.held, r)
		}
		fins = e.releaseLocked(now, fins)
		until := now + time.Hour
		if len(e.timers) > 0 {
			until = min(until, e.timers[0].next)
		}
		if len(e.held) > 0 {
			until = min(until, e.held[0].deadline+e.grace)
		}
		e.nHeld.Store(int32(len(e.held)))
		e.armed = until
		if len(sends) > 0 {
			e.armed = now // sends reschedule: each must be able to wake it
		}
		e.mu.Unlock()
		for _, f := range fins {
			f()
		}
		for _, r := range sends {
			e.send(r, now)
		}
		if len(sends) > 0 {
			continue // a gap shorter than the sends took may be due already
		}
		t.Stop()
		// From the clock's now, not the loop's: time that passed since
		// (a test's Advance) makes the timer fire at once, not late.
		t.Reset(max(until-e.now(), 0))
		select {
		case <-e.closed:
			e.endAll()
			return
		case <-e.wake:
		case <-t.C():
		}
	}
}

// releaseLocked ends the held rounds the reader no longer owes a reply:
// it has read a packet the kernel received after their deadline, or it
// holds nothing and the socket's queue is empty, or their grace ran out.
// Held rounds are in deadline order, so the first one kept ends the scan.
func (e *Engine) releaseLocked(now time.Duration, fins []func()) []func() {
	upTo := e.readUpTo.Load()
	idle := -1 // unknown until asked: asking the socket is a system call
	n := 0
	for _, r := range e.held {
		if r.over {
			n++
			continue
		}
		if time.Duration(upTo) <= r.deadline && now < r.deadline+e.grace {
			if idle < 0 {
				idle = 0
				if q, ok := e.sock.queued(); !e.holding.Load() && (!ok || q == 0) {
					idle = 1
				}
			}
			if idle == 0 {
				break
			}
		}
		fins = append(fins, e.endLocked(r))
		n++
	}
	clear(e.held[:n])
	e.held = e.held[n:]
	return fins
}

// scheduleLocked puts r in the timers at r.next (or moves it there), and
// wakes the loop if r is due before its timer fires. (Not for every round
// that is first: at 20,000 rounds a second, each answered before the next
// is sent, that woke the loop 20,000 times a second for nothing.)
func (e *Engine) scheduleLocked(r *round) {
	if r.index >= 0 {
		heap.Fix(&e.timers, r.index)
	} else {
		heap.Push(&e.timers, r)
	}
	if r.index == 0 && r.next < e.armed {
		e.poke()
	}
}

// poke wakes the loop without blocking; one pending wake is enough.
func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// endAll ends every round left, on Close: as held rounds whose grace has
// run out.
func (e *Engine) endAll() {
	e.mu.Lock()
	e.shut = true
	for len(e.timers) > 0 {
		r := e.timers[0]
		e.timers.remove(r)
		e.held = append(e.held, r)
	}
	fins := e.releaseLocked(math.MaxInt64-e.grace, nil)
	e.mu.Unlock()
	for _, f := range fins {
		f()
	}
}

// roundHeap orders rounds by their next event. (Pointer receivers only:
// value receivers would add a wrapper each to the MIPS agent.)
type roundHeap []*round

func (h *roundHeap) Len() int           { return len(*h) }
func (h *roundHeap) Less(i, j int) bool { return (*h)[i].next < (*h)[j].next }
func (h *roundHeap) Swap(i, j int) {
	s := *h
	s[i], s[j] = s[j], s[i]
	s[i].index = i
	s[j].index = j
}
func (h *roundHeap) Push(x any) {
	r := x.(*round)
	r.index = len(*h)
	*h = append(*h, r)
}
func (h *roundHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	r.index = -1
	return r
}

func (h *roundHeap) remove(r *round) { heap.Remove(h, r.index) }
