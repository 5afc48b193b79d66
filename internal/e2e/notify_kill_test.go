package e2e

import (
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/smtpsink"
	"github.com/vantage-net/vantage/internal/testinflux"
)

const notifyKillInventory = `customers:
  - {id: D1, name: Lakeside Bank, tier: diamond}
sites:
  - {id: S1, customer: D1, kind: cpe, name: Lakeside HQ, agent: notify-cpe-1}
contacts:
  - {id: D1-P, customer: D1, name: Ann Lee, role: primary, email: ann@lakeside.example, language: en}
lines:
  - {circuit_id: L-BANK, customer: D1, a_end_site: S1}
`

type notifyRow struct {
	ID        int64  `json:"id"`
	Incident  int64  `json:"incident"`
	Kind      string `json:"kind"`
	Status    string `json:"status"`
	MessageID string `json:"message_id"`
	Attempts  int    `json:"attempts"`
}

// The outbox through the shipped binary and two SIGKILLs, with a real SMTP
// server counting Message-IDs:
//
//  1. killed between writing the outbox row (in line health's commit) and
//     sending it: the restarted controller delivers it, once;
//  2. killed between the SMTP server's acceptance and the outbox update
//     (the server holds its answer to DATA): the restarted controller sends
//     it again with the SAME Message-ID. That is the one duplicate the
//     README names; the test bounds it to one extra copy per crash,
//     recognisable by its Message-ID.
func TestNotifyOutboxSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test")
	}
	t.Parallel()
	bin := buildBinary(t, "vantage-controller")
	influx := testinflux.Start(t)
	sink, err := smtpsink.Start("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sink.Close() })
	dataDir := t.TempDir()
	importInventory(t, dataDir, notifyKillInventory)
	natsPort, httpPort := lab.FreePort(t), lab.FreePort(t)
	// The diamond rule with a 20-s delay: room to see the row written and
	// kill the controller before it is due, even on a loaded machine where
	// the incident is committed seconds after the outage began.
	cfgFile := writeControllerConfig(t, fmt.Sprintf(`http_listen: 127.0.0.1:%d
data_dir: %s
api_auth: false
nats: {listen: "127.0.0.1:%d", agent_auth: false}
influx: {url: %s, bucket: %s, request_timeout: 2s}
detector: {k: 2, horizon: 20s}
notify:
  phone: "+86 571 10086"
  message_id_domain: test.vantage
  email: {host: 127.0.0.1, port: %d, tls: none, from: "Vantage NOC <noc@test.vantage>"}
  rules:
    diamond: {outage_after: 20s, roles: [primary], channels: [email]}
  sender: {poll: 100ms, backoff_initial: 500ms}
`, httpPort, dataDir, natsPort, influx.URL, influx.Bucket, sink.Port()))
	ctrl := startDurableController(t, bin, cfgFile)
	api := fmt.Sprintf("http://127.0.0.1:%d", httpPort)

	farURL, down := farEnd(t)
	a, _ := newAgent(t, fmt.Sprintf(`agent_id: notify-cpe-1
site: {id: S1}
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
	stopAgent := sync.OnceFunc(runAgent(t, a))
	t.Cleanup(stopAgent)

	ctx := lab.Deadline(t, 4*time.Minute)
	rows := func() []notifyRow {
		var d struct{ Notifications []notifyRow }
		if err := getAPI(ctx, api, "/api/v1/notifications", &d); err != nil {
			return nil
		}
		return d.Notifications
	}
	waitRow := func(kind, status string) notifyRow {
		t.Helper()
		var got notifyRow
		lab.WaitFor(t, ctx, 50*time.Millisecond, func() error {
			for _, r := range rows() {
				if r.Kind == kind && r.Status == status {
					got = r
					return nil
				}
			}
			return fmt.Errorf("no %s notification %s yet: %+v", kind, status, rows())
		})
		return got
	}
	lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
		var l struct{ State string }
		if err := getAPI(ctx, api, "/api/v1/lines/L-BANK", &l); err != nil || l.State != "up" {
			return fmt.Errorf("line %q (%v), want up", l.State, err)
		}
		return nil
	})

	// 1. The outage's row is written; SIGKILL before it is due.
	down.Store(true)
	start := waitRow("outage_start", "pending")
	if err := ctrl.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = ctrl.Wait()
	if n := len(sink.Messages()); n != 0 {
		t.Fatalf("%d emails before the kill; the row was to be killed unsent", n)
	}
	ctrl = startDurableController(t, bin, cfgFile)
	sent := waitRow("outage_start", "sent")
	if sent.ID != start.ID {
		t.Fatalf("after restart row %d was sent, want the row %d written before the kill", sent.ID, start.ID)
	}
	if c := sink.Count()["<"+start.MessageID+">"]; c != 1 {
		t.Fatalf("outage start delivered %d times, want once (counts %v)", c, sink.Count())
	}
	// The incident's timeline in the API shows the notification.
	var inc struct {
		Timeline []struct{ What, Note string }
	}
	if err := getAPI(ctx, api, fmt.Sprintf("/api/v1/incidents/%d", start.Incident), &inc); err != nil {
		t.Fatal(err)
	}
	notified := false
	for _, e := range inc.Timeline {
		notified = notified || (e.What == "notified" && strings.Contains(e.Note, "ann@lakeside.example"))
	}
	if !notified {
		t.Errorf("incident timeline lacks the notification: %+v", inc.Timeline)
	}

	// 2. The recovery is accepted by the server, which holds its answer;
	// SIGKILL then.
	received, release := sink.Hold()
	down.Store(false)
	select {
	case <-received:
	case <-ctx.Done():
		t.Fatal("recovery never reached the SMTP server")
	}
	if err := ctrl.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = ctrl.Wait()
	release()
	ctrl = startDurableController(t, bin, cfgFile)
	end := waitRow("outage_end", "sent")
	counts := sink.Count()
	if c := counts["<"+end.MessageID+">"]; c != 2 {
		t.Errorf("recovery delivered %d times; want 2: the copy accepted before the kill and one resend with the same Message-ID", c)
	}
	if c := counts["<"+start.MessageID+">"]; c != 1 || len(counts) != 2 {
		t.Errorf("deliveries by Message-ID %v: want the start once and the recovery (one Message-ID) only", counts)
	}
	_ = ctrl.Process.Signal(syscall.SIGTERM)
	_ = ctrl.Wait()
}
