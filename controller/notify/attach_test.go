package notify

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/controller/notify/channel"
)

// A mail with attachments goes through the outbox to the real SMTP test
// server with its files intact, once for its key.
func TestEnqueueMailWithAttachments(t *testing.T) {
	r := newRig(t, DefaultRules(), nil)
	pdf := []byte("%PDF-1.4 not really\x00\x01\xff")
	m := Mail{Key: "report/week/2026-11-16/am@example.com", Kind: "report_weekly", To: "am@example.com", Name: "Li",
		Role: "account_manager", Language: "zh-CN", Subject: "周报", Text: "见附件", HTML: "<p>见附件</p>", Due: t0,
		Attachments: []channel.Attachment{{Name: "a.pdf", ContentType: "application/pdf", Data: pdf},
			{Name: "a.csv", ContentType: "text/csv", Data: []byte("x,y\n1,2\n")}}}
	for i, want := range []bool{true, false} {
		added, err := r.n.EnqueueMail(r.ctx, m)
		if err != nil || added != want {
			t.Fatalf("enqueue %d: added %v, %v", i, added, err)
		}
	}
	if _, err := r.n.EnqueueMail(r.ctx, Mail{Key: "k"}); err == nil {
		t.Error("mail without recipient: no error")
	}
	if n, err := r.n.Step(r.ctx); err != nil || n != 1 {
		t.Fatalf("step: %d, %v", n, err)
	}
	msgs := r.sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	files, err := msgs[0].Attachments()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("attachments %v", files)
	}
	if got := files["a.pdf"]; !bytes.Equal(got, pdf) {
		t.Errorf("a.pdf = %q, want %q", got, pdf)
	}
	if got := files["a.csv"]; !strings.Contains(string(got), "1,2") {
		t.Errorf("a.csv = %q", got)
	}
	var status string
	r.db.QueryRow(`SELECT status FROM notify_outbox WHERE key = ?`, m.Key).Scan(&status)
	if status != "sent" {
		t.Errorf("status %s", status)
	}
}
