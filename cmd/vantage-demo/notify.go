package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vantage-net/vantage/internal/smtpsink"
)

// startMail runs the demo's SMTP sink (internal/smtpsink, a real go-smtp
// server on loopback) writing every message it accepts as a .eml file
// under DIR/mail, and returns the controller's notify block pointing at
// it. The rules are shortened so the demo's trouble (trouble.go) is told
// within a cycle: the card outage (8 s) reaches the AB-class and diamond
// customers (5 s), the flapping line its gold customer, and the 70-s
// outage the ops on-call (silver's customer has a phone only, and the demo
// configures no SMS gateway).
func (d *demo) startMail() (string, error) {
	dir := filepath.Join(d.dir, "mail")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	sink, err := smtpsink.Start("127.0.0.1:0", dir)
	if err != nil {
		return "", err
	}
	d.mu.Lock()
	d.closers = append(d.closers, sink)
	d.mu.Unlock()
	return notifyYAML(sink.Port()), nil
}

func notifyYAML(smtpPort int) string {
	return fmt.Sprintf(`notify:
  phone: "+86 571 10086"
  message_id_domain: demo.vantage
  email: {host: 127.0.0.1, port: %d, tls: none, from: "Vantage NOC <noc@demo.vantage>"}
  ops:
    - {name: NOC on-call, email: oncall@operator.example, language: en}
  rules:
    ab_group: {outage_after: 5s, flapping: true, roles: [primary, secondary], account_manager: true, ops: true, channels: [email]}
    diamond: {outage_after: 5s, flapping: true, roles: [primary, secondary], account_manager: true, ops: true, channels: [email]}
    gold: {outage_after: 20s, flapping: true, roles: [primary], ops: true, channels: [email]}
    silver: {outage_after: 30s, roles: [primary], ops: true, channels: [email]}
  sender: {backoff_initial: 1s}
`, smtpPort)
}

// announceMaintenance plans a cutover of card pe1-c2 three hours from now
// through the API, as an operator would: its customers with an email
// contact get the advance notice at once (the window is nearer than the
// 48-h lead), the reminder an hour from now.
func announceMaintenance(ctx context.Context, httpAddr, token string) (string, error) {
	start := time.Now().Add(3 * time.Hour).UTC().Truncate(time.Minute)
	body := fmt.Sprintf(`{"title": "PE1 slot 2 card replacement", "start": %q, "end": %q, "elements": ["pe1-c2"]}`,
		start.Format(time.RFC3339), start.Add(time.Hour).Format(time.RFC3339))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+httpAddr+"/api/v1/maintenance", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("POST /api/v1/maintenance: %s: %s", resp.Status, out)
	}
	return fmt.Sprintf("card pe1-c2 from %s for 1h", start.Format(time.RFC3339)), nil
}
