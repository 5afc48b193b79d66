package partition

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Snapshot is a partition's handed-over state.
type Snapshot struct {
	// Seq is the stream sequence of the newest message the detector state
	// includes; every message of the partition up to it was applied (and
	// is acked once this snapshot is saved).
	Seq uint64 `json:"seq"`
	// Owner saved it, at Taken (its clock).
	Owner string    `json:"owner"`
	Taken time.Time `json:"taken"`
	// Detector is linestate.Detector.Snapshot of the partition's lines.
	Detector []byte `json:"detector"`
}

// Handover keeps each partition's last snapshot in a JetStream object
// store (objects, not KV values: a partition of 3,000 lines is larger than
// a NATS message), replicated like the results stream.
type Handover struct {
	obj jetstream.ObjectStore
}

// OpenHandover creates or updates the object store (default bucket
// VANTAGE_HANDOVER).
func OpenHandover(ctx context.Context, js jetstream.JetStream, bucket string, replicas int) (*Handover, error) {
	if bucket == "" {
		bucket = "VANTAGE_HANDOVER"
	}
	obj, err := ensure(ctx, func(ctx context.Context) (jetstream.ObjectStore, error) {
		return js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
			Bucket: bucket, Description: "Each partition's last detector snapshot, for its next owner",
			Replicas: max(replicas, 1), Storage: jetstream.FileStorage,
		})
	})
	if err != nil {
		return nil, fmt.Errorf("handover store %s: %w", bucket, err)
	}
	return &Handover{obj: obj}, nil
}

func objectName(p int) string { return "partition-" + strconv.Itoa(p) }

// Save replaces partition p's snapshot. A crash while saving leaves the
// previous one (the object's metadata is written last).
func (h *Handover) Save(ctx context.Context, p int, s Snapshot) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if _, err := h.obj.PutBytes(ctx, objectName(p), data); err != nil {
		return fmt.Errorf("save partition %d snapshot: %w", p, err)
	}
	return nil
}

// Load returns partition p's snapshot; ok is false when none was saved
// (the partition starts empty, from the first message in the stream).
func (h *Handover) Load(ctx context.Context, p int) (s Snapshot, ok bool, err error) {
	data, err := h.obj.GetBytes(ctx, objectName(p))
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return s, false, nil
	}
	if err != nil {
		return s, false, fmt.Errorf("load partition %d snapshot: %w", p, err)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, false, fmt.Errorf("partition %d snapshot: %w", p, err)
	}
	return s, true, nil
}
