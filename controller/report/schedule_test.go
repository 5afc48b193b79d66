package report

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/notify"
	"github.com/vantage-net/vantage/controller/notify/channel/email"
	"github.com/vantage-net/vantage/controller/report/reporttest"
	"github.com/vantage-net/vantage/internal/smtpsink"
)

// Weekly and monthly delivery with an injected clock, through the notify
// outbox and the real SMTP test server: one mail per account manager per
// period, each with every customer's report in each format attached,
// the PDFs readable with their Chinese text; a second look in the same
// period sends nothing more; the English manager's mail is in English.
func TestScheduledDeliveryThroughSMTP(t *testing.T) {
	db, _ := scenario(t)
	sink, err := smtpsink.Start("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	var mu sync.Mutex
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, reporttest.Shanghai) // Monday after the scenario's week
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	n, err := notify.New(notify.Options{DB: db, Rules: notify.DefaultRules(), Now: clock,
		Email: &email.Options{Host: "127.0.0.1", Port: sink.Port(), TLS: email.None, From: "Vantage <noc@test.vantage>"}},
		slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Options{DB: db, Location: reporttest.Shanghai, Proactive: n.Proactive, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	s := NewScheduler(b, n, ScheduleOptions{Weekly: true, Monthly: true, Formats: []string{"pdf", "csv"},
		Languages: map[string]string{reporttest.OtherManager: "en"}}, nil, prometheus.NewRegistry())
	deliver := func(want int) []smtpsink.Message {
		t.Helper()
		before := len(sink.Messages())
		q, err := s.Step(t.Context())
		if err != nil || q != want {
			t.Fatalf("%s: queued %d, %v; want %d", clock(), q, err, want)
		}
		for {
			k, err := n.Step(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if k == 0 {
				break
			}
		}
		msgs := sink.Messages()[before:]
		if len(msgs) != want {
			t.Fatalf("%d mails sent, want %d", len(msgs), want)
		}
		return msgs
	}
	// Monday 23 November: last week's and October's mails, one per manager.
	msgs := deliver(4)
	var weekly smtpsink.Message
	subjects := []string{}
	for _, m := range msgs {
		subjects = append(subjects, m.To[0]+" "+m.Subject)
		if m.To[0] == reporttest.Manager && strings.Contains(m.Subject, "周报") {
			weekly = m
		}
	}
	slices.Sort(subjects)
	want := []string{
		reporttest.Manager + " 客户影响周报 2026-11-16 – 2026-11-22", reporttest.Manager + " 客户影响月报 2026-10-01 – 2026-10-31",
		reporttest.OtherManager + " Monthly customer impact reports 2026-10-01 – 2026-10-31",
		reporttest.OtherManager + " Weekly customer impact reports 2026-11-16 – 2026-11-22"}
	if !slices.Equal(subjects, want) {
		t.Errorf("mails:\n%s\nwant\n%s", strings.Join(subjects, "\n"), strings.Join(want, "\n"))
	}
	files, err := weekly.Attachments()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	wantNames := []string{"report-C-SH-001-2026-11-16.csv", "report-C-SH-001-2026-11-16.pdf", "report-C-SH-003-2026-11-16.csv",
		"report-C-SH-003-2026-11-16.pdf", "report-C-SH-004-2026-11-16.csv", "report-C-SH-004-2026-11-16.pdf"}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("attachments %v, want %v", names, wantNames)
	}
	if !strings.Contains(string(files["report-C-SH-001-2026-11-16.csv"]), "line,C-SH-001,2026-11-16 00:00:00,2026-11-23 00:00:00,L1,99.9,") {
		t.Errorf("CSV attachment:\n%s", files["report-C-SH-001-2026-11-16.csv"])
	}
	pdf := filepath.Join(t.TempDir(), "a.pdf")
	os.WriteFile(pdf, files["report-C-SH-001-2026-11-16.pdf"], 0o644)
	if text, err := exec.Command("pdftotext", pdf, "-").Output(); err != nil || !strings.Contains(string(text), reporttest.CustomerName) {
		t.Errorf("PDF attachment: %v\n%s", err, text)
	}
	// Later the same week: nothing more.
	mu.Lock()
	now = now.Add(3 * 24 * time.Hour)
	mu.Unlock()
	deliver(0)
	// Monday 30 November: the next week's mails only; 1 December: November's.
	mu.Lock()
	now = time.Date(2026, 11, 30, 0, 5, 0, 0, reporttest.Shanghai)
	mu.Unlock()
	for _, m := range deliver(2) {
		if !strings.Contains(m.Subject, "2026-11-23") {
			t.Errorf("30 Nov: %s", m.Subject)
		}
	}
	mu.Lock()
	now = time.Date(2026, 12, 1, 0, 5, 0, 0, reporttest.Shanghai)
	mu.Unlock()
	for _, m := range deliver(2) {
		if !strings.Contains(m.Subject, "2026-11-01 – 2026-11-30") {
			t.Errorf("1 Dec: %s", m.Subject)
		}
	}
}

// failingMailer refuses one recipient's mail.
type failingMailer struct {
	Mailer
	refuse string
}

func (f failingMailer) EnqueueMail(ctx context.Context, m notify.Mail) (bool, error) {
	if m.To == f.refuse {
		return false, errors.New("refused")
	}
	return f.Mailer.EnqueueMail(ctx, m)
}

// One manager's failing mail does not hold back the others': they are
// queued in the same look, and the error names the manager.
func TestScheduledDeliveryFailureIsolated(t *testing.T) {
	db, b := scenario(t)
	n, err := notify.New(notify.Options{DB: db, Now: func() time.Time { return reporttest.Now }}, nil, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	s := NewScheduler(b, failingMailer{Mailer: n, refuse: reporttest.Manager}, ScheduleOptions{Weekly: true, Formats: []string{"csv"}},
		nil, prometheus.NewRegistry())
	q, err := s.Step(t.Context())
	if err == nil || !strings.Contains(err.Error(), reporttest.Manager) || q != 1 {
		t.Fatalf("queued %d, %v; want the other manager's mail queued and an error naming %s", q, err, reporttest.Manager)
	}
	var to string
	if err := db.QueryRow(`SELECT recipient FROM notify_outbox WHERE kind = 'report_weekly'`).Scan(&to); err != nil || to != reporttest.OtherManager {
		t.Errorf("queued to %q (%v)", to, err)
	}
}
