// Package broker gives the controller its NATS connection: to an embedded
// nats-server with JetStream on local disk (the small, single-machine
// installation) or to an external NATS cluster (the large one).
package broker

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/vantage-net/vantage/internal/pemfile"
	"github.com/vantage-net/vantage/internal/redact"
)

// InboxPrefix is the reply-subject prefix of the controller's connection:
// its JetStream acks, its result pulls and its KV reads arrive below it.
// It is not nats.go's shared "_INBOX", and agents are not allowed to
// subscribe to it (controller/agentauth), so no agent sees the result
// batches the controller pulls. It does not start with "_INBOX_", so no
// agent's own prefix ("_INBOX_<agent_id>") can name it.
const InboxPrefix = "_CONTROLLER_INBOX"

// Options choose between embedded and external NATS.
type Options struct {
	// URLs of an external NATS cluster; empty means run an embedded server.
	URLs []string
	// User, Password or CredsFile authenticate to an external cluster.
	User, Password, CredsFile string
	// CAFile verifies an external cluster's TLS certificate.
	CAFile string

	// Listen is the embedded server's client address for agents
	// (default 0.0.0.0:4222; ":-1" or "127.0.0.1:-1" picks a free port).
	Listen string
	// StoreDir holds JetStream's files for the embedded server.
	StoreDir string
	// SyncInterval is how often the embedded JetStream fsyncs. nats-server's
	// default is 2 minutes: a power cut (not a process crash, which the page
	// cache survives) could lose up to that much acknowledged data. The
	// controller's default is 1 s: the cost is one fsync per second per
	// stream file, negligible next to InfluxDB's own WAL, and at most a
	// second of results is at risk.
	SyncInterval time.Duration
	// Configure lets the caller add auth (users and permissions) to the
	// embedded server's options before it starts.
	Configure func(*server.Options) error
	// Logger receives the embedded server's notices.
	Logger *slog.Logger
}

// Broker is a live NATS connection, and the embedded server if one runs.
type Broker struct {
	Conn   *nats.Conn
	Server *server.Server // nil with an external cluster
}

// ClientURL is the address agents use to reach the embedded server, or the
// first external URL.
func (b *Broker) ClientURL() string {
	if b.Server != nil {
		return b.Server.ClientURL()
	}
	return redact.URL(b.Conn.ConnectedUrl())
}

// Start starts or connects.
func Start(o Options) (*Broker, error) {
	if len(o.URLs) > 0 {
		nc, err := connectExternal(o)
		if err != nil {
			return nil, err
		}
		return &Broker{Conn: nc}, nil
	}
	srv, err := startEmbedded(o)
	if err != nil {
		return nil, err
	}
	// The controller connects in-process: no network hop, no credentials
	// needed on the wire, and it keeps working if the agents' port is firewalled.
	// The URL is only a label here: with TLS on for agents, ClientURL says
	// tls://, and the in-process pipe would then attempt a TLS handshake.
	nc, err := nats.Connect("nats://in-process", nats.InProcessServer(srv), nats.Name("vantage-controller"),
		nats.MaxReconnects(-1), nats.CustomInboxPrefix(InboxPrefix))
	if err != nil {
		srv.Shutdown()
		return nil, fmt.Errorf("connect to embedded NATS: %w", err)
	}
	return &Broker{Conn: nc, Server: srv}, nil
}

func startEmbedded(o Options) (*server.Server, error) {
	host, portStr, err := net.SplitHostPort(defaultString(o.Listen, "0.0.0.0:4222"))
	if err != nil {
		return nil, fmt.Errorf("nats.listen: %w", err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("nats.listen: port %q: %w", portStr, err)
	}
	if o.StoreDir == "" {
		return nil, fmt.Errorf("nats.store_dir: required for the embedded server")
	}
	if err := os.MkdirAll(o.StoreDir, 0o750); err != nil {
		return nil, fmt.Errorf("nats.store_dir: %w", err)
	}
	sync := o.SyncInterval
	if sync == 0 {
		sync = time.Second
	}
	opts := &server.Options{
		ServerName:   "vantage-controller",
		Host:         host,
		Port:         port,
		JetStream:    true,
		StoreDir:     filepath.Clean(o.StoreDir),
		SyncInterval: sync,
		NoSigs:       true,
		MaxPayload:   1 << 20,
	}
	if o.Configure != nil {
		if err := o.Configure(opts); err != nil {
			return nil, err
		}
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded NATS: %w", err)
	}
	if o.Logger != nil {
		srv.SetLoggerV2(&slogAdapter{o.Logger.With("component", "nats")}, false, false, false)
	}
	go srv.Start()
	if !srv.ReadyForConnections(30 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("embedded NATS did not become ready on %s:%d", host, port)
	}
	return srv, nil
}

func connectExternal(o Options) (*nats.Conn, error) {
	opts := []nats.Option{nats.Name("vantage-controller"), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(true),
		nats.CustomInboxPrefix(InboxPrefix)}
	if o.User != "" {
		opts = append(opts, nats.UserInfo(o.User, o.Password))
	}
	if o.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(o.CredsFile))
	}
	if o.CAFile != "" {
		pool, err := pemfile.CertPool(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("nats.ca_file: %w", err)
		}
		opts = append(opts, nats.Secure(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}))
	}
	nc, err := nats.Connect(strings.Join(o.URLs, ","), opts...)
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	return nc, nil
}

// Close drains the connection and stops the embedded server.
func (b *Broker) Close() {
	if b.Conn != nil {
		_ = b.Conn.Drain()
		b.Conn.Close()
	}
	if b.Server != nil {
		b.Server.Shutdown()
		b.Server.WaitForShutdown()
	}
}

func defaultString(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// slogAdapter routes nats-server's logger to slog.
type slogAdapter struct{ l *slog.Logger }

func (a *slogAdapter) Noticef(format string, v ...any) { a.l.Info(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Warnf(format string, v ...any)   { a.l.Warn(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Fatalf(format string, v ...any)  { a.l.Error(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Errorf(format string, v ...any)  { a.l.Error(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Debugf(format string, v ...any)  { a.l.Debug(fmt.Sprintf(format, v...)) }
func (a *slogAdapter) Tracef(format string, v ...any)  {}
