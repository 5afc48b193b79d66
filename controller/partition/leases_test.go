package partition_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/controller/partition"
	"github.com/vantage-net/vantage/internal/lab"
)

func connect(t *testing.T, url string) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect(url, nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// TestLeasesRebalanceAndExpire runs the lease protocol of three members
// on a three-server cluster (bucket R3): the first alone claims every
// partition; a second joining takes its rendezvous share, handed back by
// the first; a member that dies without leaving (its connection cut, as
// by SIGKILL) loses its partitions to the live ones once its keys expire.
// At no step do two members hold one partition.
func TestLeasesRebalanceAndExpire(t *testing.T) {
	c := startCluster(t, 3)
	const parts = 8
	lease, tick := 2*time.Second, 500*time.Millisecond
	ctx := lab.Deadline(t, 60*time.Second)
	open := func(id string) (*partition.Leases, *nats.Conn) {
		nc, js := connect(t, c.URL())
		l, err := partition.OpenLeases(ctx, js, partition.LeaseOptions{ID: id, Partitions: parts, Lease: lease, Tick: tick, Replicas: 3}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return l, nc
	}
	a, _ := open("ctl-a")
	b, ncB := open("ctl-b")
	c3, _ := open("ctl-c")
	// step runs one round of the members given, releasing at once what
	// they must hand back (no worker here), and checks no partition is
	// held twice.
	step := func(ls ...*partition.Leases) {
		for _, l := range ls {
			plan, err := l.Step(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range plan.HandBack {
				if err := l.Release(ctx, p); err != nil {
					t.Fatal(err)
				}
			}
		}
		seen := map[int]int{}
		for _, l := range []*partition.Leases{a, b, c3} {
			for _, p := range l.Held() {
				if l.Holds(p) {
					seen[p]++
				}
			}
		}
		for p, n := range seen {
			if n > 1 {
				t.Fatalf("partition %d held by %d members", p, n)
			}
		}
	}
	// Alone, a claims every partition (membership is read back from the
	// bucket, which may take a round on a fresh cluster).
	lab.WaitFor(t, ctx, tick, func() error {
		step(a)
		if got := a.Held(); len(got) != parts {
			return fmt.Errorf("alone, a holds %v, want all %d", got, parts)
		}
		return nil
	})
	// b joins: within a few ticks each holds its rendezvous share.
	lab.WaitFor(t, ctx, tick, func() error {
		step(a, b)
		if len(a.Held())+len(b.Held()) != parts || len(b.Held()) == 0 {
			return fmt.Errorf("a %v, b %v", a.Held(), b.Held())
		}
		return nil
	})
	t.Logf("two members: a %v, b %v", a.Held(), b.Held())
	// c joins, then b dies without leaving: after its lease a and c hold all.
	lab.WaitFor(t, ctx, tick, func() error {
		step(a, b, c3)
		if len(a.Held())+len(b.Held())+len(c3.Held()) != parts || len(c3.Held()) == 0 {
			return fmt.Errorf("a %v, b %v, c %v", a.Held(), b.Held(), c3.Held())
		}
		return nil
	})
	ofB := b.Held()
	ncB.Close()
	died := time.Now()
	lab.WaitFor(t, ctx, tick, func() error {
		step(a, c3)
		if len(a.Held())+len(c3.Held()) != parts {
			return fmt.Errorf("a %v, c %v", a.Held(), c3.Held())
		}
		return nil
	})
	moved := time.Since(died)
	for _, p := range ofB {
		if !slices.Contains(a.Held(), p) && !slices.Contains(c3.Held(), p) {
			t.Errorf("b's partition %d not taken over", p)
		}
		owner, err := a.Owner(ctx, p)
		if err != nil || owner == "ctl-b" {
			t.Errorf("partition %d owner %q (%v)", p, owner, err)
		}
	}
	t.Logf("b's partitions %v moved %.1fs after its death (lease %s, tick %s)", ofB, moved.Seconds(), lease, tick)
}
