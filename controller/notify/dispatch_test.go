package notify

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/internal/smtpsink"
)

func dispatchRig(t *testing.T) *rig {
	r := newRig(t, emailOnly(), func(o *Options) {
		o.Dispatch = &Dispatch{Limits: map[string]time.Duration{"diamond": 8 * time.Hour},
			First:    OpsContact{Name: "First", Email: "first@noc.example", Language: "en"},
			Second:   OpsContact{Name: "Second", Email: "second@noc.example", Language: "en"},
			Lead:     OpsContact{Name: "Lead", Email: "lead@noc.example"},
			LinkBase: "https://vantage.test/", LinkSecret: []byte("test-secret")}
	})
	return r
}

// to returns the subjects of the messages to addr, in order.
func to(msgs []smtpsink.Message, addr string) []string {
	var out []string
	for _, m := range msgs {
		if m.To[0] == addr {
			out = append(out, m.Subject)
		}
	}
	return out
}

// Not acknowledged: the first contact at the tier's delay, the second 20
// min later, the lead 20 min after that, the lead again at the tier's
// 8-h limit. Ended: nothing more.
func TestEscalationWithoutAck(t *testing.T) {
	r := dispatchRig(t)
	r.customer("D1", "diamond", "c@d1.example", "en")
	l := incident.Line{ID: "L1", Customer: "D1", Tier: "diamond"}
	r.line(l, linestate.Down, t0)
	steps := []struct {
		at       time.Duration
		addr     string
		subjects int
	}{
		{29 * time.Second, "first@noc.example", 0},
		{30 * time.Second, "first@noc.example", 1},
		{20*time.Minute + 29*time.Second, "second@noc.example", 0},
		{20*time.Minute + 30*time.Second, "second@noc.example", 1},
		{40*time.Minute + 29*time.Second, "lead@noc.example", 0},
		{40*time.Minute + 30*time.Second, "lead@noc.example", 1},
		{8 * time.Hour, "lead@noc.example", 2},
	}
	for _, s := range steps {
		r.at(t0.Add(s.at))
		r.send()
		if got := to(r.sink.Messages(), s.addr); len(got) != s.subjects {
			t.Fatalf("at +%s %s has %d messages %q, want %d", s.at, s.addr, len(got), got, s.subjects)
		}
	}
	lead := to(r.sink.Messages(), "lead@noc.example")
	if !strings.Contains(lead[0], "升级至班组长") || !strings.Contains(lead[1], "超时限") {
		t.Errorf("lead's messages (zh-CN) %q", lead)
	}
	r.line(l, linestate.Up, t0.Add(9*time.Hour))
	r.at(t0.Add(10 * time.Hour))
	r.send()
	if n := len(to(r.sink.Messages(), "lead@noc.example")); n != 2 {
		t.Errorf("lead has %d messages after the end", n)
	}
}

// Acknowledged by the signed link in the first contact's message: the
// second contact and the lead are not told; the link works once; a forged
// or expired link is refused; the API acknowledges too.
func TestAckBySignedLink(t *testing.T) {
	r := dispatchRig(t)
	r.customer("D1", "diamond", "c@d1.example", "en")
	r.customer("D2", "diamond", "c@d2.example", "en")
	r.line(incident.Line{ID: "L1", Customer: "D1", Tier: "diamond"}, linestate.Down, t0)
	r.at(t0.Add(30 * time.Second))
	r.send()
	var text string
	for _, m := range r.sink.Messages() {
		if m.To[0] == "first@noc.example" {
			text = m.Text()
		}
	}
	link := regexp.MustCompile(`https://vantage\.test/ack/(\S+)`).FindStringSubmatch(text)
	if link == nil {
		t.Fatalf("no acknowledgement link in the first contact's message:\n%s", text)
	}
	mux := http.NewServeMux()
	r.n.RegisterAckLinks(mux)
	r.n.RegisterAckAPI(mux, func(h http.Handler) http.Handler { return h })
	do := func(method, path string) int {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(method, path, nil))
		return w.Code
	}
	path := "/ack/" + link[1]
	if c := do(http.MethodGet, path); c != 200 {
		t.Fatalf("GET link: %d", c)
	}
	if st := r.statuses(); st[DispatchSecond+"/pending"] != 1 {
		t.Fatalf("a GET acknowledged (mail scanners follow links): %v", st)
	}
	if c := do(http.MethodPost, path); c != 200 {
		t.Fatalf("POST link: %d", c)
	}
	if c := do(http.MethodPost, path); c != http.StatusConflict {
		t.Errorf("reused link: %d, want 409", c)
	}
	forged := path[:len(path)-2] + "xx"
	if c := do(http.MethodPost, forged); c != http.StatusForbidden {
		t.Errorf("forged link: %d, want 403", c)
	}
	r.at(t0.Add(time.Hour))
	r.send()
	if got := to(r.sink.Messages(), "second@noc.example"); len(got) != 0 {
		t.Errorf("second contact told after the acknowledgement: %q", got)
	}
	if got := to(r.sink.Messages(), "lead@noc.example"); len(got) != 0 {
		t.Errorf("lead told after the acknowledgement: %q", got)
	}
	all := func(string) bool { return true }
	tl, err := r.n.Timeline(r.ctx, 1, all)
	if err != nil {
		t.Fatal(err)
	}
	var whats []string
	for _, e := range tl {
		whats = append(whats, e.What)
	}
	if got := strings.Join(whats, ","); got != "notified,dispatched,acknowledged" {
		t.Errorf("timeline entries %q (%+v), want the customer's notice, the dispatch and the acknowledgement", got, tl)
	}
	if tl, _ := r.n.Timeline(r.ctx, 1, func(c string) bool { return c == "D2" }); len(tl) != 0 {
		t.Errorf("another customer's manager sees %+v", tl)
	}
	r.at(t0.Add(25 * time.Hour)) // past the link's 24 h
	if c := do(http.MethodPost, path); c != http.StatusGone {
		t.Errorf("expired link: %d, want 410", c)
	}

	// The API: incident 2 acknowledged before its second step.
	r.line(incident.Line{ID: "L2", Customer: "D2", Tier: "diamond"}, linestate.Down, t0.Add(25*time.Hour))
	r.at(t0.Add(25*time.Hour + time.Minute))
	r.send()
	if c := do(http.MethodPost, "/api/v1/incidents/2/ack"); c != 200 {
		t.Fatalf("API ack: %d", c)
	}
	if c := do(http.MethodPost, "/api/v1/incidents/99/ack"); c != 404 {
		t.Errorf("API ack of an unknown incident: %d", c)
	}
	r.at(t0.Add(27 * time.Hour))
	r.send()
	if got := to(r.sink.Messages(), "second@noc.example"); len(got) != 0 {
		t.Errorf("second contact told after the API acknowledgement: %q", got)
	}
}
