package agentauth

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// ConsumerOptions configure a ConsumerLimiter. Zero values take the
// defaults given on each field.
type ConsumerOptions struct {
	// PerAgent is how many consumers on its own config key one agent may
	// hold: its KV watch, and the one a reconnect replaced until the server
	// removes it. Default 2.
	PerAgent int
	// Inactive is the config stream's consumer limit: every consumer on it
	// is removed by the server once it has had no interest (no subscriber,
	// no pull) for this long, and none may ask for longer. A revoked
	// agent's consumers therefore go within Inactive of its disconnection.
	// Default 1m.
	Inactive time.Duration
	// Resync is how often every consumer of the stream is listed again;
	// between resyncs the server's consumer advisories drive the checks.
	// Default 5m.
	Resync time.Duration
}

// Reasons a consumer was deleted, the reason label of
// vantage_controller_agent_consumers_deleted_total.
const (
	ConsumerDurable = "durable" // an agent may only hold ephemeral consumers
	ConsumerExcess  = "excess"  // beyond PerAgent; the oldest go
)

// ConsumerLimiter keeps agents' consumers on the config bucket's stream to
// what a KV watch needs (issue 10, attack 6). The server's permissions
// let an agent create a consumer only with its own key as the filter
// (Permissions), but "$JS.API.CONSUMER.CREATE.<stream>.<name>.<filter>"
// also creates a durable when the request body says so, and a subject
// permission cannot see the body. So the limiter, on the controller's own
// connection:
//   - sets the stream's consumer limit (Inactive), which the server applies
//     to every consumer, durable or not, and refuses requests above;
//   - deletes every durable consumer whose filter is an agent's key, and
//     all but the newest PerAgent consumers of each agent, as soon as the
//     server's CREATED advisory arrives (and at every Resync).
//
// Consumers without an agent key as their only filter are not agents' and
// are left alone.
type ConsumerLimiter struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	o       ConsumerOptions
	log     *slog.Logger
	deleted *prometheus.CounterVec

	held   map[string]map[string]time.Time // agent → consumer → created; Run's goroutine only
	logged map[string]time.Time            // agent → last deletion logged, one a minute
	// limited is set once the stream carries the consumer limit; until
	// then (no bucket yet at start) every advisory resyncs instead.
	limited bool
}

// NewConsumerLimiter returns a limiter working over nc, the controller's
// connection. Metrics are registered with reg (nil: not registered).
func NewConsumerLimiter(nc *nats.Conn, o ConsumerOptions, log *slog.Logger, reg prometheus.Registerer) (*ConsumerLimiter, error) {
	if o.PerAgent <= 0 {
		o.PerAgent = 2
	}
	if o.Inactive <= 0 {
		o.Inactive = time.Minute
	}
	if o.Resync <= 0 {
		o.Resync = 5 * time.Minute
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	l := &ConsumerLimiter{nc: nc, js: js, o: o, log: log, held: map[string]map[string]time.Time{}, logged: map[string]time.Time{},
		deleted: promauto.With(reg).NewCounterVec(prometheus.CounterOpts{
			Name: "vantage_controller_agent_consumers_deleted_total",
			Help: "Consumers of agents on the config bucket deleted by the controller, by reason: durable, excess.",
		}, []string{"reason"})}
	l.deleted.WithLabelValues(ConsumerDurable)
	l.deleted.WithLabelValues(ConsumerExcess)
	return l, nil
}

// advisory is one consumer created or deleted, from its advisory subject
// $JS.EVENT.ADVISORY.CONSUMER.<CREATED|DELETED>.<stream>.<consumer>.
type advisory struct {
	created  bool
	consumer string
}

// Run enforces the limits until ctx ends.
func (l *ConsumerLimiter) Run(ctx context.Context) {
	events := make(chan advisory, 4096)
	overflow := make(chan struct{}, 1)
	sub, err := l.nc.Subscribe("$JS.EVENT.ADVISORY.CONSUMER.*."+configStream+".*", func(m *nats.Msg) {
		tok := strings.Split(m.Subject, ".")
		if len(tok) != 7 || (tok[4] != "CREATED" && tok[4] != "DELETED") {
			return
		}
		select {
		case events <- advisory{created: tok[4] == "CREATED", consumer: tok[6]}:
		default: // a flood: the next resync catches up
			select {
			case overflow <- struct{}{}:
			default:
			}
		}
	})
	if err != nil {
		l.log.Error("cannot watch consumer advisories; agents' consumers are checked every resync only", "err", err)
	} else {
		defer func() { _ = sub.Unsubscribe() }()
	}
	l.resync(ctx)
	t := time.NewTicker(l.o.Resync)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.resync(ctx)
		case <-overflow:
			l.resync(ctx)
		case ev := <-events:
			if !l.limited {
				l.resync(ctx) // the bucket was created since: limit it, read all
				continue
			}
			if !ev.created {
				for _, m := range l.held {
					delete(m, ev.consumer)
				}
				continue
			}
			l.check(ctx, ev.consumer)
		}
	}
}

