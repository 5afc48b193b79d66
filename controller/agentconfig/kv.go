package agentconfig

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/agent/remote"
	"github.com/vantage-net/vantage/probes"
	"github.com/vantage-net/vantage/probes/result"
)

// History is how many revisions per agent the bucket keeps: enough to see
// what changed recently and roll back by hand.
const History = 5

// ErrNotFound is returned by Get for an agent without a config.
var ErrNotFound = errors.New("no remote config for this agent")

// Bucket opens the config bucket, creating it when missing.
func Bucket(ctx context.Context, js jetstream.JetStream) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, remote.Bucket)
	if !errors.Is(err, jetstream.ErrBucketNotFound) {
		return kv, err
	}
	kv, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: remote.Bucket, History: History,
		Description: "vantage agent configs (probes), key = agent id"})
	if errors.Is(err, jetstream.ErrBucketExists) { // created meanwhile by another controller call
		return js.KeyValue(ctx, remote.Bucket)
	}
	return kv, err
}

// Put validates yaml as agentID's remote config and publishes it. It returns
// the new revision, which the agent's status and heartbeat will report once
// applied.
func Put(ctx context.Context, js jetstream.JetStream, agentID string, yaml []byte) (uint64, error) {
	if !result.ValidAgentID(agentID) {
		return 0, fmt.Errorf("agent id %q: letters, digits, '-' or '_' only", agentID)
	}
	if err := config.CheckRemote(remote.Bucket+"/"+agentID+"@new", yaml, agentID, probes.TypeInfo{}); err != nil {
		return 0, fmt.Errorf("agent %s: config not published:\n%w", agentID, err)
	}
	kv, err := Bucket(ctx, js)
	if err != nil {
		return 0, fmt.Errorf("agent config bucket: %w", err)
	}
	rev, err := kv.Put(ctx, agentID, yaml)
	if err != nil {
		return 0, fmt.Errorf("agent %s: publishing config: %w", agentID, err)
	}
	return rev, nil
}

// Get returns agentID's current remote config and its revision.
func Get(ctx context.Context, js jetstream.JetStream, agentID string) ([]byte, uint64, error) {
	kv, err := js.KeyValue(ctx, remote.Bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, err
	}
	e, err := kv.Get(ctx, agentID)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, err
	}
	return e.Value(), e.Revision(), nil
}
