package main

import (
	"context"
	"net"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// serveNATS is the benchmark's NATS: JetStream with the results stream the
// controller would create, bounded so a long run cannot fill the disk.
func serveNATS(args []string) {
	if len(args) != 2 {
		fatal("serve-nats ADDR DIR")
	}
	host, portStr, _ := net.SplitHostPort(args[0])
	port, _ := strconv.Atoi(portStr)
	s, err := server.NewServer(&server.Options{Host: host, Port: port, JetStream: true, StoreDir: args[1], NoSigs: true})
	if err != nil {
		fatal("nats: %v", err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		fatal("nats: not ready")
	}
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		fatal("nats: %v", err)
	}
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	_, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: "VANTAGE_RESULTS", Subjects: []string{"vantage.results.>"},
		Storage: jetstream.FileStorage, MaxBytes: 1 << 30, Discard: jetstream.DiscardOld,
		Duplicates: 2 * time.Minute,
	})
	cancel()
	if err != nil {
		fatal("nats: stream: %v", err)
	}
	if err := os.WriteFile(args[1]+"/ready", nil, 0o644); err != nil {
		fatal("nats: %v", err)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	<-sig
	nc.Close()
	s.Shutdown()
}
