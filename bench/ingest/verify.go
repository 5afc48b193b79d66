package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// The checks below make a rate trustworthy: it counts only points that
// landed once each, nothing lost, nothing written twice, nothing left.

// checkStream makes sure the results stream holds exactly msgs messages
// before the ingest starts, so no publish was lost or de-duplicated away.
func checkStream(ctx context.Context, nc *nats.Conn, msgs int) error {
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	s, err := js.Stream(ctx, "VANTAGE_RESULTS")
	if err != nil {
		return err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return err
	}
	if int(info.State.Msgs) != msgs {
		return fmt.Errorf("results stream holds %d messages after publishing %d", info.State.Msgs, msgs)
	}
	return nil
}

// checkDrained makes sure every message was acked exactly once with all
// its results written: the consumer has nothing pending or unacked and
// redelivered none, the work-queue stream is empty, nothing was
// dead-lettered, and the ingest counted exactly n results written.
func checkDrained(ctx context.Context, nc *nats.Conn, reg *prometheus.Registry, msgs, n int) error {
	if got := int(counter(reg, "vantage_controller_results_ingested_total")); got != n {
		return fmt.Errorf("ingest wrote %d results, want %d", got, n)
	}
	if got := int(counterLabel(reg, "vantage_controller_messages_total", "outcome", "ok")); got != msgs {
		return fmt.Errorf("%d messages acked as ok, want %d", got, msgs)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	// Acks are sent without waiting for an answer; give the server a
	// moment to apply the last ones.
	var last string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		c, err := js.Consumer(ctx, "VANTAGE_RESULTS", "vantage-ingest")
		if err != nil {
			return err
		}
		ci, err := c.Info(ctx)
		if err != nil {
			return err
		}
		s, err := js.Stream(ctx, "VANTAGE_RESULTS")
		if err != nil {
			return err
		}
		si, err := s.Info(ctx)
		if err != nil {
			return err
		}
		dl, err := js.Stream(ctx, "VANTAGE_DEADLETTER")
		if err != nil {
			return err
		}
		di, err := dl.Info(ctx)
		if err != nil {
			return err
		}
		last = fmt.Sprintf("consumer: %d pending, %d unacked, %d redelivered; results stream %d messages; dead letters %d",
			ci.NumPending, ci.NumAckPending, ci.NumRedelivered, si.State.Msgs, di.State.Msgs)
		if ci.NumPending == 0 && ci.NumAckPending == 0 && ci.NumRedelivered == 0 && si.State.Msgs == 0 && di.State.Msgs == 0 {
			return nil
		}
	}
	return fmt.Errorf("not drained cleanly: %s", last)
}

// checkCount makes sure the database holds exactly want points, so a rate
// is never computed from points that were lost or overwrote each other.
// Each measurement is counted on a field every one of its points carries.
func checkCount(srv *influxServer, db string, want int) error {
	total := 0
	for m, f := range map[string]string{"ping": "recv", "dial": "ok", "http": "ok"} {
		body, err := srv.influxQL(db, fmt.Sprintf(`SELECT count(%q) FROM %q`, f, m))
		if err != nil {
			return err
		}
		var r struct {
			Results []struct {
				Series []struct {
					Values [][]any `json:"values"`
				} `json:"series"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return err
		}
		if len(r.Results) > 0 && len(r.Results[0].Series) > 0 && len(r.Results[0].Series[0].Values) > 0 {
			n, _ := r.Results[0].Series[0].Values[0][1].(float64)
			total += int(n)
		}
	}
	if total != want {
		return fmt.Errorf("database %s holds %d points, want %d", db, total, want)
	}
	return nil
}

// counter sums a counter family from reg.
func counter(reg *prometheus.Registry, name string) float64 {
	return counterLabel(reg, name, "", "")
}

// counterLabel sums the counters of family name whose label has value
// (every counter when label is "").
func counterLabel(reg *prometheus.Registry, name, label, value string) float64 {
	mfs, err := reg.Gather()
	if err != nil {
		return 0
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			match := label == ""
			for _, lp := range m.GetLabel() {
				if lp.GetName() == label && lp.GetValue() == value {
					match = true
				}
			}
			if match {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}
