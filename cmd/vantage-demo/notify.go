package main

import (
	"fmt"
	"os"
	"path/filepath"

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
