package notify

import (
	"context"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"slices"
	"strings"
	"text/template"
	"time"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

// Languages with templates; the first is the default.
var Languages = []string{"zh-CN", "en"}

type templates struct {
	text map[string]*template.Template
	html map[string]*htmltemplate.Template
}

func loadTemplates() (*templates, error) {
	t := &templates{text: map[string]*template.Template{}, html: map[string]*htmltemplate.Template{}}
	for _, lang := range Languages {
		tt, err := template.ParseFS(templateFiles, "templates/"+lang+".txt.tmpl")
		if err != nil {
			return nil, fmt.Errorf("notify: templates: %w", err)
		}
		ht, err := htmltemplate.ParseFS(templateFiles, "templates/"+lang+".html.tmpl")
		if err != nil {
			return nil, fmt.Errorf("notify: templates: %w", err)
		}
		t.text[lang], t.html[lang] = tt.Option("missingkey=error"), ht
	}
	return t, nil
}

// language picks the template for a contact's language tag: "en", "en-US"
// → en; anything else, or none, → zh-CN.
func language(tag string) string {
	if strings.HasPrefix(strings.ToLower(tag), "en") {
		return "en"
	}
	return "zh-CN"
}

// view is what templates see.
type view struct {
	Kind, Lang, Ticket, Phone   string
	CustomerName, RecipientName string
	Start, End, Duration        string
	Premises, Planned           bool
	Title                       string // a maintenance window's
	Cell, Loss                  string // a weak-coverage event's cell; a degradation's mean loss
	Lines                       []FactLine
	Intro                       string // the text body's first paragraph, for the HTML part
	// AckLink is the signed acknowledgement link of a dispatch message;
	// AckTimeout the dispatch's timeout.
	AckLink, AckTimeout string
}

// render fills r's subject, text and HTML from the incident's facts now.
// They are stored with the first attempt and reused by every retry.
func (n *Notifier) render(ctx context.Context, r *row) error {
	f, err := n.factsOf(ctx, r)
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	lang := language(r.Language)
	v := view{Kind: r.Kind, Lang: lang, Ticket: fmt.Sprintf("VAN-%d", r.Incident), Phone: n.opts.Phone,
		RecipientName: r.Name, Premises: f.CustomerPremises(), Lines: f.Lines, CustomerName: r.Customer,
		Planned: f.Planned, Title: f.Title}
	switch {
	case r.Maintenance != 0:
		v.Ticket = fmt.Sprintf("MW-%d", r.Maintenance)
	case r.EventRef != "":
		kind, rest, _ := strings.Cut(r.EventRef, "/")
		id, _, _ := strings.Cut(rest, "/")
		v.Ticket = map[string]string{Degraded: "DEG-", WeakCoverage: "COV-"}[kind] + id
		v.Cell = f.Cell
		if f.LossPct > 0 {
			v.Loss = fmt.Sprintf("%.1f %%", f.LossPct)
		}
	}
	if r.Customer == "" { // the ops on-call: every customer's lines
		k := map[string]bool{}
		for _, l := range f.Lines {
			k[l.Customer] = true
		}
		v.CustomerName = map[string]string{"en": fmt.Sprintf("%d customer(s)", len(k)), "zh-CN": fmt.Sprintf("%d 个客户", len(k))}[lang]
	} else {
		var name string
		if n.opts.DB.QueryRowContext(ctx, `SELECT name FROM customers WHERE id = ?`, r.Customer).Scan(&name) == nil && name != "" {
			v.CustomerName = name
		}
	}
	v.Start = f.Start.In(n.opts.Location).Format("2006-01-02 15:04:05 MST")
	if !f.End.IsZero() {
		v.End = f.End.In(n.opts.Location).Format("2006-01-02 15:04:05 MST")
		v.Duration = duration(f.End.Sub(f.Start), lang)
	}
	if d := n.opts.Dispatch; d != nil && slices.Contains(dispatchKinds, r.Kind) {
		v.AckTimeout = duration(d.AckTimeout, lang)
		v.Duration = duration(n.opts.Now().Sub(f.Start), lang)
		if d.LinkBase != "" && len(d.LinkSecret) > 0 && r.Kind != EscalationLimit {
			v.AckLink = strings.TrimSuffix(d.LinkBase, "/") + "/ack/" + n.ackToken(r.Incident, r.Recipient, n.opts.Now().Add(d.LinkValid))
		}
	}
	var b strings.Builder
	if err := n.tmpl.text[lang].ExecuteTemplate(&b, "subject", v); err != nil {
		return fmt.Errorf("render subject: %w", err)
	}
	r.Subject = strings.TrimSpace(b.String())
	b.Reset()
	if err := n.tmpl.text[lang].ExecuteTemplate(&b, "text", v); err != nil {
		return fmt.Errorf("render text: %w", err)
	}
	r.Body = b.String()
	if r.Channel == Email {
		paras := strings.SplitN(r.Body, "\n\n", 3)
		if len(paras) > 1 {
			v.Intro = strings.TrimSpace(paras[1])
		}
		b.Reset()
		if err := n.tmpl.html[lang].ExecuteTemplate(&b, "html", v); err != nil {
			return fmt.Errorf("render html: %w", err)
		}
		r.HTML = b.String()
	}
	return nil
}

// factsOf returns what a row's message is about, for its customer's lines:
// its incident (with the cause as line health holds it now: it may have
// been revised since the hook stored the facts), or its maintenance window.
func (n *Notifier) factsOf(ctx context.Context, r *row) (Facts, error) {
	if r.Maintenance != 0 {
		return n.windowFacts(ctx, r.Maintenance, r.Customer)
	}
	if r.EventRef != "" {
		return n.eventFacts(ctx, r.EventRef)
	}
	var f Facts
	if err := n.opts.DB.QueryRowContext(ctx, `SELECT facts FROM notify_incidents WHERE incident_id = ?`, r.Incident).
		Scan(jsonInto(&f)); err != nil {
		return f, fmt.Errorf("facts of incident %d: %w", r.Incident, err)
	}
	var cause string
	if n.opts.DB.QueryRowContext(ctx, `SELECT cause FROM incidents WHERE id = ?`, r.Incident).Scan(&cause) == nil && cause != "" {
		f.Cause = cause
	}
	return f.For(r.Customer), nil
}

// duration says how long, in whole seconds, the way a reader says it.
func duration(d time.Duration, lang string) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if lang == "en" {
		switch {
		case h > 0:
			return fmt.Sprintf("%dh %dmin %ds", h, m, s)
		case m > 0:
			return fmt.Sprintf("%d min %d s", m, s)
		}
		return fmt.Sprintf("%d s", s)
	}
	switch {
	case h > 0:
		return fmt.Sprintf("%d小时%d分%d秒", h, m, s)
	case m > 0:
		return fmt.Sprintf("%d分%d秒", m, s)
	}
	return fmt.Sprintf("%d秒", s)
}
