// Command notify measures the notification path against a local SMTP
// server (internal/smtpsink, the real go-smtp server):
//
//   - latency: -incidents incidents of a diamond customer are opened one
//     every -every, each written the way line health writes it (the rule
//     engine inside the incident's transaction); the sender runs on the
//     real clock with its default poll. For each message it reports the
//     time from the incident's start to the SMTP server receiving it, and
//     that minus the tier's configured delay (-delay);
//
//   - throughput: -messages messages due at once (one incident of that
//     many customers), rate limits lifted, -workers workers: messages per
//     second from the first claim to the last acceptance.
//
//     go run ./bench/notify
//     go run ./bench/notify -incidents 500 -messages 5000
//
// Timings are reported, never judged. The run ends with its BENCH-SUMMARY
// line for docs/BENCHMARKS.md's bench:notify block (`go run ./bench/benchdoc`).
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/notify"
	"github.com/vantage-net/vantage/controller/notify/channel/email"
	"github.com/vantage-net/vantage/controller/store/sqlite"
	"github.com/vantage-net/vantage/internal/benchdoc"
	"github.com/vantage-net/vantage/internal/smtpsink"
)

func main() {
	incidents := flag.Int("incidents", 200, "incidents for the latency run")
	every := flag.Duration("every", 100*time.Millisecond, "time between incident starts (the email channel's default limit is 20/s)")
	delay := flag.Duration("delay", 2*time.Second, "the diamond tier's outage_after")
	messages := flag.Int("messages", 2000, "messages for the throughput run")
	workers := flag.Int("workers", 4, "sender workers")
	flag.Parse()
	if err := run(*incidents, *every, *delay, *messages, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "bench/notify:", err)
		os.Exit(1)
	}
}

type env struct {
	db   *sql.DB
	n    *notify.Notifier
	sink *smtpsink.Sink
}

