package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/vantage-net/vantage/controller/agentauth"
	"github.com/vantage-net/vantage/controller/store/sqlite"
	"github.com/vantage-net/vantage/internal/fleetsim"
)

// planFlags adds the plan's flags to fs.
func planFlags(fs *flag.FlagSet) *fleetsim.Config {
	c := &fleetsim.Config{}
	fs.IntVar(&c.Lines, "lines", 300, "simulated lines (rounded up to whole PoPs)")
	fs.IntVar(&c.LinesPerCard, "lines-per-card", 10, "lines behind each card")
	fs.IntVar(&c.CardsPerPoP, "cards-per-pop", 3, "cards per PoP (one agent per PoP)")
	fs.DurationVar(&c.Duration, "duration", 60*time.Second, "how long results are published")
	fs.Float64Var(&c.RateScale, "rate-scale", 1, "multiplies the field's flap rate (510,000 a month over 50,000 lines)")
	fs.Float64Var(&c.OutageShare, "outage-share", 0.1, "share of line events that are outages (≥ 60 s)")
	fs.IntVar(&c.GroupedFailures, "groups", 2, "cards that fail with all their lines")
	fs.IntVar(&c.SilentAgents, "silent", 1, "agents that go silent and replay late")
	fs.IntVar(&c.SkewedAgents, "skewed", 1, "agents whose clocks run ahead")
	fs.DurationVar(&c.SilenceFor, "silence-for", 20*time.Second, "how long a silent agent holds its results")
	fs.DurationVar(&c.Skew, "skew", 2*time.Second, "how far a skewed agent's clock runs ahead")
	fs.DurationVar(&c.FlapThreshold, "flap-threshold", 60*time.Second, "the controller's detector.flap_threshold: flaps are drawn shorter, outages longer")
	fs.DurationVar(&c.Quiet, "quiet", 10*time.Second, "end of the run kept free of new events")
	fs.Int64Var(&c.Seed, "seed", 1, "RNG seed: the same seed and flags give the same plan")
	return c
}

func inventoryCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("inventory", flag.ContinueOnError)
	c := planFlags(fs)
	out := fs.String("out", "", "inventory YAML file to write (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("-out: required")
	}
	p, err := fleetsim.NewPlan(*c)
	if err != nil {
		return err
	}
	if err := p.WriteInventory(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d lines, %d agents\n", *out, len(p.Lines), len(p.Agents))
	return nil
}

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	c := planFlags(fs)
	url := fs.String("nats", "nats://127.0.0.1:4222", "NATS URL of the controller")
	truth := fs.String("truth", "", "ground-truth JSON file to write (required)")
	authDB := fs.String("auth-db", "", "controller database: issue each simulated agent its own NATS password there (agent auth on), as `vantage-controller agent add` does")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *truth == "" {
		return fmt.Errorf("-truth: required")
	}
	p, err := fleetsim.NewPlan(*c)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	o := fleetsim.RunOptions{URL: *url, Logger: log}
	if *authDB != "" {
		if o.Passwords, err = issue(ctx, *authDB, p); err != nil {
			return err
		}
	}
	var werr error
	o.Started = func(time.Time) { werr = p.Truth.WriteFile(*truth) }
	flaps, outages := p.Truth.Counts()
	fmt.Fprintf(stdout, "publishing %d lines from %d agents for %v: %d flaps, %d outages, %d grouped failures\n",
		len(p.Lines), len(p.Agents), c.Duration, flaps, outages, len(p.Truth.Groups))
	st, err := p.Run(ctx, o)
	if werr != nil {
		return werr
	}
	fmt.Fprintf(stdout, "results %d, published %d, failed publishes %d; ground truth in %s\n",
		st.Results.Load(), st.Published.Load(), st.Failed.Load(), *truth)
	if err == nil && st.Published.Load() != st.Results.Load() {
		err = fmt.Errorf("published %d of %d results", st.Published.Load(), st.Results.Load())
	}
	return err
}

// issue gives every simulated agent a fresh password in the controller's
// database through the agentauth store.
func issue(ctx context.Context, path string, p *fleetsim.Plan) (map[string]string, error) {
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	store := agentauth.NewStore(db)
	out := make(map[string]string, len(p.Agents))
	for _, a := range p.Agents {
		iss, err := store.Add(ctx, a.ID)
		if err != nil {
			return nil, fmt.Errorf("agent %s: %w", a.ID, err)
		}
		out[a.ID] = iss.Password
	}
	return out, nil
}

func checkCmd(ctx context.Context, args []string, stdout io.Writer) (bool, error) {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	api := fs.String("api", "http://127.0.0.1:8080", "controller API base URL")
	token := fs.String("token", "", "API bearer token (`vantage-controller token create`)")
	truthFile := fs.String("truth", "", "ground-truth JSON file `run` wrote (required)")
	if err := fs.Parse(args); err != nil {
		return false, err
	}
	if *truthFile == "" {
		return false, fmt.Errorf("-truth: required")
	}
	t, err := fleetsim.ReadTruth(*truthFile)
	if err != nil {
		return false, err
	}
	r, err := fleetsim.Check(ctx, &fleetsim.API{Base: *api, Token: *token}, t)
	if err != nil {
		return false, err
	}
	r.Write(stdout)
	return r.OK(), nil
}
