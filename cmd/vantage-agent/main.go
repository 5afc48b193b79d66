// Command vantage-agent runs probes on an edge box and ships their results to
// the Vantage controller over NATS JetStream.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/vantage-net/vantage/agent"
	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/agent/remote"
	"github.com/vantage-net/vantage/internal/buildinfo"
	"github.com/vantage-net/vantage/internal/metrics"
	"github.com/vantage-net/vantage/internal/serve"
	"github.com/vantage-net/vantage/probes"
)

func main() {
	os.Exit(run())
}

func run() int {
	if len(os.Args) > 1 && os.Args[1] == "enroll" {
		return enrollCmd(os.Args[2:])
	}
	if len(os.Args) > 1 && os.Args[1] == "install-self" {
		return installSelfCmd(os.Args[2:])
	}
	fs := flag.NewFlagSet("vantage-agent", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: vantage-agent --config agent.yaml [--check]
       vantage-agent enroll --controller https://HOST:PORT --token TOKEN [--ca-file CA.pem] [--out FILE]
       vantage-agent install-self DIR

Runs the probes in the config on their schedule and publishes results to
vantage.results.<agent_id> on the controller's NATS. Serves /metrics and
/healthz on http_listen. Probe types: %v

Flags:
`, probes.Types())
		fs.PrintDefaults()
	}
	cfgPath := fs.String("config", "agent.yaml", "agent configuration file (YAML)")
	check := fs.Bool("check", false, "validate the config and exit")
	version := fs.Bool("version", false, "print the version and exit")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile to this file until exit (builds with -tags pprof only)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *version {
		fmt.Println("vantage-agent", buildinfo.String())
		return 0
	}
	cfg, err := config.Load(*cfgPath, probes.TypeInfo{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "vantage-agent: invalid config:\n%v\n", err)
		return 2
	}
	if *check {
		fmt.Printf("%s: ok (%d probes, %d jobs)\n", *cfgPath, len(cfg.Probes), len(cfg.Jobs()))
		return 0
	}
	if *cpuProfile != "" {
		stopProfile, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintf(os.Stderr, "vantage-agent: --cpuprofile: %v\n", err)
			return 2
		}
		defer stopProfile()
	}
	// GOMAXPROCS in the environment wins, as for any Go program.
	if os.Getenv("GOMAXPROCS") == "" && *cfg.MaxProcs > 0 {
		runtime.GOMAXPROCS(*cfg.MaxProcs)
	}
	log := serve.NewLogger(cfg.LogLevel, *logFormat)
	reg := metrics.NewRegistry()
	reg.MustRegister(metrics.RuntimeCollectors()...)
	var a *agent.Agent
	upd, err := newUpdater(cfg, log, reg, func() { a.Stop() }, func(st remote.UpdateStatus) { a.ReportUpdate(st) })
	if err != nil {
		fmt.Fprintf(os.Stderr, "vantage-agent: %v\n", err)
		return 1
	}
	a, err = agent.New(agent.Options{Config: cfg, Logger: log, Registry: reg, Version: buildinfo.Version, Updater: upd})
	if err != nil {
		fmt.Fprintf(os.Stderr, "vantage-agent: %v\n", err)
		return 1
	}
	if upd != nil {
		if err := upd.Start(); err != nil {
			fmt.Fprintf(os.Stderr, "vantage-agent: %v\n", err)
			return 1
		}
	}
	l, err := serve.Listen(cfg.HTTPListen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "vantage-agent: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go serve.Serve(ctx, l, serve.MuxHandler(metrics.Handler(reg), a.Health), log)
	log.Info("vantage-agent starting", "version", buildinfo.String(), "agent", cfg.AgentID, "http", l.Addr().String())
	if err := a.Run(ctx); err != nil {
		log.Error("agent stopped", "err", err)
		return 1
	}
	if upd != nil && upd.PendingExec() != "" {
		return execUpdate(upd, log)
	}
	log.Info("vantage-agent stopped")
	return 0
}
