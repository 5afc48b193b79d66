package schedule

import (
	"sync"
	"time"
)

// Budget bounds an agent's confirmation rounds: a token bucket refilled at
// PerSecond up to one second's worth, shared by every probe of the agent,
// so a PoP agent that loses 5,000 targets at once sends at most PerSecond
// extra rounds a second instead of 25,000.
//
// Higher priorities are served first without a queue: a round of level l
// may take a token only while the bucket holds more than a reserve kept
// for the levels above it, burst·(top−l)/(top+1). Alone, any level gets
// the whole refill rate (it spends every token that rises above its
// reserve); under contention the higher levels drain the bucket below the
// lower levels' reserves and the lower levels are refused until they stop.
// A level is 2·priority, plus 1 for rounds that still confirm a failure
// (a watch round, after the target was confirmed down, yields to a fresh
// confirmation of the same priority).
type Budget struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
	top    int
}

// NewBudget returns a budget of perSecond confirmation rounds (0 refuses
// every round), full at start.
func NewBudget(perSecond float64) *Budget {
	return &Budget{rate: perSecond, burst: perSecond, tokens: perSecond, top: 1}
}

// SetMaxPriority sets the highest priority the agent's jobs use, which
// scales the reserves.
func (b *Budget) SetMaxPriority(p int) {
	b.mu.Lock()
	b.top = budgetLevel(max(p, 0), false)
	b.mu.Unlock()
}

func budgetLevel(priority int, watching bool) int {
	l := 2 * priority
	if !watching {
		l++
	}
	return l
}

// Take spends one token for a round of the given level at now, or refuses.
// A nil Budget refuses everything.
func (b *Budget) Take(now time.Time, level int) bool {
	if b == nil {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.last.IsZero() {
		b.last = now
	}
	if now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+b.rate*now.Sub(b.last).Seconds())
		b.last = now
	}
	level = min(max(level, 0), b.top)
	reserve := b.burst * float64(b.top-level) / float64(b.top+1)
	if b.tokens-1 < reserve {
		return false
	}
	b.tokens--
	return true
}
