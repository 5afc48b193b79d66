package agentrun

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/probes/result"
)

// NATS is an in-process JetStream server on a free loopback port with the
// stream the controller would create for results.
type NATS struct {
	// URL is the client URL agents connect to.
	URL string
	srv *server.Server
	nc  *nats.Conn
	js  jetstream.JetStream
}

// StartNATS starts the server with its store in dir.
func StartNATS(ctx context.Context, dir string) (*NATS, error) {
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoSigs: true, NoLog: true})
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, errors.New("nats: not ready after 10s")
	}
	n := &NATS{URL: s.ClientURL(), srv: s}
	if n.nc, err = nats.Connect(n.URL); err != nil {
		n.Close()
		return nil, err
	}
	if n.js, err = jetstream.New(n.nc); err != nil {
		n.Close()
		return nil, err
	}
	_, err = n.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: "VANTAGE_RESULTS", Subjects: []string{"vantage.results.>"},
		Storage: jetstream.FileStorage, MaxBytes: 256 << 20, Discard: jetstream.DiscardOld,
		Duplicates: 2 * time.Minute,
	})
	if err != nil {
		n.Close()
		return nil, fmt.Errorf("nats: results stream: %w", err)
	}
	return n, nil
}

// Close stops the server.
func (n *NATS) Close() {
	if n.nc != nil {
		n.nc.Close()
	}
	n.srv.Shutdown()
	n.srv.WaitForShutdown()
}

// Results reads agent's published results, oldest first, and passes each
// to fn until fn returns true or ctx ends (then it returns ctx's error).
func (n *NATS) Results(ctx context.Context, agent string, fn func(result.Result) bool) error {
	c, err := n.js.OrderedConsumer(ctx, "VANTAGE_RESULTS", jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{"vantage.results." + agent},
	})
	if err != nil {
		return err
	}
	for {
		msgs, err := c.Fetch(100, jetstream.FetchMaxWait(time.Second))
		if err != nil && ctx.Err() == nil {
			return err
		}
		if msgs != nil {
			for m := range msgs.Messages() {
				b, err := result.Decode(m.Data())
				if err != nil {
					return fmt.Errorf("agent published an undecodable batch: %w", err)
				}
				for _, r := range b.Results {
					if fn(r) {
						return nil
					}
				}
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}