// resync applies the stream's consumer limit and re-reads every consumer.
func (l *ConsumerLimiter) resync(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	s, err := l.js.Stream(ctx, configStream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return // no bucket yet: nothing to watch, nothing to limit
	}
	if err != nil {
		l.log.Warn("agent consumer check: read config stream", "err", err)
		return
	}
	if cfg := s.CachedInfo().Config; cfg.ConsumerLimits.InactiveThreshold != l.o.Inactive {
		cfg.ConsumerLimits.InactiveThreshold = l.o.Inactive
		if _, err := l.js.UpdateStream(ctx, cfg); err != nil {
			l.log.Warn("agent consumer check: set the config stream's consumer limit", "err", err)
		} else {
			l.limited = true
		}
	} else {
		l.limited = true
	}
	held := map[string]map[string]time.Time{}
	list := s.ListConsumers(ctx)
	for ci := range list.Info() {
		if agent := consumerAgent(&ci.Config); agent != "" {
			if l.deleteDurable(ctx, agent, ci) {
				continue
			}
			if held[agent] == nil {
				held[agent] = map[string]time.Time{}
			}
			held[agent][ci.Name] = ci.Created
		}
	}
	if err := list.Err(); err != nil {
		l.log.Warn("agent consumer check: list consumers", "err", err)
		return
	}
	l.held = held
	clear(l.logged)
	for agent := range held {
		l.trim(ctx, agent)
	}
}

// check looks at one newly created consumer.
func (l *ConsumerLimiter) check(ctx context.Context, name string) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ci, err := l.info(ctx, name)
	if err != nil {
		return // gone already, or the stream is: nothing to limit
	}
	agent := consumerAgent(&ci.Config)
	if agent == "" || l.deleteDurable(ctx, agent, ci) {
		return
	}
	if l.held[agent] == nil {
		l.held[agent] = map[string]time.Time{}
	}
	l.held[agent][name] = ci.Created
	l.trim(ctx, agent)
}

// info reads a consumer's info with the plain API request: the jetstream
// package's Consumer refuses push consumers, which a KV watch makes.
func (l *ConsumerLimiter) info(ctx context.Context, name string) (*jetstream.ConsumerInfo, error) {
	m, err := l.nc.RequestWithContext(ctx, "$JS.API.CONSUMER.INFO."+configStream+"."+name, nil)
	if err != nil {
		return nil, err
	}
	var resp struct {
		jetstream.ConsumerInfo
		Error *jetstream.APIError `json:"error"`
	}
	if err := json.Unmarshal(m.Data, &resp); err != nil {
		return nil, err
	}
	if resp.Error != nil {
		return nil, resp.Error
	}
	return &resp.ConsumerInfo, nil
}

func (l *ConsumerLimiter) deleteDurable(ctx context.Context, agent string, ci *jetstream.ConsumerInfo) bool {
	if ci.Config.Durable == "" {
		return false
	}
	l.delete(ctx, agent, ci.Name, ConsumerDurable)
	return true
}

// trim deletes all but agent's newest PerAgent consumers.
func (l *ConsumerLimiter) trim(ctx context.Context, agent string) {
	m := l.held[agent]
	if len(m) <= l.o.PerAgent {
		return
	}
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int { return m[a].Compare(m[b]) })
	for _, n := range names[:len(names)-l.o.PerAgent] {
		l.delete(ctx, agent, n, ConsumerExcess)
		delete(m, n)
	}
}

func (l *ConsumerLimiter) delete(ctx context.Context, agent, name, reason string) {
	err := l.js.DeleteConsumer(ctx, configStream, name)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		return // the server removed it first
	}
	if err != nil {
		l.log.Warn("cannot delete an agent's consumer", "agent", agent, "consumer", name, "reason", reason, "err", err)
		return
	}
	l.deleted.WithLabelValues(reason).Inc()
	// A rogue agent may create thousands: the counter has them all, the
	// log one line per agent a minute.
	if now := time.Now(); now.Sub(l.logged[agent]) >= time.Minute {
		l.logged[agent] = now
		l.log.Warn("deleted an agent's consumer on the config bucket (further ones this minute counted, not logged)",
			"agent", agent, "consumer", name, "reason", reason)
	}
}

// consumerAgent is the agent whose key is cfg's only filter, or "".
func consumerAgent(cfg *jetstream.ConsumerConfig) string {
	filters := cfg.FilterSubjects
	if cfg.FilterSubject != "" {
		filters = append([]string{cfg.FilterSubject}, filters...)
	}
	if len(filters) != 1 {
		return ""
	}
	id, ok := strings.CutPrefix(filters[0], configKey)
	if !ok || CheckAgentID(id) != nil {
		return ""
	}
	return id
}
