package partition

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// LeaseOptions configure Leases.
type LeaseOptions struct {
	// ID names this controller among the members; unique per controller,
	// stable across its restarts ([A-Za-z0-9_-]).
	ID string
	// Partitions is how many partitions the PoPs are hashed onto; every
	// controller of a cluster must use the same number.
	Partitions int
	// Lease is the KV bucket's TTL: a member or owner key not refreshed
	// for this long expires, and a dead controller's partitions move
	// within one Lease plus one Tick.
	Lease time.Duration
	// Tick is how often keys are refreshed and ownership decided; at most
	// Lease/3 so one lost refresh does not lose a lease. Default Lease/4.
	Tick time.Duration
	// Bucket is the KV bucket (default VANTAGE_PARTITIONS); Replicas its
	// replica count (3 on a three-server cluster).
	Bucket   string
	Replicas int
	// Now is the clock for lease validity. Default time.Now.
	Now func() time.Time
}

// Leases keeps this controller's membership and partition ownership in a
// JetStream KV bucket with a TTL (package doc). It is used from one
// goroutine (Node.Run); Holds may be called from any.
type Leases struct {
	kv   jetstream.KeyValue
	opts LeaseOptions
	log  *slog.Logger

	// opMu orders renewals and releases of owner keys: a release running
	// beside the lease loop (a hand-back) must delete the revision the
	// last renewal wrote, and a renewal must not revive a released key.
	opMu    sync.Mutex
	mu      sync.Mutex
	rev     map[int]uint64    // owned partitions: revision of our owner key
	renewed map[int]time.Time // when that key was last written
}

// OpenLeases creates or updates the bucket.
func OpenLeases(ctx context.Context, js jetstream.JetStream, o LeaseOptions, log *slog.Logger) (*Leases, error) {
	if o.Bucket == "" {
		o.Bucket = "VANTAGE_PARTITIONS"
	}
	if o.Tick <= 0 {
		o.Tick = o.Lease / 4
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ID == "" || o.Partitions <= 0 || o.Lease <= 0 || o.Tick > o.Lease/3 {
		return nil, fmt.Errorf("partition leases: id %q, partitions %d, lease %s, tick %s (at most lease/3)", o.ID, o.Partitions, o.Lease, o.Tick)
	}
	kv, err := ensure(ctx, func(ctx context.Context) (jetstream.KeyValue, error) {
		return js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: o.Bucket, Description: "Controllers' membership and partition ownership (leases)",
			TTL: o.Lease, History: 1, Replicas: max(o.Replicas, 1), Storage: jetstream.FileStorage,
		})
	})
	if err != nil {
		return nil, fmt.Errorf("partition leases: bucket %s: %w", o.Bucket, err)
	}
	return &Leases{kv: kv, opts: o, log: log, rev: map[int]uint64{}, renewed: map[int]time.Time{}}, nil
}

func ownerKey(p int) string { return "owner." + strconv.Itoa(p) }

// Members lists the live members (their keys have not expired).
func (l *Leases) Members(ctx context.Context) ([]string, error) {
	lister, err := l.kv.ListKeysFiltered(ctx, "members.>")
	if err != nil {
		return nil, err
	}
	var out []string
	for k := range lister.Keys() {
		out = append(out, strings.TrimPrefix(k, "members."))
	}
	sort.Strings(out)
	return out, nil
}

// Owner is the member holding partition p, "" when none does.
func (l *Leases) Owner(ctx context.Context, p int) (string, error) {
	e, err := l.kv.Get(ctx, ownerKey(p))
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return string(e.Value()), nil
}

// Holds reports whether this controller owns p with a lease it renewed
// within Lease minus one Tick: past that, another member may be about to
// claim it, so a worker must stop writing snapshots and acking.
func (l *Leases) Holds(p int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.rev[p]
	return ok && l.opts.Now().Sub(l.renewed[p]) < l.opts.Lease-l.opts.Tick
}

