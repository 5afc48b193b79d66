package partition

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/linehealth"
)

// Options configure a Node: one controller's share of a cluster.
type Options struct {
	Leases LeaseOptions
	// ExtraAgents are homed even if they watch no line (NewMap's agents).
	ExtraAgents []string
	// InventoryResync is how often the inventory is read again even
	// though its version did not move (rows changed behind the import's
	// back, reload.go). Default 10 min.
	InventoryResync time.Duration
	JS              jetstream.JetStream
	// Stream is the results stream (default VANTAGE_RESULTS); it must
	// exist (controller/ingest's settings: work-queue retention).
	Stream string
	// Replicas of the lease bucket (3 on a three-server cluster).
	Replicas int
	// Health is the template of each partition's line-health Monitor
	// (database, inventory, shipper, detector, incident rules, notify
	// hook, snapshot interval); each worker adds its partition.
	Health     linehealth.Options
	Points     PointWriter
	Tick       time.Duration // longest wait of a pull, default 1 s
	FetchBatch int           // default 1000
	AckWait    time.Duration // default 5 min
}

// Node runs the leases and one worker per owned partition.
type Node struct {
	o      Options
	log    *slog.Logger
	m      *metrics
	reg    prometheus.Registerer
	leases *Leases
	// inv is the inventory read and the map in use (reload.go).
	inv atomic.Pointer[inventoryState]

	mu      sync.Mutex
	running map[int]*run
	// leaving are partitions being handed back (their final snapshot
	// may take a while: the lease loop must not wait for it).
	leaving map[int]bool
}

type run struct {
	cancel context.CancelFunc
	done   chan struct{}
	// live is the map the worker uses; the node swaps it when the
	// inventory changed and no line left the partition (reload.go).
	live atomic.Pointer[Map]
	// mon is the partition's Monitor, once the worker has restored it.
	mon atomic.Pointer[linehealth.Monitor]
}

// NewNode opens the lease bucket.
func NewNode(ctx context.Context, o Options, log *slog.Logger, reg prometheus.Registerer) (*Node, error) {
	if o.JS == nil || o.Points == nil || o.Health.DB == nil || o.Health.Inventory == nil {
		return nil, fmt.Errorf("partition: JS, Points, Health.DB and Health.Inventory are required")
	}
	if o.InventoryResync <= 0 {
		o.InventoryResync = 10 * time.Minute
	}
	if o.Stream == "" {
		o.Stream = "VANTAGE_RESULTS"
	}
	if o.Tick <= 0 {
		o.Tick = time.Second
	}
	if o.FetchBatch <= 0 {
		o.FetchBatch = 1000
	}
	if o.AckWait <= 0 {
		o.AckWait = 5 * time.Minute
	}
	if o.Leases.Replicas == 0 {
		o.Leases.Replicas = o.Replicas
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	n := &Node{o: o, log: log, m: newMetrics(reg), reg: reg, running: map[int]*run{}, leaving: map[int]bool{}}
	var err error
	if n.leases, err = OpenLeases(ctx, o.JS, o.Leases, log); err != nil {
		return nil, err
	}
	st, err := n.loadInventory(ctx)
	if err != nil {
		return nil, fmt.Errorf("partition: inventory: %w", err)
	}
	n.inv.Store(st)
	n.m.version.Set(float64(st.version))
	for agent, lines := range st.m.Foreign {
		log.Warn("agent watches lines under PoPs of another partition: their evidence reaches no detector",
			"agent", agent, "lines", lines)
	}
	if _, err := o.JS.Stream(ctx, o.Stream); err != nil {
		return nil, fmt.Errorf("partition: results stream %s: %w", o.Stream, err)
	}
	return n, nil
}

// Leases is the node's lease keeper (for status and tests).
func (n *Node) Leases() *Leases { return n.leases }

// Map is the partition map in use (it changes with the inventory).
func (n *Node) Map() *Map { return n.inv.Load().m }

// Run keeps the leases and the workers until ctx ends; then it hands
// every partition over, releases it and leaves, so the others take over
// at once.
func (n *Node) Run(ctx context.Context) error {
	t := time.NewTicker(n.leases.opts.Tick)
	defer t.Stop()
	// The inventory is checked on a loop of its own: a read of 50,000
	// lines must not delay the lease refresh.
	invDone := make(chan struct{})
	defer func() { <-invDone }()
	go func() {
		defer close(invDone)
		n.inventoryLoop(ctx)
	}()
	for {
		n.step(ctx)
		select {
		case <-ctx.Done():
			return n.leave()
		case <-t.C:
		}
	}
}

func (n *Node) step(ctx context.Context) {
	sctx, cancel := context.WithTimeout(ctx, n.leases.opts.Tick)
	plan, err := n.leases.Step(sctx)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			n.log.Warn("partition leases not refreshed", "err", err)
		}
	}
	for _, p := range plan.Lost {
		n.m.moves.WithLabelValues("lost").Inc()
		n.stop(p) // Holds is already false: nothing more is acked
	}
	for _, p := range plan.HandBack {
		n.mu.Lock()
		busy := n.leaving[p]
		n.leaving[p] = true
		n.mu.Unlock()
		if busy {
			continue
		}
		go func() {
			n.stop(p)
			if err := n.leases.Release(context.WithoutCancel(ctx), p); err != nil {
				n.log.Warn("partition release failed; it expires after one lease", "partition", p, "err", err)
			}
			n.mu.Lock()
			delete(n.leaving, p)
			n.mu.Unlock()
			n.m.moves.WithLabelValues("handed_back").Inc()
			n.log.Info("partition handed back", "partition", p)
		}()
	}
	for _, p := range plan.Claimed {
		n.m.moves.WithLabelValues("claimed").Inc()
		n.start(ctx, p)
	}
	// A worker that failed (its consumer could not be made, say) is
	// started again while the partition is ours.
	for _, p := range n.leases.Held() {
		n.mu.Lock()
		r, ok := n.running[p]
		failed := ok && isClosed(r.done)
		idle := !ok && !n.leaving[p]
		n.mu.Unlock()
		if failed || idle {
			n.start(ctx, p)
		}
	}
	n.m.owned.Set(float64(len(n.leases.Held())))
}

