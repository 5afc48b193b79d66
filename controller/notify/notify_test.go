package notify

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/controller/store/storetest"
	"github.com/vantage-net/vantage/internal/smtpsink"
)

func diamondRules() map[string]Rule {
	r := DefaultRules()
	d := r["diamond"]
	d.Channels = []string{Email}
	d.Webhooks = []string{"ops-chat"}
	d.AccountManager, d.Ops = false, false
	r["diamond"] = d
	return r
}

func emailOnly() map[string]Rule {
	r := diamondRules()
	d := r["diamond"]
	d.Webhooks = nil
	r["diamond"] = d
	return r
}

// A diamond customer's outage: email and webhook exactly at the tier's
// delay (30 s), not before; the recovery after, with what happened and
// how long; wording in the contact's language (zh-CN by default, en).
func TestDiamondOutageEmailWebhookRecovery(t *testing.T) {
	r := newRig(t, diamondRules(), nil)
	r.customer("D1", "diamond", "li@d1.example", "")
	r.customer("D2", "diamond", "ann@d2.example", "en")
	l1 := incident.Line{ID: "0571-0001", Customer: "D1", Tier: "diamond"}
	l2 := incident.Line{ID: "0571-0002", Customer: "D2", Tier: "diamond"}
	r.line(l1, linestate.Down, t0)
	r.line(l2, linestate.Down, t0)

	r.at(t0.Add(29 * time.Second))
	r.send()
	if n := len(r.sink.Messages()) + len(r.hook.got()); n != 0 {
		t.Fatalf("%d messages before the 30-s delay", n)
	}
	r.at(t0.Add(30 * time.Second))
	r.send()
	msgs := r.sink.Messages()
	if len(msgs) != 2 || len(r.hook.got()) != 2 {
		t.Fatalf("at the delay: %d emails, %d webhooks; want 2 and 2", len(msgs), len(r.hook.got()))
	}
	byTo := map[string]smtpsink.Message{}
	for _, m := range msgs {
		byTo[m.To[0]] = m
	}
	zh, en := byTo["li@d1.example"], byTo["ann@d2.example"]
	for _, c := range []struct {
		m    smtpsink.Message
		want []string
	}{
		{zh, []string{"业务中断", "0571-0001", "VAN-1", "+86 571 10086", "2026-12-01 10:00:00 CST"}},
		{en, []string{"Service interruption", "0571-0002", "VAN-2", "+86 571 10086", "2026-12-01 10:00:00 CST"}},
	} {
		text := c.m.Subject + "\n" + c.m.Text()
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("message to %v lacks %q:\n%s", c.m.To, w, text)
			}
		}
	}
	if strings.Contains(zh.Text(), "0571-0002") || strings.Contains(en.Text(), "0571-0001") {
		t.Error("a customer's message names another customer's line")
	}
	for _, b := range r.hook.got() {
		md, _ := b["markdown"].(map[string]any)
		if c, _ := md["content"].(string); !strings.Contains(c, "Service interruption") {
			t.Errorf("WeCom body (en webhook) = %v", b)
		}
	}

	r.line(l1, linestate.Up, t0.Add(5*time.Minute))
	r.line(l2, linestate.Up, t0.Add(5*time.Minute))
	r.send()
	msgs = r.sink.Messages()
	if len(msgs) != 4 || len(r.hook.got()) != 4 {
		t.Fatalf("after recovery: %d emails, %d webhooks; want 4 and 4", len(msgs), len(r.hook.got()))
	}
	for _, m := range msgs[2:] {
		text := m.Subject + "\n" + m.Text()
		want := []string{"已恢复", "持续 5分0秒", "10:05:00"}
		if m.To[0] == "ann@d2.example" {
			want = []string{"restored", "lasted 5 min 0 s", "10:05:00"}
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("recovery to %v lacks %q:\n%s", m.To, w, text)
			}
		}
	}
	for id, n := range r.sink.Count() {
		if n != 1 || !strings.HasSuffix(id, "@test.vantage>") {
			t.Errorf("Message-ID %s delivered %d times", id, n)
		}
	}
}

