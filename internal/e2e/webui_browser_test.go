package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/smtpsink"
	"github.com/vantage-net/vantage/internal/testinflux"
)

const webUIInventory = `customers:
  - {id: D1, name: Lakeside Bank, tier: diamond, account_manager: am-1}
  - {id: G1, name: Hilltop Shop, tier: gold, account_manager: am-2}
sites:
  - {id: S1, customer: D1, kind: cpe, name: Lakeside HQ, agent: ui-cpe-1, lat: 30.2741, lon: 120.1551}
  - {id: S2, customer: G1, kind: cpe, name: Hilltop, agent: ui-cpe-2, grid_cell: wtmkq0z}
contacts:
  - {id: D1-P, customer: D1, name: Ann Lee, role: primary, email: ann@lakeside.example, language: en}
lines:
  - {circuit_id: L-BANK, customer: D1, a_end_site: S1}
  - {circuit_id: L-SHOP, customer: G1, a_end_site: S2}
  - {circuit_id: L-PING, customer: D1, a_end_site: S1}
`

// TestWebUIInChromium drives the shipped controller binary's web UI in
// headless Chromium (issue 15): an ops user logs in, sees the outage on the
// overview, follows the incident to its line, acknowledges it, plans a
// maintenance window and switches to Chinese; an account manager then gets
// the 404 page for another manager's customer and line, and forged form
// posts (no CSRF token; a valid token but another manager's incident; a
// role that may not plan windows) change nothing.
func TestWebUIInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("browser e2e")
	}
	t.Parallel()
	chromiumPath(t)
	bin := buildBinary(t, "vantage-controller")
	influx := testinflux.Start(t)
	sink, err := smtpsink.Start("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	dataDir := t.TempDir()
	importInventory(t, dataDir, webUIInventory)
	db := filepath.Join(dataDir, "vantage.db")
	opsToken := createToken(t, db, "--name", "ui-ops", "--role", "ops")
	amToken := createToken(t, db, "--name", "ui-am-1", "--role", "account_manager", "--manager", "am-1")
	natsPort, httpPort := lab.FreePort(t), lab.FreePort(t)
	cfgFile := writeControllerConfig(t, fmt.Sprintf(`http_listen: 127.0.0.1:%d
data_dir: %s
nats: {listen: "127.0.0.1:%d", agent_auth: false}
influx: {url: %s, bucket: %s, request_timeout: 2s}
detector: {k: 2, horizon: 20s}
notify:
  phone: "+86 571 10086"
  message_id_domain: test.vantage
  email: {host: 127.0.0.1, port: %d, tls: none, from: "Vantage NOC <noc@test.vantage>"}
  rules:
    diamond: {outage_after: 0s, roles: [primary], channels: [email]}
  sender: {poll: 100ms, backoff_initial: 500ms}
`, httpPort, dataDir, natsPort, influx.URL, influx.Bucket, sink.Port()))
	startDurableController(t, bin, cfgFile)
	api := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	ui := api + "/ui/"

	farURL, down := farEnd(t)
	a, _ := newAgent(t, fmt.Sprintf(`agent_id: ui-cpe-1
site: {id: S1}
heartbeat_interval: 1s
http_listen: 127.0.0.1:0
nats: {urls: [nats://127.0.0.1:%d], publish_timeout: 2s}
publish: {batch_delay: 100ms}
spool: {dir: %s}
probes:
  - name: portal
    type: http
    interval: 500ms
    timeout: 300ms
    labels: {line: L-BANK}
    targets: [%s/]
`, natsPort, t.TempDir(), farURL))
	t.Cleanup(runAgent(t, a))
	// A second agent pings loopback for line L-PING, and is stopped once
	// it has sent a few rounds, so the line's series stops changing
	// before the chart is read.
	pinger, pingerReg := newAgent(t, fmt.Sprintf(`agent_id: ui-ping-1
site: {id: S1}
http_listen: 127.0.0.1:0
nats: {urls: [nats://127.0.0.1:%d], publish_timeout: 2s}
publish: {batch_delay: 100ms}
spool: {dir: %s}
probes:
  - name: gw
    type: ping
    interval: 500ms
    timeout: 400ms
    labels: {line: L-PING}
    targets: [127.0.0.1]
    options: {count: 5, packet_interval: 20ms}
`, natsPort, t.TempDir()))
	stopPinger := sync.OnceFunc(runAgent(t, pinger))
	t.Cleanup(stopPinger)

	ctx := lab.Deadline(t, 4*time.Minute)
	getOps := func(path string, v any) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, api+path, nil)
		req.Header.Set("Authorization", "Bearer "+opsToken)
		return decodeResp(req, v)
	}
	lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
		var l struct{ State string }
		if err := getOps("/api/v1/lines/L-BANK", &l); err != nil || l.State != "up" {
			return fmt.Errorf("line %q (%v), want up", l.State, err)
		}
		return nil
	})
	down.Store(true)
	var incidentID int64
	lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
		var d struct{ Incidents []apiIncident }
		if err := getOps("/api/v1/incidents?state=open", &d); err != nil || len(d.Incidents) == 0 {
			return fmt.Errorf("no open incident yet (%v)", err)
		}
		incidentID = d.Incidents[0].ID
		return nil
	})

	checkUIHeaders(t, ui, opsToken)
	shots := artifactsDir(t)
	bctx, stop := newBrowser(t, "Asia/Shanghai")
	defer stop()
	do := browserSteps(t, bctx)
	text := func(sel string) string {
		t.Helper()
		sctx, cancel := context.WithTimeout(bctx, 30*time.Second)
		defer cancel()
		s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	login := func(token string) {
		t.Helper()
		do("log in", chromedp.Navigate(ui),
			chromedp.WaitVisible(chromedp.ID("token")),
			chromedp.SendKeys(chromedp.ID("token"), token),
			chromedp.Click(chromedp.ID("login-submit")),
			chromedp.WaitVisible(chromedp.ID("live")))
	}

	// 1. Log in (a page behind the login redirects there first).
	login(opsToken)
	if got := text("#n-down"); got != "1" {
		t.Errorf("overview: %q lines down, want 1", got)
	}
	if got := text("main"); !strings.Contains(got, "Asia/Shanghai") && !strings.Contains(text("header"), "Asia/Shanghai") {
		t.Errorf("times are not in the browser's zone Asia/Shanghai")
	}
	screenshot(t, bctx, shots, "overview")

	// 2. Follow the incident to its line.
	do("open incident", chromedp.Click(chromedp.CSS("a.incident-link")), chromedp.WaitVisible(chromedp.ID("timeline")))
	if got := text("h1"); got != fmt.Sprintf("Incident VAN-%d", incidentID) {
		t.Errorf("incident page title %q", got)
	}
	if got := text("main"); !strings.Contains(got, "L-BANK") || !strings.Contains(got, "D1") {
		t.Errorf("incident page lacks the affected customer and line: %s", got)
	}
	screenshot(t, bctx, shots, "incident")
	do("open line", chromedp.Click(chromedp.CSS("a.line-link")), chromedp.WaitVisible(chromedp.ID("chart")))
	if got := text("#line-state"); !strings.Contains(got, "down") || !strings.Contains(got, "✖") {
		t.Errorf("line state %q, want ✖ down (text and icon, not colour alone)", got)
	}
	// RTT from InfluxDB: the agent's http results of this line (total time),
	// in the last hour.
	do("line series", chromedp.Navigate(ui+"lines/L-BANK?range=1h"), chromedp.WaitVisible(chromedp.ID("series")))
	if n, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector("#series polyline.rtt").getAttribute("points")`)); err != nil || n == "" {
		t.Errorf("RTT line from InfluxDB: %q %v", n, err)
	}
	screenshot(t, bctx, shots, "line-http")
	checkPingChart(t, ctx, bctx, influx, ui, func() float64 {
		stopPinger()
		return counter(t, pingerReg, "vantage_agent_results_published_total")
	})
	screenshot(t, bctx, shots, "line")

	// 3. Acknowledge it.
	do("back to incident", chromedp.Navigate(fmt.Sprintf("%sincidents/%d", ui, incidentID)), chromedp.WaitVisible(chromedp.ID("ack")),
		chromedp.Click(chromedp.ID("ack")), chromedp.WaitVisible(chromedp.CSS("p.msg")))
	// Recorded as the session token's name, not as "ui".
	if got := text("#acks"); !strings.Contains(got, "by ui-ops") {
		t.Errorf("acknowledgements after ack: %q", got)
	}
	acks := func() int {
		var d struct{ Timeline []struct{ What string } }
		if err := getOps(fmt.Sprintf("/api/v1/incidents/%d", incidentID), &d); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range d.Timeline {
			if e.What == "acknowledged" {
				n++
			}
		}
		return n
	}
	if n := acks(); n != 1 {
		t.Fatalf("API shows %d acknowledgements, want 1", n)
	}

	// Forged posts while ops is logged in: a form without the CSRF token
	// (sent from the UI's own page), and a page on another site posting
	// into the UI, acknowledge nothing.
	status := func(js string) int {
		t.Helper()
		code, err := chromedp.Run(bctx, chromedp.Evaluate[int](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return code
	}
	post := `(async (path, body) => (await fetch(path, {method: "POST", body: new URLSearchParams(body)})).status)`
	csrf := `document.querySelector("form.inline input[name=csrf]").value`
	if c := status(fmt.Sprintf(`%s("/ui/incidents/%d/ack", {})`, post, incidentID)); c != http.StatusForbidden {
		t.Errorf("ops ack without CSRF token: %d, want 403", c)
	}
	// A page on another origin posting into the UI: SameSite=Strict keeps
	// the session cookie away, and there is no CSRF token to send.
	// 127.0.0.2 is another site than 127.0.0.1 to the browser (a port is
	// not: SameSite ignores it).
	evilL, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	evil := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<html><body><form id="f" method="post" action="%sincidents/%d/ack"><input name="x" value="1"><button id="go" type="submit">go</button></form></body></html>`, ui, incidentID)
	}))
	evil.Listener = evilL
	evil.Start()
	t.Cleanup(evil.Close)
	do("cross-site form", chromedp.Navigate(evil.URL), chromedp.Click(chromedp.ID("go")))
	lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
		loc, err := chromedp.Run(bctx, chromedp.Location())
		if err != nil || !strings.HasPrefix(loc, ui) {
			return fmt.Errorf("cross-site form has not reached the UI: %q %v", loc, err)
		}
		if got := text("body"); !strings.Contains(got, "session expired") {
			return fmt.Errorf("cross-site post answered %q, want the session refusal (no cookie sent)", got)
		}
		return nil
	})
	if n := acks(); n != 1 {
		t.Fatalf("after forged posts the API shows %d acknowledgements, want still 1", n)
	}

	// A call-centre complaint about the down line: the complaints page
	// shows it with its customer and a verdict (re-judged later).
	postUIComplaint(t, ctx, api, opsToken, "CC-1")
	do("complaints page", chromedp.Navigate(ui+"complaints"), chromedp.WaitVisible(chromedp.ID("complaints")))
	if got := text("#complaints"); !strings.Contains(got, "CC-1") || !strings.Contains(got, "D1") || !strings.Contains(got, "line interruption") {
		t.Errorf("complaints page: %q", got)
	}

	// Its place: the complaint's grid cell on the map (no tiles here;
	// webui_map_test.go watches the requests), then that cell's
	// comparison page.
	lab.WaitFor(t, ctx, 500*time.Millisecond, func() error {
		do("places page", chromedp.Navigate(ui+"places"), chromedp.WaitVisible(chromedp.ID("map")))
		n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#map path.cell").length`))
		if err != nil || n == 0 {
			return fmt.Errorf("no cell on the map yet (%v)", err)
		}
		return nil
	})
	// The sites are on the map too, each with its name and its lines'
	// status in words (not colour alone); an account manager may not list
	// sites (hotspots belong to no customer): the map is an operator's.
	if got, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.getElementById("map").textContent`)); err != nil ||
		!strings.Contains(got, "Lakeside HQ (") || !strings.Contains(got, "Hilltop (") {
		t.Errorf("sites on the map: %q %v", got, err)
	}
	if n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#map path.site").length`)); err != nil || n != 2 {
		t.Errorf("site marks on the map: %d %v", n, err)
	}
	if code := apiStatus(t, ctx, api+"/api/v1/sites", amToken); code != http.StatusForbidden && code != http.StatusNotFound {
		t.Errorf("account manager GET /api/v1/sites: %d", code)
	}
	screenshot(t, bctx, shots, "places")
	do("compare a cell", chromedp.Click(chromedp.CSS("#places a")), chromedp.WaitVisible(chromedp.ID("compare-form")))
	if got := text("main"); !strings.Contains(got, "Verdict") {
		t.Errorf("comparison page: %q", got)
	}

	// 4. Plan a maintenance window.
	start := time.Now().Add(2 * time.Hour).In(mustZone(t, "Asia/Shanghai"))
	do("maintenance form", chromedp.Navigate(ui+"maintenance"), chromedp.WaitVisible(chromedp.ID("window-form")),
		chromedp.SendKeys(chromedp.ID("w-title"), "UI fibre splice"),
		chromedp.SetValue(chromedp.ID("w-start"), start.Format("2006-01-02T15:04")),
		chromedp.SetValue(chromedp.ID("w-end"), start.Add(time.Hour).Format("2006-01-02T15:04")),
		chromedp.SendKeys(chromedp.ID("w-lines"), "L-BANK"),
		chromedp.Click(chromedp.ID("window-submit")),
		chromedp.WaitVisible(chromedp.CSS("p.msg")))
	if got := text("#windows"); !strings.Contains(got, "UI fibre splice") || !strings.Contains(got, "D1") {
		t.Errorf("windows after create: %q", got)
	}
	var ws struct {
		Windows []struct {
			Title string
			Start time.Time
		}
	}
	if err := getOps("/api/v1/maintenance", &ws); err != nil {
		t.Fatal(err)
	}
	if len(ws.Windows) != 1 || !ws.Windows[0].Start.Equal(start.Truncate(time.Minute)) {
		t.Errorf("API windows %+v, want one starting %s (the form's time read in the user's zone)", ws.Windows, start.Truncate(time.Minute))
	}

	// The rest of the page list, as ops: agents (state, spool
	// depth, clock offset, config revision), notifications (the window's
	// notice to the diamond customer's contact), customers by tier with
	// their lines' states and report links, the incidents.
	lab.WaitFor(t, ctx, 500*time.Millisecond, func() error {
		do("agents page", chromedp.Navigate(ui+"agents"), chromedp.WaitVisible(chromedp.ID("main")))
		got := text("main")
		for _, want := range []string{"ui-cpe-1", "✔ online", "Spool depth", "Clock offset", "Config revision"} {
			if !strings.Contains(got, want) {
				var d struct{ Agents []struct{ ID, State string } }
				err := getOps("/api/v1/agents", &d)
				return fmt.Errorf("agents page lacks %q: %q (API: %+v %v)", want, got, d.Agents, err)
			}
		}
		return nil
	})
	lab.WaitFor(t, ctx, 500*time.Millisecond, func() error {
		do("notifications page", chromedp.Navigate(ui+"notifications"), chromedp.WaitVisible(chromedp.ID("main")))
		got := text("main")
		// The window just planned was told to the customer's contact.
		for _, want := range []string{"maintenance_notice", "D1", "email", "ann@lakeside.example", "✔ sent"} {
			if !strings.Contains(got, want) {
				return fmt.Errorf("notifications page lacks %q: %q", want, got)
			}
		}
		return nil
	})
	do("customers page", chromedp.Navigate(ui+"customers"), chromedp.WaitVisible(chromedp.CSS("main table")))
	if got := text("main"); !strings.Contains(got, "diamond") || !strings.Contains(got, "D1 Lakeside Bank") ||
		!strings.Contains(got, "gold") || !strings.Contains(got, "G1 Hilltop Shop") || !strings.Contains(got, "✖ down 1") {
		t.Errorf("customers page: %q", got)
	}
	if n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll('main a[href$="/report?period=week"]').length`)); err != nil || n != 2 {
		t.Errorf("report links on the customers page: %d %v", n, err)
	}
	do("incidents page", chromedp.Navigate(ui+"incidents"), chromedp.WaitVisible(chromedp.ID("main")))
	if got := text("main"); !strings.Contains(got, fmt.Sprintf("VAN-%d", incidentID)) {
		t.Errorf("incidents page: %q", got)
	}

	do("back to the windows", chromedp.Navigate(ui+"maintenance"), chromedp.WaitVisible(chromedp.ID("window-form")))

	// 5. Switch the language.
	do("switch to zh-CN", chromedp.Click(chromedp.ID("lang-zh")), chromedp.WaitVisible(chromedp.ID("window-form")))
	if got := text("h1"); got != "维护窗口" {
		t.Errorf("after switching to zh-CN the title is %q", got)
	}
	screenshot(t, bctx, shots, "maintenance-zh")
	do("switch back", chromedp.Click(chromedp.ID("lang-en")), chromedp.WaitVisible(chromedp.ID("window-form")))

	// 6. Log out, log in as account manager am-1 (customer D1 only).
	do("log out", chromedp.Click(chromedp.CSS("form.inline button")), chromedp.WaitVisible(chromedp.ID("token")))
	// The manager logs in through a link like the one make demo prints:
	// the token in the #fragment (never sent), submitted by the page.
	do("log in by link", chromedp.Navigate(ui+"login#token="+amToken), chromedp.WaitVisible(chromedp.ID("live")))
	if loc, err := chromedp.Run(bctx, chromedp.Location()); err != nil || strings.Contains(loc, "token") {
		t.Errorf("after the login link the address is %q (%v): the token must not stay in it", loc, err)
	}
	for _, path := range []string{"customers/G1", "lines/L-SHOP"} {
		do("other manager's "+path, chromedp.Navigate(ui+path), chromedp.WaitVisible(chromedp.CSS("p.err")))
		if got := text("h1"); got != "Not found" {
			t.Errorf("%s for am-1: %q, want the 404 page", path, got)
		}
	}
	screenshot(t, bctx, shots, "not-found")
	do("own customer", chromedp.Navigate(ui+"customers/D1"), chromedp.WaitVisible(chromedp.CSS("table")))
	if got := text("main"); !strings.Contains(got, "L-BANK") || strings.Contains(got, "L-SHOP") {
		t.Errorf("am-1's customer page: %q", got)
	}
	do("own customer's report", chromedp.Click(chromedp.ID("report-html")), chromedp.WaitVisible(chromedp.CSS("body")))
	lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
		loc, _ := chromedp.Run(bctx, chromedp.Location())
		if got := text("body"); !strings.Contains(loc, "/report") || !strings.Contains(got, "L-BANK") {
			return fmt.Errorf("report page %s: %.200q", loc, got)
		}
		return nil
	})
	screenshot(t, bctx, shots, "report")
	do("other manager's report", chromedp.Navigate(ui+"customers/G1/report"), chromedp.WaitVisible(chromedp.CSS("p.err")))
	if got := text("h1"); got != "Not found" {
		t.Errorf("G1's report for am-1: %q, want the 404 page", got)
	}
	// The manager's own session with its valid CSRF token: an incident
	// outside the scope (an unknown id alike) is 404, a window (the role
	// may not plan one) and an ack of its own customer's incident are 403.
	if c := status(fmt.Sprintf(`%s("/ui/incidents/%d/ack", {csrf: %s})`, post, incidentID+1000, csrf)); c != http.StatusNotFound {
		t.Errorf("ack of an incident outside the scope: %d, want 404", c)
	}
	if c := status(fmt.Sprintf(`%s("/ui/maintenance", {csrf: %s, title: "forged", start: "2030-01-01T00:00", end: "2030-01-01T01:00", lines: "L-SHOP"})`, post, csrf)); c != http.StatusForbidden {
		t.Errorf("window from an account manager: %d, want 403", c)
	}
	if c := status(fmt.Sprintf(`%s("/ui/incidents/%d/ack", {csrf: %s})`, post, incidentID, csrf)); c != http.StatusForbidden {
		t.Errorf("ack by an account manager (role): %d, want 403", c)
	}
	if n := acks(); n != 1 {
		t.Errorf("after forged posts the API shows %d acknowledgements, want still 1", n)
	}
	ws.Windows = nil
	if err := getOps("/api/v1/maintenance", &ws); err != nil || len(ws.Windows) != 1 {
		t.Errorf("after forged posts: windows %+v (%v), want still 1", ws.Windows, err)
	}

	// 7. Keyboard: the first Tab reaches the skip link, Enter moves focus
	// to the content.
	do("overview for the keyboard", chromedp.Navigate(ui), chromedp.WaitVisible(chromedp.ID("live")),
		chromedp.KeyEvent("\t"))
	if got, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.activeElement.className`)); err != nil || got != "skip" {
		t.Errorf("first Tab focuses %q (%v), want the skip link", got, err)
	}
	do("follow the skip link", chromedp.KeyEvent("\r"))
	if got, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.activeElement.id`)); err != nil || got != "main" {
		t.Errorf("after the skip link focus is on %q (%v), want main", got, err)
	}

	// 8. The overview updates without a reload: the line recovers, and
	// within a refresh or two the open page shows no line down, with the
	// page's own state (a marker set now) still there.
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`window.vantageMarker = true`)); err != nil {
		t.Fatal(err)
	}
	down.Store(false)
	// A minute: the detector's k rounds, the commit, and a 10-s refresh.
	refreshCtx, cancelRefresh := context.WithTimeout(ctx, time.Minute)
	defer cancelRefresh()
	lab.WaitFor(t, refreshCtx, 500*time.Millisecond, func() error {
		got, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(window.vantageMarker ? "same page " : "reloaded ") + document.getElementById("n-down").textContent`))
		if err != nil || got != "same page 0" {
			return fmt.Errorf("overview shows %q (%v), want \"same page 0\"", got, err)
		}
		return nil
	})
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("time zone %s not in this machine's tz database: %v", name, err)
	}
	return loc
}

// decodeResp runs req and decodes a 200 answer's JSON into v.
func decodeResp(req *http.Request, v any) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", req.URL.Path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
