package main

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/controller/broker"
	"github.com/vantage-net/vantage/controller/ingest"
	"github.com/vantage-net/vantage/probes/result"
)

// startNATS starts the controller's embedded nats-server (JetStream on
// local disk under storeDir, a free loopback port) exactly as the small
// installation does, with the controller's in-process connection.
func startNATS(storeDir string) (*broker.Broker, error) {
	return broker.Start(broker.Options{Listen: "127.0.0.1:-1", StoreDir: storeDir})
}

// prefill publishes every batch to vantage.results.<agent> over TCP with a
// Vantage-Msg-Id, as agents do, and waits until JetStream stored them all.
func prefill(ctx context.Context, url string, batches []*result.Batch, round int) error {
	nc, err := nats.Connect(url, nats.Name("bench-agents"))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(1024))
	if err != nil {
		return err
	}
	for i, b := range batches {
		data, err := result.Encode(b)
		if err != nil {
			return err
		}
		m := &nats.Msg{Subject: ingest.ResultsSubjectPrefix + b.Agent, Data: data,
			Header: nats.Header{ingest.HeaderMsgID: []string{fmt.Sprintf("%s-%d-%d", b.Agent, round, i)}}}
		if _, err := js.PublishMsgAsync(m); err != nil {
			return err
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-ctx.Done():
		return ctx.Err()
	}
	if n := js.PublishAsyncPending(); n != 0 {
		return fmt.Errorf("%d publishes not acknowledged", n)
	}
	return nil
}