func setup(ctx context.Context, dir string, customers int, delay time.Duration, workers int, limited bool) (*env, error) {
	db, err := sqlite.Open(ctx, filepath.Join(dir, "v.db"), sqlite.Options{})
	if err != nil {
		return nil, err
	}
	sink, err := smtpsink.Start("127.0.0.1:0", "")
	if err != nil {
		return nil, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	for i := range customers {
		c := fmt.Sprintf("C%05d", i)
		if _, err := tx.ExecContext(ctx, `INSERT INTO customers (id, name, tier) VALUES (?, ?, 'diamond')`, c, "Customer "+c); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO contacts (id, customer_id, name, role, email) VALUES (?, ?, 'NOC', 'primary', ?)`,
			c+"-P", c, fmt.Sprintf("noc@%s.example", c)); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	so := notify.SenderOptions{Workers: workers, Batch: 256}
	if !limited {
		so.PerRecipient = notify.Rate{Count: 1_000_000, Per: time.Second}
		so.PerChannel = map[string]notify.Rate{notify.Email: {Count: 1_000_000, Per: time.Second}}
	}
	rules := map[string]notify.Rule{"diamond": {OutageAfter: delay, Roles: []string{"primary"}, Channels: []string{notify.Email}}}
	n, err := notify.New(notify.Options{DB: db, Rules: rules, MessageIDDomain: "bench.vantage", Sender: so,
		Email: &email.Options{Host: "127.0.0.1", Port: sink.Port(), TLS: email.None, From: "noc@bench.vantage"}}, nil, nil)
	if err != nil {
		return nil, err
	}
	return &env{db: db, n: n, sink: sink}, nil
}

func (e *env) close() { _ = e.sink.Close(); _ = e.db.Close() }

// open writes an incident the way line health's commit does.
func (e *env) open(ctx context.Context, in incident.Incident) error {
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := e.n.IncidentsChanged(ctx, tx, []incident.Incident{in}, time.Now()); err != nil {
		return err
	}
	return tx.Commit()
}

func pct(d []time.Duration, p float64) time.Duration {
	slices.Sort(d)
	return d[min(len(d)-1, int(p*float64(len(d))))]
}

func run(incidents int, every, delay time.Duration, messages, workers int) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Latency.
	dir, err := os.MkdirTemp("", "bench-notify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	e, err := setup(ctx, dir, incidents, delay, workers, true)
	if err != nil {
		return err
	}
	go func() { _ = e.n.Run(ctx) }()
	starts := map[string]time.Time{}
	for i := range incidents {
		c := fmt.Sprintf("C%05d", i)
		now := time.Now()
		starts[fmt.Sprintf("<noc@%s.example>", c)] = now
		in := incident.Incident{ID: int64(i + 1), Kind: incident.Outage, Start: now,
			Members: []incident.Member{{Line: "L-" + c, Customer: c, Tier: "diamond", Down: now}}}
		if err := e.open(ctx, in); err != nil {
			return err
		}
		time.Sleep(every) // the load's pacing, not a wait for a result
	}
	deadline := time.Now().Add(delay + time.Minute)
	for len(e.sink.Messages()) < incidents && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	var lat, beyond []time.Duration
	for _, m := range e.sink.Messages() {
		s, ok := starts["<"+m.To[0]+">"]
		if !ok {
			continue
		}
		lat = append(lat, m.At.Sub(s))
		beyond = append(beyond, m.At.Sub(s)-delay)
	}
	if len(lat) != incidents {
		return fmt.Errorf("latency run: %d of %d messages arrived", len(lat), incidents)
	}
	fmt.Printf("latency, incident start → SMTP server received (%d incidents, one every %s, tier delay %s, default poll 250ms, rate limits default):\n", incidents, every, delay)
	fmt.Printf("  p50 %s  p95 %s  max %s\n", pct(lat, .5).Round(time.Millisecond), pct(lat, .95).Round(time.Millisecond), pct(lat, 1).Round(time.Millisecond))
	fmt.Printf("  beyond the delay: p50 %s  p95 %s  max %s\n", pct(beyond, .5).Round(time.Millisecond), pct(beyond, .95).Round(time.Millisecond), pct(beyond, 1).Round(time.Millisecond))
	sum := benchdoc.New("notify")
	secs := func(d time.Duration) float64 { return d.Round(time.Millisecond).Seconds() }
	for _, q := range []struct {
		name string
		p    float64
	}{{"p50", .5}, {"p95", .95}} {
		sum.Figures = append(sum.Figures, benchdoc.Figure{
			Name:  fmt.Sprintf("incident start → SMTP received %s (%d incidents, one every %s)", q.name, incidents, every),
			Value: secs(pct(lat, q.p)), Unit: "s", Reference: "the tier's configured delay", RefValue: benchdoc.Ref(secs(delay)),
			Goal: fmt.Sprintf("≤ %g s (delay + 2 s) at p95", (delay + 2*time.Second).Seconds())})
	}
	cancel()
	e.close()

	// Throughput.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	dir2, err := os.MkdirTemp("", "bench-notify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir2)
	e, err = setup(ctx, dir2, messages, time.Millisecond, workers, false)
	if err != nil {
		return err
	}
	defer e.close()
	start := time.Now().Add(-time.Minute)
	in := incident.Incident{ID: 1, Kind: incident.Outage, Start: start}
	for i := range messages {
		c := fmt.Sprintf("C%05d", i)
		in.Members = append(in.Members, incident.Member{Line: "L-" + c, Customer: c, Tier: "diamond", Down: start})
	}
	if err := e.open(ctx, in); err != nil {
		return err
	}
	t0 := time.Now()
	for len(e.sink.Messages()) < messages && time.Since(t0) < 5*time.Minute {
		k, err := e.n.Step(ctx)
		if err != nil {
			return err
		}
		if k == 0 {
			break // nothing due: every message was tried
		}
	}
	took := time.Since(t0)
	got := len(e.sink.Messages())
	fmt.Printf("throughput, %d messages due at once, %d workers, one SMTP connection per message, rate limits lifted:\n", got, workers)
	fmt.Printf("  %s, %.0f messages/s\n", took.Round(time.Millisecond), float64(got)/took.Seconds())
	if got != messages {
		return fmt.Errorf("throughput run: %d of %d messages arrived", got, messages)
	}
	sum.Figures = append(sum.Figures, benchdoc.Figure{Name: fmt.Sprintf("sender throughput, %d messages due at once, %d workers", got, workers),
		Value: float64(int(float64(got)/took.Seconds()*10)) / 10, Unit: "messages/s"})
	fmt.Println()
	return benchdoc.Emit(os.Stdout, sum)
}
