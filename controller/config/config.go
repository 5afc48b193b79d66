// Package config loads and validates a vantage-controller configuration file,
// strictly and with every problem reported at once as file:line: field: why.
package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/internal/redact"
	"github.com/vantage-net/vantage/internal/yamlstrict"
)

// Config is a whole controller configuration.
type Config struct {
	// HTTPListen serves /metrics, /healthz and /api/v1/ (default 127.0.0.1:9100).
	HTTPListen string `yaml:"http_listen"`
	// DataDir holds the embedded NATS store and the embedded database
	// (default ./vantage-data).
	DataDir string `yaml:"data_dir"`
	// LogLevel is debug, info, warn or error (default info).
	LogLevel string `yaml:"log_level"`
	// NATS: embedded server (no urls) or an external cluster (urls).
	NATS NATS `yaml:"nats"`
	// Influx is where results are written.
	Influx Influx `yaml:"influx"`
	// Ingest tunes the JetStream consumer.
	Ingest Ingest `yaml:"ingest"`
	// InfluxQueue is the write-behind queue to InfluxDB (influxqueue.go).
	InfluxQueue InfluxQueue `yaml:"influx_queue"`
	// APIAuth requires a bearer token on every /api/v1/ call (default
	// true; tokens from `vantage-controller token create`). Turning it off
	// is for a controller whose HTTP port only trusted code can reach.
	APIAuth *bool `yaml:"api_auth"`
	// Database is the embedded database (inventory, events, incidents).
	Database Database `yaml:"database"`
	// Detector tunes line-state detection and incident grouping.
	Detector Detector `yaml:"detector"`
	// RemoteConfig derives managed agents' probe sets from the inventory.
	RemoteConfig RemoteConfig `yaml:"remote_config"`
	// Enroll serves `vantage-agent enroll` over HTTPS (enroll.go).
	Enroll *Enroll `yaml:"enroll"`
	// Releases holds agent releases and their rollouts (releases.go);
	// omitted: no self-update.
	Releases *Releases `yaml:"releases"`
	// Complaints tunes complaint linking, verdicts and repeats (complaints.go).
	Complaints Complaints `yaml:"complaints"`
	// Notify tells customers and ops about incidents (notify.go); omitted:
	// nobody is notified.
	Notify *Notify `yaml:"notify"`
	// Coverage tunes weak-coverage evaluation (coverage.go).
	Coverage Coverage `yaml:"coverage"`
	// Compare tunes the comparison of networks (compare.go).
	Compare Compare `yaml:"compare"`
	// Report configures customer-impact reports (report.go).
	Report Report `yaml:"report"`
	// Cluster shares the results with other controllers by partition
	// (cluster.go); omitted: this controller takes them all.
	Cluster *Cluster `yaml:"cluster"`
	// UI configures the web UI: the places map's tiles (ui.go).
	UI UI `yaml:"ui"`
}

// NATS settings. With no URLs the controller runs an embedded nats-server.
type NATS struct {
	// URLs of an external cluster, e.g. [nats://n1:4222, nats://n2:4222].
	URLs []string `yaml:"urls"`
	// User / Password or CredsFile authenticate to an external cluster.
	User      string `yaml:"user"`
	Password  string `yaml:"password"`
	CredsFile string `yaml:"creds_file"`
	// CAFile verifies an external cluster's TLS certificate.
	CAFile string `yaml:"ca_file"`
	// Listen is the embedded server's address for agents (default 0.0.0.0:4222).
	Listen string `yaml:"listen"`
	// StoreDir is the embedded JetStream directory (default DataDir/jetstream).
	StoreDir string `yaml:"store_dir"`
	// SyncInterval is the embedded JetStream fsync interval (default 1s):
	// the most acknowledged data a power cut can cost.
	SyncInterval time.Duration `yaml:"sync_interval"`
	// AgentAuth makes the embedded server accept only agents with
	// credentials from `vantage-controller agent add`, each allowed to
	// publish only its own subjects (controller/agentauth). Default true
	// for the embedded server; false lets any client in with no
	// credentials, for a test bench whose NATS port nobody else reaches.
	AgentAuth *bool `yaml:"agent_auth"`
	// TLS makes the embedded server require TLS from agents (cert_file,
	// key_file; client_ca_file for mutual TLS). Needs agent_auth.
	TLS *ServerTLS `yaml:"tls"`
}

// ServerTLS is the embedded server's certificate for agents.
type ServerTLS struct {
	CertFile     string `yaml:"cert_file"`
	KeyFile      string `yaml:"key_file"`
	ClientCAFile string `yaml:"client_ca_file"`
}

