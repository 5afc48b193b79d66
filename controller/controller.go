// Package controller assembles the controller from its rooms: broker (NATS),
// ingest (JetStream → InfluxDB), line health (detector, incidents; fed by
// the ingest as a sink), the embedded database, and the HTTP surface
// (/metrics, /healthz, /api/v1/). cmd/vantage-controller is a thin main around it, and tests run
// the very same assembly in-process.
package controller

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/agentauth"
	"github.com/vantage-net/vantage/controller/agentconfig"
	"github.com/vantage-net/vantage/controller/api"
	"github.com/vantage-net/vantage/controller/apiauth"
	"github.com/vantage-net/vantage/controller/broker"
	"github.com/vantage-net/vantage/controller/complaints"
	"github.com/vantage-net/vantage/controller/config"
	"github.com/vantage-net/vantage/controller/evidence"
	"github.com/vantage-net/vantage/controller/ingest"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/linehealth"
	"github.com/vantage-net/vantage/controller/notify"
	"github.com/vantage-net/vantage/controller/partition"
	"github.com/vantage-net/vantage/controller/registry"
	"github.com/vantage-net/vantage/controller/release"
	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/controller/writebehind"
	"github.com/vantage-net/vantage/internal/redact"
	"github.com/vantage-net/vantage/internal/serve"
)

// Options configure a Controller.
type Options struct {
	Config   *config.Config
	Logger   *slog.Logger
	Registry *prometheus.Registry
	Version  string
}

// Controller is a running vantage-controller.
type Controller struct {
	cfg      *config.Config
	log      *slog.Logger
	reg      *prometheus.Registry
	version  string
	broker   *broker.Broker
	writer   *influx.Writer
	shipper  *shipper.Shipper
	db       *sql.DB
	monitor  *linehealth.Monitor
	reads    *linehealth.ReadModel // answers the API from what monitor committed
	gate     *evidence.Gate        // in front of monitor: only assigned agents' line evidence
	agents   *registry.Registry
	guard    *agentauth.Guard // nil with nats.agent_auth false
	auth     *apiauth.Auth
	ingester *ingest.Ingester
	queue    *writebehind.Queue // nil unless influx_queue is on (influxqueue.go)
	listener net.Listener
	js       jetstream.JetStream
	// configSync is nil unless remote_config.enabled.
	configSync *agentconfig.Syncer
	// consumers limits agents' consumers on the config bucket.
	consumers *agentauth.ConsumerLimiter
	// enrollListener is the HTTPS enrolment port (enroll.go); nil without
	// enroll in the config.
	enrollListener net.Listener
	// releases and fleet are nil without a releases block (releases.go).
	releases *release.Store
	fleet    *release.Fleet
	// complaints links and judges complaints (complaints.go).
	complaints *complaints.Store
	// notifier is nil without a notify block (notify.go).
	notifier *notify.Notifier
	// reports are customer-impact reports and their delivery (reports.go).
	reports *reportParts
	// cover is weak coverage, network comparison and places (cover.go).
	cover *coverParts
	// cluster is nil without a cluster block (cluster.go).
	cluster *partition.Node
}

