// Package smtpsink is a small real SMTP server (go-smtp) that keeps every
// message it accepts: tests count deliveries per Message-ID with it, and
// the demo writes what it receives to .eml files. It listens on loopback
// only and can refuse the next messages with a temporary error, or hold
// its answer to DATA, to exercise a sender's retries and crash window.
package smtpsink

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one accepted message.
type Message struct {
	From      string
	To        []string
	MessageID string
	Subject   string
	Raw       []byte
	// At is when the message was received, before the server's answer.
	At time.Time
}

// Options configure a sink beyond Start's plain one.
type Options struct {
	// Dir receives every accepted message as NNNN-<message-id>.eml.
	Dir string
	// TLS is offered with STARTTLS, or spoken from the first byte with
	// Implicit.
	TLS      *tls.Config
	Implicit bool
	// Username and Password, when set, are required (AUTH PLAIN) before
	// MAIL FROM.
	Username, Password string
}

// Sink is a running server.
type Sink struct {
	srv  *smtp.Server
	l    net.Listener
	dir  string
	opts Options

	mu     sync.Mutex
	msgs   []Message
	refuse int
	hold   chan struct{} // non-nil: DATA answers wait for it to close
	held   chan struct{} // signalled when a held DATA is read
}

// Start listens on addr ("127.0.0.1:0" for any free port). With dir set,
// every accepted message is also written there as NNNN-<message-id>.eml.
func Start(addr, dir string) (*Sink, error) { return StartWith(addr, Options{Dir: dir}) }

// StartWith starts a sink with TLS and authentication as o says.
func StartWith(addr string, o Options) (*Sink, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Sink{l: l, dir: o.Dir, opts: o}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "sink.localhost"
	s.srv.AllowInsecureAuth = o.TLS == nil
	serve := net.Listener(l)
	switch {
	case o.TLS != nil && o.Implicit:
		serve = tls.NewListener(l, o.TLS)
	case o.TLS != nil:
		s.srv.TLSConfig = o.TLS
	}
	go func() { _ = s.srv.Serve(serve) }()
	return s, nil
}

// Addr is host:port.
func (s *Sink) Addr() string { return s.l.Addr().String() }

// Port is the listening port.
func (s *Sink) Port() int { return s.l.Addr().(*net.TCPAddr).Port }

// Close stops the server.
func (s *Sink) Close() error { return s.srv.Close() }

// Refuse makes the next n DATA commands fail with 451 (try again later).
func (s *Sink) Refuse(n int) {
	s.mu.Lock()
	s.refuse = n
	s.mu.Unlock()
}

// Hold makes DATA answers wait until release is called: the message is
// received (and counted) but the client has no answer yet. received gets
// one signal per message held.
func (s *Sink) Hold() (received <-chan struct{}, release func()) {
	ch, held := make(chan struct{}), make(chan struct{}, 100)
	s.mu.Lock()
	s.hold, s.held = ch, held
	s.mu.Unlock()
	return held, sync.OnceFunc(func() {
		s.mu.Lock()
		s.hold = nil
		s.mu.Unlock()
		close(ch)
	})
}

// Messages returns copies of the accepted messages, in order.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Count returns how many accepted messages carry each Message-ID.
func (s *Sink) Count() map[string]int {
	out := map[string]int{}
	for _, m := range s.Messages() {
		out[m.MessageID]++
	}
	return out
}

type session struct {
	s      *Sink
	from   string
	to     []string
	authed bool
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

func (x *session) AuthMechanisms() []string {
	if x.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.s.opts.Username || pass != x.s.opts.Password {
			return errors.New("invalid credentials")
		}
		x.authed = true
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.opts.Username != "" && !x.authed {
		return smtp.ErrAuthRequired
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._@-]+`)

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := x.s
	s.mu.Lock()
	if s.refuse > 0 {
		s.refuse--
		s.mu.Unlock()
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	m := Message{From: x.from, To: append([]string(nil), x.to...), Raw: raw, At: time.Now()}
	if pm, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		m.MessageID = pm.Header.Get("Message-Id")
		dec := new(headerDecoder)
		m.Subject = dec.header(pm.Header.Get("Subject"))
	}
	s.msgs = append(s.msgs, m)
	n := len(s.msgs)
	hold, held := s.hold, s.held
	s.mu.Unlock()
	if held != nil {
		select {
		case held <- struct{}{}:
		default:
		}
	}
	if s.dir != "" {
		name := fmt.Sprintf("%04d-%s.eml", n, unsafeName.ReplaceAllString(m.MessageID, "_"))
		if err := os.WriteFile(filepath.Join(s.dir, name), raw, 0o644); err != nil {
			return err
		}
	}
	if hold != nil {
		<-hold
	}
	return nil
}