// Embedded reports whether the controller runs its own NATS server.
func (n NATS) Embedded() bool { return len(n.URLs) == 0 }

// Influx is an InfluxDB 2.x bucket or a 1.8+ database through its v2
// compatibility API.
type Influx struct {
	// URL of the server, e.g. http://influx:8086.
	URL string `yaml:"url"`
	// Org is the InfluxDB 2.x organisation; empty for 1.8.
	Org string `yaml:"org"`
	// Bucket is the 2.x bucket, or "database/retention-policy" on 1.8.
	Bucket string `yaml:"bucket"`
	// Token is the 2.x API token, or "user:password" on 1.8 (empty when
	// auth is off). Prefer TokenFile: a token in the config is a secret at rest.
	Token string `yaml:"token"`
	// TokenFile is read at start and takes the place of Token.
	TokenFile string `yaml:"token_file"`
	// BatchSize is the most points per write request (default 5000).
	BatchSize int `yaml:"batch_size"`
	// RequestTimeout bounds one write request (default 30s).
	RequestTimeout time.Duration `yaml:"request_timeout"`
}

// Ingest tunes the results stream and its consumer. Zero values take the
// defaults documented in controller/ingest, where each is explained.
type Ingest struct {
	// Consumer is the durable consumer's name (default vantage-ingest).
	// Controllers sharing one name share the work.
	Consumer string `yaml:"consumer"`
	// FetchBatch is the most messages pulled at once (default 100).
	FetchBatch int `yaml:"fetch_batch"`
	// AckWait is how long JetStream waits for an ack before redelivering
	// to another controller (default 30s).
	AckWait time.Duration `yaml:"ack_wait"`
	// MaxAckPending bounds unacknowledged messages in flight, and so how far
	// line health may run ahead of a dead InfluxDB (default 10,000, at
	// least 3 × fetch_batch).
	MaxAckPending int `yaml:"max_ack_pending"`
	// MaxFuture refuses results stamped further ahead of the controller's
	// clock than this (default 5m): a broken agent clock.
	MaxFuture time.Duration `yaml:"max_future"`
	// StreamMaxAge is how long VANTAGE_RESULTS keeps unconsumed messages
	// (default 7 days): the longest InfluxDB outage survived without loss.
	StreamMaxAge time.Duration `yaml:"stream_max_age"`
	// StreamMaxBytes bounds the stream's disk use (default 10 GiB).
	StreamMaxBytes int64 `yaml:"stream_max_bytes"`
	// DuplicateWindow is how long the ingest remembers a written message id,
	// per agent, to skip a resend (default 5m); see ingest.Options.Duplicates.
	DuplicateWindow time.Duration `yaml:"duplicate_window"`
	// Replicas of the stream: 1 embedded, 3 on a NATS cluster (default 1).
	Replicas int `yaml:"replicas"`
}

// Load reads and validates a config file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse decodes and validates config text.
func Parse(file string, data []byte) (*Config, error) {
	var c Config
	if err := yamlstrict.Decode(file, data, &c); err != nil {
		return nil, err
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	c.setDefaults()
	if errs := c.validate(file, &root); len(errs) > 0 {
		return nil, errs
	}
	if c.Influx.TokenFile != "" {
		tok, err := os.ReadFile(c.Influx.TokenFile)
		if err != nil {
			return nil, fmt.Errorf("%s: influx.token_file: %w", file, err)
		}
		c.Influx.Token = strings.TrimSpace(string(tok))
	}
	return &c, nil
}

func (c *Config) setDefaults() {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.HTTPListen, "127.0.0.1:9100")
	if c.APIAuth == nil {
		on := true
		c.APIAuth = &on
	}
	def(&c.DataDir, "vantage-data")
	def(&c.LogLevel, "info")
	def(&c.NATS.Listen, "0.0.0.0:4222")
	def(&c.NATS.StoreDir, filepath.Join(c.DataDir, "jetstream"))
	if c.NATS.AgentAuth == nil {
		on := c.NATS.Embedded()
		c.NATS.AgentAuth = &on
	}
	if c.NATS.SyncInterval == 0 {
		c.NATS.SyncInterval = time.Second
	}
	c.setDetectorDefaults()
	c.setInfluxQueueDefaults()
	c.setRemoteConfigDefaults()
	c.setReleasesDefaults()
	c.setComplaintsDefaults()
	c.setCoverageDefaults()
	c.setCompareDefaults()
	c.setReportDefaults()
	c.setClusterDefaults()
	c.setUIDefaults()
}

