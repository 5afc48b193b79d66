package ingest

import (
	"sync"
	"time"
)

// inflight tracks the units pulled but not yet settled and keeps their
// messages from being redelivered: every interval it tells JetStream each
// one is still "in progress". A write to a slow InfluxDB may outlast
// AckWait (an unavailable one is not waited for: outage.go); AckWait then
// only matters when this controller dies.
type inflight struct {
	mu    sync.Mutex
	units map[*unit]struct{}
}

func (f *inflight) add(u *unit) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.units == nil {
		f.units = make(map[*unit]struct{})
	}
	f.units[u] = struct{}{}
}

func (f *inflight) remove(u *unit) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.units, u)
}

// keepAlive sends "in progress" for every held message each interval until
// done is closed. A message already acked answers with an error locally,
// without a network round trip, which is ignored.
func (f *inflight) keepAlive(done <-chan struct{}, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		f.mu.Lock()
		for u := range f.units {
			for i := range u.items {
				_ = u.items[i].msg.InProgress()
			}
		}
		f.mu.Unlock()
	}
}
