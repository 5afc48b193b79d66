package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// resultsStream is the results stream's configuration.
//
// Work-queue retention deletes a message once it is acked, so the stream
// holds only what InfluxDB has not taken yet, and "discard new" then makes
// a full stream refuse publishes instead of dropping the oldest unwritten
// results: agents keep them in their disk spools and retry. (With limits
// retention a full stream would either drop unwritten results or refuse
// new ones while holding only acked ones.) Controllers share the work
// through one durable consumer, which work-queue retention allows.
func (o *Options) resultsStream() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        o.Stream,
		Description: "Probe results from agents, until the controller has written them to InfluxDB",
		Subjects:    []string{ResultsSubjectPrefix + ">"},
		Retention:   jetstream.WorkQueuePolicy,
		Discard:     jetstream.DiscardNew,
		MaxAge:      o.MaxAge,
		MaxBytes:    o.MaxBytes,
		Storage:     jetstream.FileStorage,
		Replicas:    o.Replicas,
		// Not o.Duplicates: that window is the ingest's own, per agent
		// (msgid.go). The stream-wide one stays minimal.
		Duplicates: streamDuplicates,
	}
}

// deadLetterStream keeps rejected messages for people to read. Limits
// retention with "discard old": a flood of garbage must never stop the
// ingest, so the oldest dead letters give way.
func (o *Options) deadLetterStream() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        o.DeadLetterStream,
		Description: "Result messages and results the controller refused, with the reason in headers",
		Subjects:    []string{DeadLetterSubjectPrefix + ">"},
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      o.DeadLetterMaxAge,
		MaxBytes:    o.DeadLetterMaxBytes,
		Storage:     jetstream.FileStorage,
		Replicas:    o.Replicas,
		// Two minutes covers a message's redelivery after a failed sink
		// (SinkRetryDelay) or a dead-letter publish that timed out. (A
		// message deferred while InfluxDB is down publishes its dead
		// letters only after its write, once.)
		Duplicates: 2 * time.Minute,
	}
}

// consumer is the durable pull consumer's configuration.
//
// MaxDeliver is unlimited: while InfluxDB is down every message is
// delivered again and again (nak with backoff, outage.go), and neither
// that, a crash nor a failing sink is a reason to lose data. A message
// leaves the stream only when acked (written), terminated (dead-lettered)
// or older than MaxAge.
func (o *Options) consumer() jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:       o.Consumer,
		Description:   "Controller ingest: results to InfluxDB",
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       o.AckWait,
		MaxDeliver:    -1,
		MaxAckPending: o.MaxAckPending,
		FilterSubject: ResultsSubjectPrefix + ">",
	}
}

// EnsureStreams creates or updates the results and dead-letter streams and
// the durable consumer, once, without consuming. Run does the same first;
// call EnsureStreams earlier when the stream must exist before agents
// publish (a fresh embedded server) or before a benchmark fills it.
func (in *Ingester) EnsureStreams(ctx context.Context) error {
	_, err := in.trySetup(ctx)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	return nil
}

// setup creates or updates both streams and the consumer. It retries while
// JetStream does not answer (a cluster still electing, a connection not yet
// up) and gives up on an error JetStream answered with, such as a stream
// that exists with another retention policy: that needs a person.
func (in *Ingester) setup(ctx context.Context) (jetstream.Consumer, error) {
	for attempt := 0; ; attempt++ {
		cons, err := in.trySetup(ctx)
		if err == nil {
			return cons, nil
		}
		var apiErr *jetstream.APIError
		if errors.As(err, &apiErr) || ctx.Err() != nil {
			return nil, err
		}
		in.setupErr.Store(&err)
		if attempt == 0 {
			in.log.Warn("JetStream not ready; retrying", "err", err)
		}
		t := time.NewTimer(min(time.Second<<min(attempt, 5), 30*time.Second))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
	}
}

// EnsureStreamsOnly creates or updates the results and dead-letter
// streams without the durable consumer: controllers sharing the results
// by partition (controller/partition) have a consumer per partition, and
// work-queue retention refuses a consumer whose filter overlaps theirs.
// Controllers starting together create the streams at once; on a
// clustered JetStream such racing create-or-updates can go unanswered,
// so each attempt is bounded and retried (as setup does) until ctx ends
// or JetStream answers with an error.
func (in *Ingester) EnsureStreamsOnly(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := in.ensureStreams(actx)
		cancel()
		var apiErr *jetstream.APIError
		if err == nil || errors.As(err, &apiErr) || ctx.Err() != nil {
			return err
		}
		t := time.NewTimer(min(time.Duration(attempt+1)*200*time.Millisecond, 2*time.Second))
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

func (in *Ingester) ensureStreams(ctx context.Context) error {
	if _, err := in.js.CreateOrUpdateStream(ctx, in.opts.resultsStream()); err != nil {
		return fmt.Errorf("stream %s: %w", in.opts.Stream, err)
	}
	if _, err := in.js.CreateOrUpdateStream(ctx, in.opts.deadLetterStream()); err != nil {
		return fmt.Errorf("stream %s: %w", in.opts.DeadLetterStream, err)
	}
	return nil
}

func (in *Ingester) trySetup(ctx context.Context) (jetstream.Consumer, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := in.ensureStreams(ctx); err != nil {
		return nil, err
	}
	cons, err := in.js.CreateOrUpdateConsumer(ctx, in.opts.Stream, in.opts.consumer())
	if err != nil {
		return nil, fmt.Errorf("consumer %s on %s: %w", in.opts.Consumer, in.opts.Stream, err)
	}
	return cons, nil
}
