package partition

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/controller/linestate"
)

// Ledger is a shared record of final flaps and outages in a JetStream KV
// bucket (VANTAGE_LINE_EVENTS), one key per event identity (line, kind,
// start): an EventSink that every controller of a cluster writes and that
// counts a re-produced event once. It is what the failover tests count
// against the simulator's ground truth; line health's line_events table
// on the shared PostgreSQL database is meant to take this role (its rows
// are idempotent by the same identity).
type Ledger struct {
	kv jetstream.KeyValue
	// Replayed counts events produced again after a failover and found
	// already recorded (identical), Revised those found with other values.
	Replayed, Revised func()
}

// LedgerEvent is one recorded event.
type LedgerEvent struct {
	Line      string    `json:"line"`
	Kind      string    `json:"kind"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	DurationS float64   `json:"duration_s"`
}

// OpenLedger creates or updates the bucket.
// maxAge bounds how long an event is kept (0: for ever).
func OpenLedger(ctx context.Context, js jetstream.JetStream, replicas int, maxAge time.Duration) (*Ledger, error) {
	kv, err := ensure(ctx, func(ctx context.Context) (jetstream.KeyValue, error) {
		return js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: "VANTAGE_LINE_EVENTS", Description: "Final flaps and outages, one key per (line, kind, start)",
			History: 1, Replicas: max(replicas, 1), Storage: jetstream.FileStorage, TTL: maxAge,
		})
	})
	if err != nil {
		return nil, fmt.Errorf("event ledger: %w", err)
	}
	return &Ledger{kv: kv, Replayed: func() {}, Revised: func() {}}, nil
}

// key encodes the identity; circuit ids may hold characters a KV key may not.
func key(line, kind string, start time.Time) string {
	return base64.RawURLEncoding.EncodeToString([]byte(line)) + "." + kind + "." + strconv.FormatInt(start.UnixNano(), 10)
}

// Record implements EventSink for flaps and outages (the counted kinds).
func (l *Ledger) Record(ctx context.Context, events []linestate.Event) error {
	for _, e := range events {
		if e.Kind != linestate.Flap && e.Kind != linestate.Outage {
			continue
		}
		v, _ := json.Marshal(LedgerEvent{Line: e.Line, Kind: string(e.Kind), Start: e.Start.UTC(), End: e.End.UTC(), DurationS: e.Duration.Seconds()})
		k := key(e.Line, string(e.Kind), e.Start)
		_, err := l.kv.Create(ctx, k, v)
		if err == nil {
			continue
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return err
		}
		old, err := l.kv.Get(ctx, k)
		if err != nil {
			return err
		}
		if string(old.Value()) == string(v) {
			l.Replayed()
			continue
		}
		l.Revised()
		if _, err := l.kv.Put(ctx, k, v); err != nil {
			return err
		}
	}
	return nil
}

// Events lists every recorded event by line.
func (l *Ledger) Events(ctx context.Context) (map[string][]LedgerEvent, error) {
	lister, err := l.kv.ListKeys(ctx)
	if err != nil {
		if errors.Is(err, jetstream.ErrNoKeysFound) {
			return map[string][]LedgerEvent{}, nil
		}
		return nil, err
	}
	out := map[string][]LedgerEvent{}
	for k := range lister.Keys() {
		e, err := l.kv.Get(ctx, k)
		if err != nil {
			return nil, err
		}
		var ev LedgerEvent
		if err := json.Unmarshal(e.Value(), &ev); err != nil {
			return nil, fmt.Errorf("ledger %s: %w", k, err)
		}
		out[ev.Line] = append(out[ev.Line], ev)
	}
	return out, nil
}
