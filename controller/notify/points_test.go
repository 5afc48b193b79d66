package notify

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// Every delivery outcome becomes a `notification` point in a real
// InfluxDB 1.8.10 through the shipper's queue, with DESIGN.md's tags
// (channel, kind, outcome, tier) and latency_s from the incident's start
// to the outcome: a refused first attempt (retry), the delivery, and the
// recovery message.
func TestNotificationPointsReachInflux(t *testing.T) {
	srv := testinflux.Start(t)
	w, err := influx.New(influx.Options{URL: srv.URL, Bucket: srv.Bucket}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	var ship *shipper.Shipper
	r := newRig(t, emailOnly(), func(o *Options) {
		if ship, err = shipper.New(t.Context(), shipper.Options{DB: o.DB, Points: w}, nil, nil); err != nil {
			t.Fatal(err)
		}
		o.Points = ship
	})
	r.customer("D1", "diamond", "li@d1.example", "")
	r.sink.Refuse(1)
	l := incident.Line{ID: "L1", Customer: "D1", Tier: "diamond"}
	r.line(l, linestate.Down, t0)
	for _, d := range []time.Duration{30 * time.Second, 31 * time.Second} {
		r.at(t0.Add(d))
		r.send()
	}
	r.line(l, linestate.Up, t0.Add(90*time.Second))
	r.send()
	if _, err := ship.Drain(r.ctx); err != nil {
		t.Fatal(err)
	}
	pts, err := srv.Points(r.ctx, "notification")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pts {
		got = append(got, fmt.Sprintf("%v/%v/%v/%v latency_s=%v", p["channel"], p["kind"], p["outcome"], p["tier"], p["latency_s"]))
	}
	sort.Strings(got)
	want := []string{
		"email/outage_end/sent/diamond latency_s=90",
		"email/outage_start/retry/diamond latency_s=30",
		"email/outage_start/sent/diamond latency_s=31",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("notification points:\n%v\nwant\n%v", got, want)
	}
}
