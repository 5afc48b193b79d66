package agent

import (
	"crypto/tls"
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/vantage-net/vantage/internal/pemfile"
	"github.com/vantage-net/vantage/internal/redact"
)

// pingInterval and maxPingsOut decide how soon a silently dead connection
// is dropped and redialled.
const (
	pingInterval = 10 * time.Second
	maxPingsOut  = 3
)

// maxReconnectDelay caps the redial backoff (each wait is drawn from half
// to one and a half times it). An edge agent's uplink is often the line
// it watches: until it is connected again the line shows unknown and its
// replay waits, so after a cut longer than the backoff's climb (about
// 30 s) a 30-s cap left up to 45 s between the link's return and the
// replay (TestFaultLinkCut measured 6–31 s). 15 s makes that 22.5 s at
// most, while a fleet returning after a NATS restart still spreads its
// connections over 7.5–22.5 s (twice the rate of the 30-s cap).
const maxReconnectDelay = 15 * time.Second

// inboxPrefix is the agent's reply-subject prefix, "_INBOX_<agent_id>": the
// controller's NATS lets an agent subscribe below its own prefix only
// (controller/agentauth.InboxPrefix, the same string), so no agent can read
// the replies meant for another. A cluster's permissions must allow
// subscribe on "_INBOX_<agent_id>.>".
func inboxPrefix(agentID string) string { return "_INBOX_" + agentID }

// connect dials NATS with the agent's credentials. It never gives up: the
// client is told to reconnect forever (its default is 60 tries), with
// exponential backoff and jitter so a fleet returning after a NATS restart
// spreads out, and to start even when NATS is unreachable at boot.
func (a *Agent) connect() (*nats.Conn, error) {
	c := a.cfg.NATS
	if len(c.URLs) == 0 {
		return nil, errNoNATS
	}
	jitter := rand.New(rand.NewSource(a.rand.Int63()))
	opts := []nats.Option{
		nats.Name("vantage-agent " + a.cfg.AgentID),
		nats.CustomInboxPrefix(inboxPrefix(a.cfg.AgentID)),
		nats.MaxReconnects(-1),
		nats.RetryOnFailedConnect(true),
		nats.CustomReconnectDelay(func(attempts int) time.Duration { return reconnectDelay(attempts, jitter) }),
		nats.ReconnectBufSize(-1), // JetStream publishes are retried by the sender, not buffered twice
		// A cut link (the agent's own uplink, the line it watches) sends no
		// FIN or RST: the client only learns from unanswered pings. With
		// the default 2-minute interval it kept its dead connection until
		// TCP's retransmissions gave up, minutes after the link was back;
		// at 10 s × 3 it reconnects within about half a minute plus one
		// backoff of the link's return. 10,000 agents cost the server 1,000
		// pings a second.
		nats.PingInterval(pingInterval),
		nats.MaxPingsOutstanding(maxPingsOut),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			a.m.connected.Set(0)
			a.log.Warn("disconnected from NATS; results are queued", "err", err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			a.m.reconnects.Inc()
			a.linkUp()
			a.log.Info("reconnected to NATS", "server", redact.URL(nc.ConnectedUrl()))
		}),
		// With RetryOnFailedConnect, a first connection made after a boot
		// (or a self-update's exec) with NATS unreachable calls this
		// handler, not the reconnect one: it must wake the retries too, or
		// they sleep out up to 45 s of backoff on a working connection.
		nats.ConnectHandler(func(nc *nats.Conn) {
			a.linkUp()
			a.log.Info("connected to NATS", "server", redact.URL(nc.ConnectedUrl()))
		}),
	}
	if c.User != "" {
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	}
	if c.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(c.CredsFile))
	}
	if c.TLS != nil {
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if c.TLS.CAFile != "" {
			pool, err := pemfile.CertPool(c.TLS.CAFile)
			if err != nil {
				return nil, fmt.Errorf("nats.tls.ca_file: %w", err)
			}
			tc.RootCAs = pool
		}
		if c.TLS.CertFile != "" {
			cert, err := tls.LoadX509KeyPair(c.TLS.CertFile, c.TLS.KeyFile)
			if err != nil {
				return nil, fmt.Errorf("nats.tls.cert_file: %w", err)
			}
			tc.Certificates = []tls.Certificate{cert}
		}
		opts = append(opts, nats.Secure(tc))
	}
	nc, err := nats.Connect(strings.Join(c.URLs, ","), opts...)
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	if nc.IsConnected() {
		a.m.connected.Set(1)
	}
	return nc, nil
}

// reconnectDelay is the wait before redial attempt attempts: 250 ms
// doubling up to maxReconnectDelay, each drawn from half to one and a
// half times that, so a fleet returning after a NATS restart spreads out.
func reconnectDelay(attempts int, jitter *rand.Rand) time.Duration {
	d := min(250*time.Millisecond<<min(attempts, 6), maxReconnectDelay) // 250ms … 15s
	return d/2 + time.Duration(jitter.Int63n(int64(d)))
}

// linkUp records a (re)connection and wakes the result sender and the
// remote config watcher out of their backoff, which grew while NATS was
// unreachable: both retry now.
func (a *Agent) linkUp() {
	a.m.connected.Set(1)
	for _, c := range []chan struct{}{a.reconnected, a.watchWake} {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}
