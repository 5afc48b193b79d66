// Command vantage-controller ingests agents' results from NATS JetStream into
// InfluxDB and serves the API, /metrics and /healthz. With no NATS URL in its
// config it runs an embedded NATS server for the agents.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/vantage-net/vantage/controller"
	"github.com/vantage-net/vantage/controller/config"
	"github.com/vantage-net/vantage/internal/buildinfo"
	"github.com/vantage-net/vantage/internal/serve"
)

func main() {
	os.Exit(run())
}

func run() int {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "inventory":
			return inventoryCmd(os.Args[2:], os.Stdout, os.Stderr)
		case "agent":
			return agentCmd(os.Args[2:], os.Stdout, os.Stderr)
		case "token":
			return tokenCmd(os.Args[2:], os.Stdout, os.Stderr)
		case "release":
			return releaseCmd(os.Args[2:], os.Stdout, os.Stderr)
		case "complaints":
			return complaintsCmd(os.Args[2:], os.Stdout, os.Stderr)
		case "report":
			return reportCmd(os.Args[2:], os.Stdout, os.Stderr)
		}
	}
	fs := flag.NewFlagSet("vantage-controller", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: vantage-controller --config controller.yaml [--check]
       vantage-controller inventory import [--config FILE | --db FILE] [--max-bytes SIZE] FILE...
       vantage-controller inventory export [--config FILE | --db FILE] [--out FILE] KIND
       vantage-controller agent [--config FILE | --db FILE] add|revoke|list ...
       vantage-controller agent [--config FILE | --db FILE] enroll-token create AGENT_ID --nats-url URL [--ttl 1h]
       vantage-controller token [--config FILE | --db FILE] create|revoke|list ...
       vantage-controller release keygen|sign|add|list ... (release --help)
       vantage-controller complaints import [--config FILE | --db FILE] [--map mapping.yaml] [--encoding gbk] FILE...
       vantage-controller report (--customer ID | --manager ID) [--period week|month] [--from DATE] [--to DATE] [--format pdf|html|csv|json] [-o FILE]

Consumes vantage.results.<agent_id> from the VANTAGE_RESULTS stream into
InfluxDB. Serves /metrics, /healthz and /api/v1/ on http_listen. Without
nats.urls it runs an embedded NATS server (JetStream in data_dir). Line
health (states, flaps, outages, incidents) is kept in database.path.

Flags:
`)
		fs.PrintDefaults()
	}
	cfgPath := fs.String("config", "controller.yaml", "controller configuration file (YAML)")
	check := fs.Bool("check", false, "validate the config and exit")
	version := fs.Bool("version", false, "print the version and exit")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile to this file until exit (bench/sim -cpuprofile)")
	heapProfile := fs.String("heapprofile", "", "write a Go heap profile to this file each time the live heap reaches a new peak (bench/sim -heapprofile)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *version {
		fmt.Println("vantage-controller", buildinfo.String())
		return 0
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "vantage-controller: invalid config:\n%v\n", err)
		return 2
	}
	if *check {
		fmt.Printf("%s: ok\n", *cfgPath)
		return 0
	}
	log := serve.NewLogger(cfg.LogLevel, *logFormat)
	if *cpuProfile != "" {
		stopProfile, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintf(os.Stderr, "vantage-controller: --cpuprofile: %v\n", err)
			return 2
		}
		defer stopProfile()
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	c, err := controller.New(controller.Options{Config: cfg, Logger: log, Registry: reg, Version: buildinfo.Version})
	if err != nil {
		fmt.Fprintf(os.Stderr, "vantage-controller: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.Info("vantage-controller starting", "version", buildinfo.String())
	if *heapProfile != "" {
		go watchHeap(ctx, *heapProfile, func(peak uint64, err error) {
			log.Info("heap profile written", "file", *heapProfile, "live_heap_bytes", peak, "err", err)
		})
	}
	if err := c.Run(ctx); err != nil {
		log.Error("controller stopped", "err", err)
		return 1
	}
	log.Info("vantage-controller stopped")
	return 0
}
