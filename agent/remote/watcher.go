package remote

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/internal/clock"
)

// Publisher sends a core NATS message (*nats.Conn).
type Publisher interface {
	Publish(subject string, data []byte) error
}

// Options configure a Watcher.
type Options struct {
	// Local is the agent's local config: the base every remote config is
	// applied over, and the source of agent_id and remote_config.
	Local *config.Config
	// Types validates probe types and targets (the probes registry).
	Types config.TypeInfo
	// JS and NC reach the bucket and the status subject.
	JS jetstream.JetStream
	NC Publisher
	// Apply runs a validated config; an error (a probe that cannot be
	// built) refuses the revision and the old config must keep running.
	Apply func(c *config.Config, rev uint64) error
	// Running is the revision running now (0: the local file).
	Running func() uint64
	// Seen, if set, is called after every revision handled, applied or
	// not: the agent read its config, one of its health signals.
	Seen func()
	// Update, if set, is the self-updater's state, sent with each status.
	Update func() *UpdateStatus
	Logger *slog.Logger
	// Clock stamps statuses.
	Clock clock.Clock
	// Rand jitters the retry delay; not shared with other goroutines.
	Rand *rand.Rand
	// Wake, if set, ends a retry delay early and starts the backoff over:
	// NATS is (back) up, so the watch should not wait out up to 45 s of
	// backoff grown while it was unreachable.
	Wake <-chan struct{}
}

// Watcher follows the agent's key and applies each new revision.
type Watcher struct{ o Options }

// NewWatcher returns a Watcher; Run starts it.
func NewWatcher(o Options) *Watcher { return &Watcher{o: o} }

// Run watches until ctx ends. The bucket may not exist yet and NATS may be
// down: both are retried with backoff and jitter (1s doubling to 30s), so a
// fleet coming back does not hit the server in step.
func (w *Watcher) Run(ctx context.Context) {
	delay := time.Second
	for {
		err := w.watch(ctx)
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, errWatching) {
			delay = time.Second // it worked for a while: start backoff over
		}
		w.o.Logger.Debug("remote config: watch not running; retrying", "err", err, "in", delay)
		// Real time, not Clock: this waits for the network, not a schedule.
		t := time.NewTimer(delay/2 + time.Duration(w.o.Rand.Int63n(int64(delay))))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
			delay = min(2*delay, 30*time.Second)
		case <-w.o.Wake:
			t.Stop()
			delay = time.Second
		}
	}
}

var errWatching = errors.New("remote config: watch ended")

// watch opens the bucket, watches the key and handles updates until the
// watch ends. The first update is the key's current value, so a revision
// published while the agent was away is applied on (re)connect.
func (w *Watcher) watch(ctx context.Context) error {
	octx, cancel := context.WithTimeout(ctx, 10*time.Second)
	kv, err := w.o.JS.KeyValue(octx, Bucket)
	cancel()
	if err != nil {
		return err
	}
	kw, err := kv.Watch(ctx, w.o.Local.AgentID)
	if err != nil {
		return err
	}
	// Stop may fail to delete the consumer when the agent's permissions
	// don't allow it; the server removes the ephemeral consumer itself.
	defer func() { _ = kw.Stop() }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-kw.Updates():
			if !ok {
				return errWatching
			}
			if e != nil { // nil marks the end of the initial values
				w.handle(e)
			}
		}
	}
}

// handle applies one revision, or refuses it, and says so on the status
// subject.
func (w *Watcher) handle(e jetstream.KeyValueEntry) {
	log := w.o.Logger.With("revision", e.Revision())
	if e.Operation() != jetstream.KeyValuePut {
		// A deleted key does not stop the probes: the agent keeps measuring
		// with the last config it was given until it gets a new one.
		log.Warn("remote config: key deleted; keeping the running config", "running", w.o.Running())
		return
	}
	rev := e.Revision()
	if w.o.Seen != nil {
		defer w.o.Seen()
	}
	// Equal: already running (the cache at boot, or a re-delivered value).
	// Any other revision is applied, lower ones too: a recreated bucket
	// starts counting at 1 again.
	if rev == w.o.Running() {
		w.status(rev, true, "")
		return
	}
	c, err := config.ParseRemote(SourceName(w.o.Local.AgentID, rev), e.Value(), w.o.Local, w.o.Types)
	if err == nil {
		err = w.o.Apply(c, rev)
	}
	if err != nil {
		log.Warn("remote config refused; the previous config keeps running", "running", w.o.Running(), "err", err)
		w.status(rev, false, err.Error())
		return
	}
	log.Info("remote config applied", "probes", len(c.Probes), "jobs", len(c.Jobs()))
	msg := ""
	if err := SaveCache(w.o.Local.RemoteConfig.CacheFile, w.o.Local.AgentID, rev, e.Value()); err != nil {
		// Running, but a restart during an outage would start from an
		// older config: worth telling the controller.
		log.Error("remote config applied but not cached", "err", err)
		msg = err.Error()
	}
	w.status(rev, true, msg)
}

func (w *Watcher) status(rev uint64, applied bool, msg string) {
	st := Status{Agent: w.o.Local.AgentID, Revision: rev, Applied: applied, Error: msg,
		Running: w.o.Running(), Time: w.o.Clock.Now()}
	if w.o.Update != nil {
		st.Update = w.o.Update()
	}
	data, _ := json.Marshal(st)
	// Core NATS: lost if the connection just dropped. The next revision,
	// or the heartbeat's config_rev, tells the controller what runs.
	_ = w.o.NC.Publish(StatusSubject(w.o.Local.AgentID), data)
}