// Plan is what one Step decided.
type Plan struct {
	// Claimed partitions are now ours: start their workers.
	Claimed []int
	// Lost partitions were taken over or could not be renewed: stop
	// their workers at once, without a final snapshot (fenced).
	Lost []int
	// HandBack partitions belong to another member now: stop their
	// workers with a final snapshot, then call Release.
	HandBack []int
}

// Step refreshes this member, renews its leases and claims the free
// partitions it is the desired owner of.
func (l *Leases) Step(ctx context.Context) (Plan, error) {
	var plan Plan
	if _, err := l.kv.Put(ctx, "members."+l.opts.ID, []byte(l.opts.Now().UTC().Format(time.RFC3339))); err != nil {
		return plan, fmt.Errorf("refresh membership: %w", err)
	}
	members, err := l.Members(ctx)
	if err != nil {
		return plan, fmt.Errorf("list members: %w", err)
	}
	for p := 0; p < l.opts.Partitions; p++ {
		want := DesiredOwner(p, members) == l.opts.ID
		l.mu.Lock()
		_, mine := l.rev[p]
		l.mu.Unlock()
		switch {
		case mine && !want:
			plan.HandBack = append(plan.HandBack, p)
			// Renewed until released, so the worker's final snapshot is
			// still fenced by a valid lease.
			l.renew(ctx, p, &plan)
		case mine:
			l.renew(ctx, p, &plan)
		case want:
			rev, err := l.kv.Create(ctx, ownerKey(p), []byte(l.opts.ID))
			if err != nil {
				continue // held by another (alive, or not expired yet): next tick
			}
			l.mu.Lock()
			l.rev[p], l.renewed[p] = rev, l.opts.Now()
			l.mu.Unlock()
			plan.Claimed = append(plan.Claimed, p)
		}
	}
	return plan, nil
}

// renew refreshes our owner key by compare-and-set; if its revision moved,
// someone claimed it after it expired: the partition is lost.
func (l *Leases) renew(ctx context.Context, p int, plan *Plan) {
	l.opMu.Lock()
	defer l.opMu.Unlock()
	l.mu.Lock()
	rev, ok := l.rev[p]
	l.mu.Unlock()
	if !ok {
		plan.HandBack = slicesDelete(plan.HandBack, p)
		return // released meanwhile
	}
	now := l.opts.Now()
	nrev, err := l.kv.Update(ctx, ownerKey(p), []byte(l.opts.ID), rev)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err == nil {
		l.rev[p], l.renewed[p] = nrev, now
		return
	}
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) || now.Sub(l.renewed[p]) >= l.opts.Lease-l.opts.Tick {
		// Refused (another revision: it expired and was claimed), or no
		// answer for so long the lease may have lapsed.
		delete(l.rev, p)
		delete(l.renewed, p)
		plan.Lost = append(plan.Lost, p)
		plan.HandBack = slicesDelete(plan.HandBack, p)
		l.log.Warn("partition lease lost", "partition", p, "err", err)
	}
}

func slicesDelete(s []int, v int) []int {
	out := s[:0]
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

// Release gives partition p up (after its worker's final snapshot): the
// desired owner claims it on its next tick.
func (l *Leases) Release(ctx context.Context, p int) error {
	l.opMu.Lock()
	defer l.opMu.Unlock()
	l.mu.Lock()
	rev, ok := l.rev[p]
	delete(l.rev, p)
	delete(l.renewed, p)
	l.mu.Unlock()
	if !ok {
		return nil
	}
	return l.kv.Delete(ctx, ownerKey(p), jetstream.LastRevision(rev))
}

// Leave deletes this member's key, so the others rebalance at once
// instead of after a lease (a clean shutdown, after Release of every
// partition).
func (l *Leases) Leave(ctx context.Context) error {
	return l.kv.Delete(ctx, "members."+l.opts.ID)
}

// Held lists the partitions this controller owns.
func (l *Leases) Held() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]int, 0, len(l.rev))
	for p := range l.rev {
		out = append(out, p)
	}
	sort.Ints(out)
	return out
}
