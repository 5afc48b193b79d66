package notify

import (
	"sync"
	"time"
)

// limiter holds token buckets per channel and per recipient. It lives in
// memory: after a restart the buckets start full, so a crash may let one
// extra burst through, never drop a message (a limited message waits).
type limiter struct {
	mu           sync.Mutex
	perRecipient Rate
	perChannel   map[string]Rate
	buckets      map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(o SenderOptions) *limiter {
	return &limiter{perRecipient: o.PerRecipient, perChannel: o.PerChannel, buckets: map[string]*bucket{}}
}

// take spends a token of the channel's and of the recipient's bucket, or
// returns how long to wait (spending nothing).
func (l *limiter) take(ch, recipient string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	cr, ok := l.perChannel[ch]
	if !ok {
		cr = Rate{Count: 10, Per: time.Second}
	}
	cb, rb := l.fill("channel:"+ch, cr, now), l.fill("recipient:"+recipient, l.perRecipient, now)
	wait := max(cb.wait(cr), rb.wait(l.perRecipient))
	if wait > 0 {
		return wait
	}
	cb.tokens--
	rb.tokens--
	return 0
}

func (l *limiter) fill(key string, r Rate, now time.Time) *bucket {
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: float64(r.Count), at: now}
		l.buckets[key] = b
	}
	if now.After(b.at) {
		b.tokens = min(float64(r.Count), b.tokens+now.Sub(b.at).Seconds()*float64(r.Count)/r.Per.Seconds())
		b.at = now
	}
	return b
}

// wait is how long until the bucket holds one token.
func (b *bucket) wait(r Rate) time.Duration {
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) * float64(r.Per) / float64(r.Count))
}