func (c *Config) validate(file string, root *yaml.Node) yamlstrict.Errors {
	var errs yamlstrict.Errors
	bad := func(field, format string, args ...any) {
		path := strings.Split(strings.SplitN(field, "[", 2)[0], ".")
		errs = append(errs, fmt.Sprintf("%s:%d: %s: %s", file, yamlstrict.LineOf(root, path...), field, fmt.Sprintf(format, args...)))
	}
	if _, _, err := net.SplitHostPort(c.HTTPListen); err != nil {
		bad("http_listen", "%q is not host:port", c.HTTPListen)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log_level", "%q is not one of debug, info, warn, error", c.LogLevel)
	}
	for i, u := range c.NATS.URLs {
		pu, err := url.Parse(u)
		if err != nil || pu.Host == "" || (pu.Scheme != "nats" && pu.Scheme != "tls") {
			bad(fmt.Sprintf("nats.urls[%d]", i), "%q is not a nats:// or tls:// URL", redact.URL(u))
		}
	}
	if c.NATS.Embedded() {
		if _, _, err := net.SplitHostPort(c.NATS.Listen); err != nil {
			bad("nats.listen", "%q is not host:port", c.NATS.Listen)
		}
	}
	if (*c.NATS.AgentAuth || c.NATS.TLS != nil) && !c.NATS.Embedded() {
		bad("nats.agent_auth", "applies to the embedded server only; an external cluster enforces its own users (README)")
	}
	if t := c.NATS.TLS; t != nil {
		if !*c.NATS.AgentAuth {
			bad("nats.tls", "needs nats.agent_auth: true")
		}
		if t.CertFile == "" || t.KeyFile == "" {
			bad("nats.tls", "cert_file and key_file are both required")
		}
	}
	if c.Influx.URL == "" {
		bad("influx.url", "is required (e.g. http://127.0.0.1:8086)")
	} else if u, err := url.Parse(c.Influx.URL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		bad("influx.url", "%q is not an http(s) URL", redact.URL(c.Influx.URL))
	}
	if c.Influx.Bucket == "" {
		bad("influx.bucket", `is required: a 2.x bucket, or "database/retention-policy" on 1.8`)
	}
	if c.Influx.Token != "" && c.Influx.TokenFile != "" {
		bad("influx.token_file", "give token or token_file, not both")
	}
	if c.Influx.BatchSize < 0 || c.Influx.BatchSize > 100000 {
		bad("influx.batch_size", "%d is outside 1..100000", c.Influx.BatchSize)
	}
	if c.Ingest.FetchBatch < 0 || c.Ingest.MaxAckPending < 0 || c.Ingest.Replicas < 0 || c.Ingest.StreamMaxBytes < 0 {
		bad("ingest", "fetch_batch, max_ack_pending, replicas and stream_max_bytes must not be negative")
	}
	if c.Ingest.FetchBatch > 0 && c.Ingest.MaxAckPending > 0 && c.Ingest.MaxAckPending < 3*c.Ingest.FetchBatch {
		bad("ingest.max_ack_pending", "%d is less than 3 × fetch_batch (%d): one batch fetched, one waiting, one being written", c.Ingest.MaxAckPending, c.Ingest.FetchBatch)
	}
	if c.Ingest.AckWait != 0 && c.Ingest.AckWait < 5*time.Second {
		bad("ingest.ack_wait", "%s is shorter than 5s: slow InfluxDB writes would cause redeliveries", c.Ingest.AckWait)
	}
	if c.Ingest.StreamMaxAge != 0 && c.Ingest.DuplicateWindow > c.Ingest.StreamMaxAge {
		bad("ingest.duplicate_window", "%s is longer than stream_max_age %s", c.Ingest.DuplicateWindow, c.Ingest.StreamMaxAge)
	}
	c.validateDatabase(bad)
	c.validateDetector(bad)
	c.validateInfluxQueue(bad)
	c.validateGrouping(bad)
	c.validateRemoteConfig(bad)
	c.validateEnroll(bad)
	c.validateReleases(bad)
	c.validateComplaints(bad)
	c.validateNotify(bad)
	c.validateCoverage(bad)
	c.validateCompare(bad)
	c.validateReport(bad)
	c.validateCluster(bad)
	c.validateUI(bad)
	errs = append(errs, c.validateSNMP(file, bad)...)
	return errs
}