// New starts NATS (embedded or connected), opens the database, restores
// the line-health state, prepares the InfluxDB writer and the ingest, and
// binds the HTTP port. Run serves until its context ends.
func New(o Options) (*Controller, error) {
	c := &Controller{cfg: o.Config, log: o.Logger, reg: o.Registry, version: o.Version}
	cfg := o.Config
	var err error
	c.listener, err = serve.Listen(cfg.HTTPListen)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	// The database opens first: the embedded NATS server checks agents'
	// credentials in it.
	c.db, err = sqldb.Open(ctx, cfg.Database.Target())
	if err != nil {
		c.Close()
		return nil, err
	}
	bo := broker.Options{
		URLs: cfg.NATS.URLs, User: cfg.NATS.User, Password: cfg.NATS.Password, CredsFile: cfg.NATS.CredsFile,
		CAFile: cfg.NATS.CAFile, Listen: cfg.NATS.Listen, StoreDir: cfg.NATS.StoreDir,
		SyncInterval: cfg.NATS.SyncInterval, Logger: o.Logger,
	}
	if *cfg.NATS.AgentAuth {
		var tlsFiles *agentauth.TLSFiles
		if t := cfg.NATS.TLS; t != nil {
			tlsFiles = &agentauth.TLSFiles{CertFile: t.CertFile, KeyFile: t.KeyFile, ClientCAFile: t.ClientCAFile}
		}
		c.guard, err = agentauth.NewGuard(agentauth.NewStore(c.db), agentauth.Options{TLS: tlsFiles},
			o.Logger.With("component", "agentauth"))
		if err != nil {
			c.Close()
			return nil, err
		}
		bo.Configure = c.guard.Configure
	}
	c.broker, err = broker.Start(bo)
	if err != nil {
		c.Close()
		return nil, err
	}
	if cfg.Enroll != nil {
		if c.enrollListener, err = listenEnroll(cfg.Enroll); err != nil {
			c.Close()
			return nil, err
		}
	}
	c.writer, err = influx.New(influx.Options{
		URL: cfg.Influx.URL, Org: cfg.Influx.Org, Bucket: cfg.Influx.Bucket, Token: cfg.Influx.Token,
		BatchSize: cfg.Influx.BatchSize, RequestTimeout: cfg.Influx.RequestTimeout,
	}, o.Logger.With("component", "influx"), o.Registry)
	if err != nil {
		c.Close()
		return nil, err
	}
	c.shipper, err = shipper.New(ctx, shipper.Options{DB: c.db, Points: c.writer},
		o.Logger.With("component", "shipper"), o.Registry)
	if err != nil {
		c.Close()
		return nil, err
	}
	if err := openNotify(c); err != nil {
		c.Close()
		return nil, err
	}
	c.monitor, err = linehealth.New(ctx, linehealth.Options{
		DB: c.db, Inventory: inventory.NewSQLStore(c.db), Shipper: c.shipper,
		Detector: cfg.Detector.LineState(), GroupWindow: cfg.Detector.GroupWindow, GroupRules: cfg.Detector.GroupRules(),
		SnapshotEvery: cfg.Detector.SnapshotInterval, IncidentHook: c.notifyHook(), Partition: ownHealth(cfg),
		ArrivalClock: cfg.Cluster == nil, // the ingest reports its progress (ingest.Options.Progress)
	}, o.Logger.With("component", "health"), ownHealthRegistry(cfg, o.Registry))
	if err != nil {
		c.Close()
		return nil, err
	}
	c.reads, err = linehealth.NewReadModel(linehealth.ReadOptions{DB: c.db, Inventory: inventory.NewSQLStore(c.db),
		Horizon: c.monitor.Horizon(), Timeline: c.notifyTimeline()})
	if err != nil {
		c.Close()
		return nil, err
	}
	c.gate, err = evidence.New(ctx, c.monitor, evidence.Options{Source: inventory.NewSQLStore(c.db)},
		o.Logger.With("component", "evidence"), o.Registry)
	if err != nil {
		c.Close()
		return nil, err
	}
	c.agents, err = registry.New(ctx, registry.Options{DB: c.db, Points: c.shipper, Sites: inventory.NewSQLStore(c.db)},
		o.Logger.With("component", "registry"), o.Registry)
	if err != nil {
		c.Close()
		return nil, err
	}
	c.auth, err = apiauth.New(apiauth.Options{DB: c.db, Inventory: inventory.NewSQLStore(c.db)},
		o.Logger.With("component", "apiauth"), o.Registry)
	if err != nil {
		c.Close()
		return nil, err
	}
	c.js, err = jetstream.New(c.broker.Conn)
	if err != nil {
		c.Close()
		return nil, err
	}
	// Also with an external cluster: its permissions, like ours, cannot
	// tell a durable consumer from an ephemeral one.
	c.consumers, err = agentauth.NewConsumerLimiter(c.broker.Conn, agentauth.ConsumerOptions{},
		o.Logger.With("component", "agentauth"), o.Registry)
	if err != nil {
		c.Close()
		return nil, err
	}
	if err := openReleases(c); err != nil {
		c.Close()
		return nil, err
	}
	if err := openCover(c); err != nil {
		c.Close()
		return nil, err
	}
	if err := openComplaints(c); err != nil {
		c.Close()
		return nil, err
	}
	if err := openReports(c); err != nil {
		c.Close()
		return nil, err
	}
	if rc := cfg.RemoteConfig; rc.Enabled {
		c.configSync = agentconfig.NewSyncer(c.js, inventory.NewSQLStore(c.db), agentconfig.SyncOptions{
			Refresh: rc.Refresh, ExtraDir: rc.ExtraDir,
			Ping: agentconfig.PingProfile{Interval: rc.Ping.Interval, Timeout: rc.Ping.Timeout, Count: rc.Ping.Count,
				PacketInterval: rc.Ping.PacketInterval, Confirm: confirmProfile(cfg)},
			SNMP: agentconfig.SNMPProfile{Interval: rc.SNMP.Interval, Timeout: rc.SNMP.Timeout, Credentials: rc.SNMP.Profiles},
		}, o.Logger.With("component", "agentconfig"), o.Registry)
	}
	in := cfg.Ingest
	store, err := openInfluxQueue(c)
	if err != nil {
		c.Close()
		return nil, err
	}
	c.ingester, err = ingest.New(c.broker.Conn, store, ingest.Options{
		Consumer: in.Consumer, FetchBatch: in.FetchBatch, AckWait: in.AckWait, MaxAckPending: in.MaxAckPending,
		MaxFuture: in.MaxFuture, MaxAge: in.StreamMaxAge, MaxBytes: in.StreamMaxBytes,
		Duplicates: in.DuplicateWindow, Replicas: in.Replicas, Progress: c.monitor.Consumed,
	}, o.Logger.With("component", "ingest"), o.Registry, c.gate, c.cover.samples)
	if err != nil {
		c.Close()
		return nil, err
	}
	if err := openCluster(c); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// HTTPAddr is the bound address of /metrics, /healthz and the API.
func (c *Controller) HTTPAddr() string { return c.listener.Addr().String() }

// NATSURL is where agents connect.
func (c *Controller) NATSURL() string { return c.broker.ClientURL() }

// Run ingests and serves HTTP until ctx ends, then shuts down in order:
// the ingest finishes what it holds before NATS goes away, and line health
// stops after the ingest, so its final snapshot holds the last results.
func (c *Controller) Run(ctx context.Context) error {
	defer c.Close()
	statuses, err := agentconfig.NewStatusWatcher(c.broker.Conn, c.log.With("component", "agentconfig"))
	if err != nil {
		return fmt.Errorf("config status: %w", err)
	}
	defer func() { _ = statuses.Close() }()
	mux := serve.Mux(c.reg, c.health)
	api := c.apiHandler(statuses)
	mux.Handle("/api/v1/", api)
	if err := c.registerUI(mux, api); err != nil {
		return fmt.Errorf("web ui: %w", err)
	}
	c.registerAckLinks(mux)
	c.startRollouts(statuses)
	if c.releases != nil {
		mux.Handle("GET /releases/", c.releases.Handler())
	}
	sub, err := c.agents.Subscribe(c.broker.Conn)
	if err != nil {
		return fmt.Errorf("heartbeats: %w", err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	c.log.Info("controller running", "http", c.HTTPAddr(), "nats", redact.URL(c.NATSURL()), "embedded_nats", c.broker.Server != nil,
		"influx", redact.URL(c.cfg.Influx.URL), "bucket", c.cfg.Influx.Bucket, "database", c.cfg.Database.Describe())
	return runStages(ctx, c.log, c.stages(mux)...)
}

// stages lists every component in the order they stop (runStages): first
// what takes input (the ingest, HTTP, the config syncer, the revocation
// guard, the agents' consumer limits), then what turns it into stored facts (line health's final commit
// and snapshot, the registry's final evaluation), last the shipper, which
// ships what those queued. Close runs after all of them returned.
func (c *Controller) stages(api http.Handler) [][]component {
	input := []component{
		c.inputComponent(),
		{"http", func(ctx context.Context) error { serve.Serve(ctx, c.listener, api, c.log); return nil }},
	}
	if c.configSync != nil {
		input = append(input, component{"agentconfig", func(ctx context.Context) error { c.configSync.Run(ctx); return nil }})
	}
	if c.guard != nil {
		input = append(input, component{"agentauth", func(ctx context.Context) error {
			c.guard.Enforce(ctx, c.broker.Server, 2*time.Second)
			return nil
		}})
	}
	input = append(input, c.enrollComponent()...)
	input = append(input, component{"agentconsumers", func(ctx context.Context) error { c.consumers.Run(ctx); return nil }})
	input = append(input, component{"evidence", func(ctx context.Context) error { c.gate.Run(ctx); return nil }})
	facts := []component{
		{"linehealth", c.monitor.Run},
		{"registry", func(ctx context.Context) error { c.agents.Run(ctx); return nil }},
		{"coverage", c.coverRun},
		c.complaintsComponent(),
	}
	facts = append(facts, c.reportComponents()...)
	last := append([]component{{"shipper", c.shipper.Run}}, c.notifyComponents()...)
	return [][]component{input, facts, append(last, c.influxQueueComponents()...)}
}

// Close releases everything New acquired; Run calls it on the way out.
func (c *Controller) Close() {
	c.closeInfluxQueue()
	if c.writer != nil {
		c.writer.Close()
	}
	if c.db != nil {
		_ = c.db.Close()
	}
	if c.broker != nil {
		c.broker.Close()
	}
	if c.listener != nil {
		_ = c.listener.Close()
	}
	if c.enrollListener != nil {
		_ = c.enrollListener.Close()
	}
}

func (c *Controller) health() (bool, map[string]any) {
	d := map[string]any{"version": c.version, "nats_connected": c.broker.Conn.IsConnected()}
	ok := true
	var errs []error
	if err := c.inputHealthy(); err != nil {
		errs = append(errs, fmt.Errorf("ingest: %w", err))
	}
	if err := c.writer.Healthy(); err != nil {
		errs = append(errs, fmt.Errorf("influx: %w", err))
	}
	if !c.broker.Conn.IsConnected() {
		errs = append(errs, errors.New("nats: not connected"))
	}
	if len(errs) > 0 {
		ok = false
		d["error"] = errors.Join(errs...).Error()
	}
	if t := c.writer.LastWrite(); !t.IsZero() {
		d["last_influx_write"] = t.UTC()
	}
	c.influxQueueHealth(d)
	return ok, d
}

// status is GET /api/v1/status. URLs are served without their user
// information (redact.URL): a password in influx.url stays in the config.
func (c *Controller) status(w http.ResponseWriter, r *http.Request) {
	ok, d := c.health()
	d["healthy"] = ok
	d["nats_url"] = redact.URL(c.NATSURL())
	d["influx_url"] = redact.URL(c.cfg.Influx.URL)
	d["influx_bucket"] = c.cfg.Influx.Bucket
	serve.JSON(w, http.StatusOK, d)
}

// apiHandler is /api/v1/: every route behind the bearer-token check (unless
// api_auth is off), account managers scoped to their customers, the agent
// fleet and the controller's status for admin and ops only.
func (c *Controller) apiHandler(statuses *agentconfig.StatusWatcher) http.Handler {
	mux := http.NewServeMux()
	var status http.Handler = http.HandlerFunc(c.status)
	var scope api.Scope
	fleet := http.NewServeMux()
	fleet.Handle("GET /api/v1/agents/{id}", c.agents.Handler())
	fleet.Handle("GET /api/v1/agents", c.serveAgents(statuses))
	fleet.Handle("GET /api/v1/agents/{id}/config", agentconfig.Handler(c.js, statuses))
	var fleetHandler http.Handler = fleet
	if *c.cfg.APIAuth {
		scope = api.PrincipalScope
		fleetHandler = apiauth.RequireRole(apiauth.Admin, apiauth.Ops)(fleet)
		// Status names the controller's NATS and InfluxDB: operator
		// business, not an account manager's.
		status = apiauth.RequireRole(apiauth.Admin, apiauth.Ops)(status)
	}
	mux.Handle("GET /api/v1/status", status)
	mux.Handle("/api/v1/agents", fleetHandler)
	mux.Handle("/api/v1/agents/", fleetHandler)
	api.Register(mux, c.reads, c.log.With("component", "api"), scope)
	c.registerNotify(mux)
	c.coverRoutes(mux)
	c.registerComplaints(mux)
	c.registerReports(mux)
	c.registerCluster(mux)
	if !*c.cfg.APIAuth {
		return mux
	}
	return c.auth.Require(mux)
}
