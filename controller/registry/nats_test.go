package registry

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/vantage-net/vantage/internal/testnats"
	"github.com/vantage-net/vantage/internal/waitfor"
	"github.com/vantage-net/vantage/probes/result"
)

// startNATS runs an in-process nats-server on a random port.
func startNATS(t *testing.T) *nats.Conn {
	t.Helper()
	return testnats.Connect(t, testnats.Start(t, server.Options{}))
}

// TestHeartbeatsOverNATS publishes heartbeats as the agent does (core NATS,
// JSON result.Heartbeat) and lets Run's ticker, on a fake clock, take the
// agent offline when they stop.
func TestHeartbeatsOverNATS(t *testing.T) {
	nc := startNATS(t)
	db := openDB(t)
	importSites(t, db, "S9=edge-7")
	f := newFixture(t, db)
	sub, err := f.r.Subscribe(nc)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	publish := func(agent, subject string) {
		data, _ := json.Marshal(result.Heartbeat{Agent: agent, Site: "S9", Version: "2.0.0", Time: f.clk.Now(),
			SpoolDepth: 3, ResultsSent: 42, ConfigRevision: 7, IntervalS: 10})
		if err := nc.Publish(subject, data); err != nil {
			t.Fatal(err)
		}
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	publish("edge-7", "vantage.heartbeat.edge-7")
	publish("edge-7", "vantage.heartbeat.edge-8") // A speaking for B: dropped
	waitFor(t, "edge-7 online", func() bool {
		a, ok := f.r.Get("edge-7")
		return ok && a.State == Online && a.ConfigRev == 7 && a.SpoolDepth == 3 && a.Site == "S9"
	})
	waitFor(t, "the forged heartbeat counted", func() bool { return counter(f.r.m.heartbeats, "invalid") == 1 })
	if _, ok := f.r.Get("edge-8"); ok {
		t.Fatal("a heartbeat for edge-8 from another agent's payload was accepted")
	}

	// Silence: the ticker fires as the fake clock passes it, once Run has
	// armed it (armed after the Advance, it would be due a tick later).
	waitfor.Timers(t, f.clk, 1)
	f.clk.Advance(31 * time.Second)
	waitFor(t, "edge-7 offline", func() bool {
		a, _ := f.r.Get("edge-7")
		return a.State == Offline
	})
	// Run's tick stored it, so a restart would remember.
	waitFor(t, "state stored", func() bool {
		var state string
		_ = db.QueryRow(`SELECT state FROM agents WHERE id = 'edge-7'`).Scan(&state)
		return state == "offline"
	})
	waitFor(t, "up=0 point for edge-7", func() bool {
		f.pts.mu.Lock()
		defer f.pts.mu.Unlock()
		return hasLine(f.pts.lines, "agent=edge-7", "up=0i")
	})
}