func (n *Node) start(ctx context.Context, p int) {
	wctx, cancel := context.WithCancel(ctx)
	r := &run{cancel: cancel, done: make(chan struct{})}
	// Under mu, as applyInventory swaps the map: the worker starts with
	// the new map, or the swap finds it running.
	n.mu.Lock()
	st := n.inv.Load()
	r.live.Store(st.m)
	n.running[p] = r
	n.mu.Unlock()
	o := WorkerOptions{Partition: p, Owner: n.o.Leases.ID, Map: st.m, Live: &r.live, JS: n.o.JS, Stream: n.o.Stream,
		Health: n.o.Health, Points: n.o.Points, Tick: n.o.Tick, FetchBatch: n.o.FetchBatch, AckWait: n.o.AckWait,
		Holds: func() bool { return n.leases.Holds(p) }, Now: n.leases.opts.Now,
		Inventory: func() *linehealth.Inventory { return n.inv.Load().view },
		OnMonitor: func(mon *linehealth.Monitor) {
			r.mon.Store(mon)
			// The inventory may have changed while it restored.
			if err := mon.RefreshInventory(wctx); err != nil {
				n.log.Warn("partition line health not refreshed", "partition", p, "err", err)
			}
		},
		Metrics: partitionRegisterer(n.reg, p)}
	go func() {
		defer close(r.done)
		if err := runWorker(wctx, o, n.log, n.m); err != nil {
			n.log.Error("partition worker stopped", "partition", p, "err", err)
		}
	}()
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// stop ends partition p's worker and waits for it.
func (n *Node) stop(p int) {
	n.mu.Lock()
	r, ok := n.running[p]
	delete(n.running, p)
	n.mu.Unlock()
	if ok {
		r.cancel()
		<-r.done
	}
}

// leave hands every partition over and deletes the member key.
func (n *Node) leave() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, p := range n.leases.Held() {
		n.stop(p) // waits for a hand-back under way too
		if err := n.leases.Release(ctx, p); err != nil {
			n.log.Warn("partition release failed; it expires after one lease", "partition", p, "err", err)
		}
	}
	return n.leases.Leave(ctx)
}

// Status is the cluster as this controller sees it (GET /api/v1/cluster).
type Status struct {
	ID         string `json:"id"`
	Partitions int    `json:"partitions"`
	// Members are the live controllers.
	Members []string `json:"members"`
	// Held are the partitions this controller owns.
	Held []int `json:"held"`
	// Owners maps each owner to its partitions; "" holds the partitions
	// nobody owns at the moment (moving).
	Owners map[string][]int `json:"owners"`
}

// Status reads the members and owners from the lease bucket.
func (n *Node) Status(ctx context.Context) (Status, error) {
	st := Status{ID: n.o.Leases.ID, Partitions: n.o.Leases.Partitions, Held: n.leases.Held(), Owners: map[string][]int{}}
	var err error
	if st.Members, err = n.leases.Members(ctx); err != nil {
		return st, err
	}
	for p := 0; p < st.Partitions; p++ {
		o, err := n.leases.Owner(ctx, p)
		if err != nil {
			return st, err
		}
		st.Owners[o] = append(st.Owners[o], p)
	}
	return st, nil
}