// One incident with 300 lines of 40 customers sends 40 customer messages,
// each naming exactly that customer's lines.
func TestOneMessagePerCustomer(t *testing.T) {
	rules := DefaultRules()
	g := rules["gold"]
	g.AccountManager, g.Ops = false, false
	rules["gold"] = g
	r := newRig(t, rules, nil)
	want := map[string][]string{}
	var lines []incident.Line
	for i := range 40 {
		r.customer(fmt.Sprintf("G%02d", i), "gold", fmt.Sprintf("noc@g%02d.example", i), "en")
	}
	for i := range 300 {
		c := fmt.Sprintf("G%02d", i%40)
		l := incident.Line{ID: fmt.Sprintf("L%03d", i), Customer: c, Tier: "gold", Path: []string{"pop-1", "pe-1", "card-3"},
			Interval: 10 * time.Second}
		lines = append(lines, l)
		want["noc@"+strings.ToLower(c)+".example"] = append(want["noc@"+strings.ToLower(c)+".example"], l.ID)
	}
	// The card's 300 watched lines all fail: the first ones open incidents
	// of their own until half have failed within the spread, then the card
	// is the common cause and their incidents merge into its one.
	r.grp.SetTopology(incident.Topology{"card-3": {Kind: "card", Watched: 300}})
	for i, l := range lines {
		r.line(l, linestate.Down, t0.Add(time.Duration(i)*10*time.Millisecond))
	}
	if open := r.grp.Open(); len(open) != 1 || len(open[0].Members) != 300 {
		t.Fatalf("grouper made %d incidents, want one of 300 lines", len(open))
	}
	// The email channel's rate limit (20/s) spreads the 40 over 2 s.
	for _, d := range []time.Duration{3 * time.Minute, 3*time.Minute + time.Second, 3*time.Minute + 2*time.Second} {
		r.at(t0.Add(d))
		r.send()
	}
	msgs := r.sink.Messages()
	if len(msgs) != 40 {
		t.Fatalf("%d messages, want 40 (one per customer)", len(msgs))
	}
	seen := map[string]bool{}
	for _, m := range msgs {
		to := m.To[0]
		if seen[to] {
			t.Errorf("%s got two messages", to)
		}
		seen[to] = true
		text := m.Text()
		var got []string
		for _, ln := range strings.Split(text, "\n") {
			if s, ok := strings.CutPrefix(strings.TrimSpace(ln), "- "); ok {
				got = append(got, s)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want[to]) {
			t.Errorf("%s: lines %v, want %v", to, got, want[to])
		}
	}
}

// A 2-second flap of a silver customer's line wakes nobody: the start
// message is cancelled before its 5-min delay and no recovery is sent.
func TestSilverShortFlapSendsNothing(t *testing.T) {
	r := newRig(t, DefaultRules(), nil)
	r.customer("S1", "silver", "s1@example", "")
	l := incident.Line{ID: "L-S1", Customer: "S1", Tier: "silver"}
	r.line(l, linestate.Down, t0)
	r.line(l, linestate.Up, t0.Add(2*time.Second))
	r.at(t0.Add(time.Hour))
	r.send()
	if n := len(r.sink.Messages()); n != 0 {
		t.Fatalf("%d messages for a 2-s flap", n)
	}
	if st := r.statuses(); st["outage_start/cancelled"] != 1 || len(st) != 1 {
		t.Errorf("outbox %v, want one cancelled start", st)
	}
}

// A flapping line sends exactly one start and one end message, however
// many flaps it has; its short outages send nothing.
func TestFlappingOneStartOneEnd(t *testing.T) {
	r := newRig(t, diamondRules(), nil)
	r.customer("D1", "diamond", "li@d1.example", "en")
	l := incident.Line{ID: "L-F", Customer: "D1", Tier: "diamond"}
	// Three flaps, then the penalty crosses suppress: the detector shows
	// the line flapping (further flaps are inside that state), until it
	// is stable again.
	at := t0
	for range 3 {
		r.line(l, linestate.Down, at)
		r.line(l, linestate.Up, at.Add(2*time.Second))
		at = at.Add(10 * time.Second)
		r.send()
	}
	r.line(l, linestate.Flapping, at)
	r.send()
	r.line(l, linestate.Unknown, at.Add(30*time.Second)) // silent a while: closes nothing
	r.line(l, linestate.Flapping, at.Add(time.Minute))   // heard again, still flapping
	r.send()
	r.line(l, linestate.Up, at.Add(10*time.Minute))
	r.send()
	var subjects []string
	for _, m := range r.sink.Messages() {
		subjects = append(subjects, m.Subject)
	}
	if len(subjects) != 2 || !strings.Contains(subjects[0], "Unstable") || !strings.Contains(subjects[1], "stable again") {
		t.Fatalf("emails %q, want one flapping start and one end", subjects)
	}
	if len(r.hook.got()) != 2 {
		t.Errorf("%d webhook posts, want 2", len(r.hook.got()))
	}
}

// SMTP refusing (451) then accepting: retried with backoff, delivered
// once, every attempt recorded.
func TestSMTPRefusedThenAccepted(t *testing.T) {
	r := newRig(t, emailOnly(), nil)
	r.customer("D1", "diamond", "li@d1.example", "")
	r.sink.Refuse(2)
	r.line(incident.Line{ID: "L1", Customer: "D1", Tier: "diamond"}, linestate.Down, t0)
	for _, d := range []time.Duration{30 * time.Second, 30*time.Second + 500*time.Millisecond, 31 * time.Second, 33 * time.Second} {
		r.at(t0.Add(d))
		r.send()
	}
	count := r.sink.Count()
	if len(count) != 1 {
		t.Fatalf("delivered %v, want one message", count)
	}
	for id, n := range count {
		if n != 1 {
			t.Errorf("%s delivered %d times", id, n)
		}
	}
	var outcomes []string
	rows, err := r.db.QueryContext(r.ctx, `SELECT outcome FROM notify_attempts ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var o string
		_ = rows.Scan(&o)
		outcomes = append(outcomes, o)
	}
	if !slices.Equal(outcomes, []string{"retry", "retry", "sent"}) {
		t.Errorf("attempts %v, want retry, retry, sent", outcomes)
	}
}

// A message claimed by a sender that died before recording the outcome is
// sent again after Recover, with the same Message-ID; one never claimed
// is sent once.
func TestRecoverResendsClaimedWithSameMessageID(t *testing.T) {
	r := newRig(t, emailOnly(), nil)
	r.customer("D1", "diamond", "li@d1.example", "")
	r.line(incident.Line{ID: "L1", Customer: "D1", Tier: "diamond"}, linestate.Down, t0)
	r.at(t0.Add(time.Minute))
	claimed, err := r.n.claim(r.ctx, r.clock()) // the crashed sender's claim
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %d rows", err, len(claimed))
	}
	r.send()
	if n := len(r.sink.Messages()); n != 0 {
		t.Fatalf("a claimed row was sent %d times before Recover", n)
	}
	if storetest.Postgres() {
		// Another controller may be delivering it: its lease must run out
		// first (TestRecoverLeavesAnotherSendersClaim).
		if k, err := r.n.Recover(r.ctx); err != nil || k != 0 {
			t.Fatalf("Recover within the lease: %d, %v; want 0", k, err)
		}
		r.at(r.clock().Add(r.n.lease()))
	}
	if k, err := r.n.Recover(r.ctx); err != nil || k != 1 {
		t.Fatalf("Recover: %d, %v", k, err)
	}
	r.send()
	r.send()
	msgs := r.sink.Messages()
	if len(msgs) != 1 || msgs[0].MessageID != "<"+claimed[0].MessageID+">" {
		t.Fatalf("after Recover: %d messages (%v), want one with Message-ID <%s>", len(msgs), r.sink.Count(), claimed[0].MessageID)
	}
}

// Quiet hours hold a non-urgent message (the recovery) until they end; an
// urgent one (the start) goes out at once.
func TestQuietHoursHoldNonUrgent(t *testing.T) {
	r := newRig(t, diamondRules(), nil)
	r.customer("D1", "diamond", "li@d1.example", "en")
	r.exec(`UPDATE contacts SET quiet_hours = '09:00-12:00'`) // t0 is 10:00 in Shanghai
	l := incident.Line{ID: "L1", Customer: "D1", Tier: "diamond"}
	r.line(l, linestate.Down, t0)
	r.at(t0.Add(30 * time.Second))
	r.send()
	r.line(l, linestate.Up, t0.Add(time.Hour))
	r.send()
	if n := len(r.sink.Messages()); n != 1 {
		t.Fatalf("%d emails during quiet hours, want the start only", n)
	}
	r.at(t0.Add(2 * time.Hour)) // 12:00 Shanghai
	r.send()
	if n := len(r.sink.Messages()); n != 2 {
		t.Fatalf("%d emails after quiet hours, want the recovery too", n)
	}
}

// An incident line health attributes to the customer's premises is worded
// as such, in both languages.
func TestCustomerPremisesWording(t *testing.T) {
	r := newRig(t, emailOnly(), nil)
	r.customer("D1", "diamond", "li@d1.example", "")
	r.customer("D2", "diamond", "ann@d2.example", "en")
	// Line health stores the cause in the incident's row before the hook
	// runs, in the same transaction.
	for id := 1; id <= 2; id++ {
		r.exec(`INSERT INTO incidents (id, kind, started_at, lines, customers, timeline, updated_at, cause)
			VALUES (?, 'outage', ?, '[]', '[]', '[]', ?, 'customer_premises')`, id, t0.UnixMilli(), t0.UnixMilli())
	}
	r.line(incident.Line{ID: "L1", Customer: "D1", Tier: "diamond"}, linestate.Down, t0)
	r.line(incident.Line{ID: "L2", Customer: "D2", Tier: "diamond"}, linestate.Down, t0)
	r.at(t0.Add(time.Minute))
	r.send()
	msgs := r.sink.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d emails, want 2", len(msgs))
	}
	for _, m := range msgs {
		want := "故障疑似位于贵单位侧"
		if m.To[0] == "ann@d2.example" {
			want = "the cause appears to be at your premises"
		}
		if !strings.Contains(m.Text(), want) {
			t.Errorf("message to %v lacks %q:\n%s", m.To, want, m.Text())
		}
	}
}

// Two lines' own incidents, each already told, become one element
// incident when a third line below the element fails (the first is
// promoted, the second merged into it): nobody gets a second start
// message, the third customer gets one, and each gets one recovery.
func TestMergedIncidentNotToldTwice(t *testing.T) {
	rules := emailOnly()
	d := rules["diamond"]
	d.OutageAfter = time.Second
	rules["diamond"] = d
	r := newRig(t, rules, nil)
	r.grp.SetTopology(incident.Topology{"card-1": {Kind: "card", Watched: 6}})
	var lines []incident.Line
	for i := 1; i <= 3; i++ {
		c := fmt.Sprintf("D%d", i)
		r.customer(c, "diamond", fmt.Sprintf("x@d%d.example", i), "en")
		lines = append(lines, incident.Line{ID: fmt.Sprintf("L%d", i), Customer: c, Tier: "diamond",
			Path: []string{"pop-1", "card-1"}, Interval: 10 * time.Second})
	}
	for i, l := range lines {
		at := t0.Add(time.Duration(i) * 3 * time.Second)
		r.line(l, linestate.Down, at)
		r.at(at.Add(2 * time.Second))
		r.send()
	}
	if open := r.grp.Open(); len(open) != 1 || len(open[0].Members) != 3 {
		t.Fatalf("open incidents %+v, want the card's with three lines", open)
	}
	for _, l := range lines {
		r.line(l, linestate.Up, t0.Add(time.Minute))
	}
	r.send()
	got := map[string][]string{}
	for _, m := range r.sink.Messages() {
		got[m.To[0]] = append(got[m.To[0]], strings.Join(strings.Fields(m.Subject)[1:3], " "))
	}
	told := []string{"Service interruption", "Service restored"}
	want := map[string][]string{"x@d1.example": told, "x@d2.example": told, "x@d3.example": told}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("emails %v, want %v", got, want)
	}
}
