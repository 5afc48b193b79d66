// Package email delivers notifications over SMTP with go-mail: STARTTLS,
// implicit TLS or plain (loopback relays), optional auth, and a stable
// Message-ID per outbox key.
package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/vantage-net/vantage/controller/notify/channel"
)

// TLS modes.
const (
	// StartTLS requires STARTTLS on a plain connection (port 587/25).
	StartTLS = "starttls"
	// Implicit is TLS from the first byte (port 465).
	Implicit = "implicit"
	// None sends in clear; only for a relay on loopback or a test sink.
	None = "none"
)

// Options configure the SMTP channel.
type Options struct {
	Host string
	Port int
	// TLS is starttls (default), implicit or none.
	TLS string
	// CAFile verifies the server's certificate instead of the system pool.
	CAFile string
	// Username and Password authenticate (SMTP AUTH PLAIN/LOGIN, whichever
	// the server offers); Password comes from a file (config password_file)
	// and is never logged.
	Username string
	Password string
	// From is the sender, e.g. "Vantage NOC <noc@example.net>".
	From string
	// Timeout bounds one delivery (default 15 s).
	Timeout time.Duration
}

// Sender sends each message on its own connection: notifications are few
// and a connection per message keeps a broken session from holding others.
type Sender struct {
	opts Options
	tls  *tls.Config
}

// New checks the options and loads the CA file.
func New(o Options) (*Sender, error) {
	if o.Host == "" || o.From == "" {
		return nil, errors.New("email: host and from are required")
	}
	if o.TLS == "" {
		o.TLS = StartTLS
	}
	if o.Port == 0 {
		o.Port = map[string]int{StartTLS: 587, Implicit: 465, None: 25}[o.TLS]
	}
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	s := &Sender{opts: o, tls: &tls.Config{ServerName: o.Host, MinVersion: tls.VersionTLS12}}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("email: ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("email: ca_file %s: no certificate", o.CAFile)
		}
		s.tls.RootCAs = pool
	}
	return s, nil
}

// Build renders the message as it goes on the wire (the demo writes it
// to .eml files).
func (s *Sender) Build(m channel.Message) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.From(s.opts.From); err != nil {
		return nil, channel.Permanent(fmt.Errorf("from %q: %w", s.opts.From, err))
	}
	if err := msg.AddToFormat(m.ToName, m.To); err != nil {
		return nil, channel.Permanent(fmt.Errorf("to %q: %w", m.To, err))
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDate()
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	msg.SetGenHeader("X-Vantage-Key", m.Key)
	for _, a := range m.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), mail.WithFileContentType(mail.ContentType(a.ContentType))); err != nil {
			return nil, channel.Permanent(fmt.Errorf("attachment %q: %w", a.Name, err))
		}
	}
	return msg, nil
}

// Send delivers m. A 5xx answer is permanent; anything else (4xx,
// connection trouble, timeout) is worth a retry.
func (s *Sender) Send(ctx context.Context, m channel.Message) error {
	msg, err := s.Build(m)
	if err != nil {
		return err
	}
	opts := []mail.Option{mail.WithPort(s.opts.Port), mail.WithTimeout(s.opts.Timeout), mail.WithTLSConfig(s.tls)}
	switch s.opts.TLS {
	case Implicit:
		opts = append(opts, mail.WithSSL())
	case None:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.opts.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(s.opts.Username),
			mail.WithPassword(s.opts.Password))
	}
	c, err := mail.NewClient(s.opts.Host, opts...)
	if err != nil {
		return channel.Permanent(fmt.Errorf("smtp client: %w", err))
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		var se *mail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
			return channel.Permanent(err)
		}
		return err
	}
	return nil
}
