package partition

import (
	"context"
	"time"
)

// ensure runs create (a CreateOrUpdate of a bucket or store) with a
// bounded wait per attempt, again until it succeeds or ctx ends. Two
// controllers starting together create the same buckets at once, and on a
// clustered JetStream such a racing create-or-update can go unanswered
// (seen with nats-server 2.15: both requests time out); a fresh attempt
// finds the bucket made and succeeds at once.
func ensure[T any](ctx context.Context, create func(context.Context) (T, error)) (T, error) {
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, 3*time.Second)
		v, err := create(actx)
		cancel()
		if err == nil || ctx.Err() != nil || attempt >= 9 {
			return v, err
		}
		t := time.NewTimer(time.Duration(100*(attempt+1)) * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
}
