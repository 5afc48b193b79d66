package report

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/notify"
	"github.com/vantage-net/vantage/controller/store/sqldb"
)

// CommandOptions are `vantage-controller report`'s.
type CommandOptions struct {
	DB string
	// Customer's report, or Manager's portfolio (one of them).
	Customer, Manager string
	// Period is week, month or "" (From and To then); dates in Location.
	Period, From, To string
	Format, Out      string
	// Language; "" takes Languages[manager], else zh-CN.
	Language  string
	Languages map[string]string
	Location  *time.Location
	Targets   map[string]float64
	Font      string
	// Notify is the config's notify options (nil: none). With none, the
	// notifications section is shown when the outbox ever held a message
	// (default rules then).
	Notify *notify.Options
	// Progress gets one line per step (stderr).
	Progress io.Writer
	// Stdout is where the report goes without Out (default os.Stdout).
	Stdout io.Writer
	Now    func() time.Time
}

// Command writes one customer's report or a manager's portfolio to Out
// (stdout when "" or "-").
func Command(ctx context.Context, o CommandOptions) error {
	if (o.Customer == "") == (o.Manager == "") {
		return fmt.Errorf("give one of --customer ID or --manager ID")
	}
	if !slices.Contains(Formats, o.Format) {
		return fmt.Errorf("format %q is not one of html, pdf, csv, json", o.Format)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	if _, err := os.Stat(o.DB); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	from, to, err := Period(o.Period, o.From, o.To, o.Location, o.Now())
	if err != nil {
		return err
	}
	db, err := sqldb.Open(ctx, o.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	b, err := New(Options{DB: db, Location: o.Location, Targets: Targets(o.Targets), Now: o.Now,
		Proactive: proactiveFor(ctx, db, o.Notify, o.Now)})
	if err != nil {
		return err
	}
	fonts := Fonts{Path: o.Font}
	if o.Format == "pdf" {
		if err := fonts.Load(); err != nil {
			return err
		}
	}
	out := o.Stdout
	if out == nil {
		out = os.Stdout
	}
	var f *os.File
	if o.Out != "" && o.Out != "-" {
		if f, err = os.Create(o.Out); err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	w := bufio.NewWriter(out)
	start := time.Now()
	if o.Manager != "" {
		lang := o.Language
		if lang == "" {
			lang = o.Languages[o.Manager]
		}
		p, err := b.Portfolio(ctx, o.Manager, from, to, lang, func(done, total int, c string) {
			fmt.Fprintf(o.Progress, "report: [%d/%d] %s\n", done, total, c)
		})
		if err != nil {
			return err
		}
		switch o.Format {
		case "json":
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			err = enc.Encode(p)
		case "csv":
			err = PortfolioCSV(w, p)
		case "html":
			err = PortfolioHTML(w, p, o.Location)
		default:
			err = fmt.Errorf("--manager: format %q is not html, csv or json", o.Format)
		}
		if err != nil {
			return err
		}
	} else {
		r, err := b.Customer(ctx, o.Customer, from, to, langOf(ctx, db, o))
		if err != nil {
			return err
		}
		fmt.Fprintf(o.Progress, "report: %s %s – %s (%s): %d lines, %d incidents, %d complaints computed in %s\n", o.Customer,
			clock(from, o.Location), clock(to, o.Location), o.Location, len(r.Lines), len(r.Incidents), len(r.Complaints),
			time.Since(start).Round(time.Millisecond))
		if err := Render(w, r, o.Format, o.Location, fonts); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return err
		}
		st, _ := os.Stat(o.Out)
		fmt.Fprintf(o.Progress, "report: wrote %s (%s, %d bytes) in %s\n", o.Out, o.Format, st.Size(), time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// langOf is --lang, else the customer's manager's language.
func langOf(ctx context.Context, db *sql.DB, o CommandOptions) string {
	if o.Language != "" {
		return o.Language
	}
	var m string
	db.QueryRowContext(ctx, `SELECT account_manager FROM customers WHERE id = ?`, o.Customer).Scan(&m)
	return o.Languages[m]
}

// proactiveFor is a notifier's proactive ratio: the config's rules, or
// the default rules when the outbox shows notify ran; nil otherwise.
func proactiveFor(ctx context.Context, db *sql.DB, no *notify.Options, now func() time.Time) func(context.Context, time.Time, time.Time) ([]notify.ProactiveRow, []notify.ProactiveRow, error) {
	var o notify.Options
	if no != nil {
		o = *no
	} else {
		var any int
		if db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM notify_outbox LIMIT 1) AS o`).Scan(&any) != nil || any == 0 {
			return nil
		}
		o.Rules = notify.DefaultRules()
	}
	o.DB, o.Now = db, now
	n, err := notify.New(o, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	if err != nil {
		return nil
	}
	return n.Proactive
}
