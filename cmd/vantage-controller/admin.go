package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/vantage-net/vantage/controller/agentauth"
	"github.com/vantage-net/vantage/controller/apiauth"
	"github.com/vantage-net/vantage/controller/config"
	"github.com/vantage-net/vantage/controller/enroll"
)

// dbCommand runs an administrative subcommand (agent, token) against the
// controller's database, found through --config or given with --db. The
// subcommand's own words follow these flags.
func dbCommand(name, usage string, args []string, stdout, stderr io.Writer,
	run func(ctx context.Context, dbPath string, args []string, out io.Writer) error) int {
	return dbCommandWith(name, usage, args, stdout, stderr, nil, run)
}

// dbCommandWith is dbCommand with flags of the subcommand's own, added by
// addFlags (nil: none) and read by run after parsing.
func dbCommandWith(name, usage string, args []string, stdout, stderr io.Writer, addFlags func(*flag.FlagSet),
	run func(ctx context.Context, dbPath string, args []string, out io.Writer) error) int {
	fs := flag.NewFlagSet("vantage-controller "+name, flag.ContinueOnError)
	if addFlags != nil {
		addFlags(fs)
	}
	fs.SetOutput(stderr)
	if usage != "" {
		fs.Usage = func() {
			fmt.Fprint(fs.Output(), usage)
			fs.PrintDefaults()
		}
	}
	cfgPath := fs.String("config", "controller.yaml", "controller configuration file; its database (path or url) is used")
	dbPath := fs.String("db", "", "database file or postgres:// URL (overrides the config)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	path := *dbPath
	if path == "" {
		cfg, err := config.Load(*cfgPath)
		if err != nil {
			fmt.Fprintf(stderr, "vantage-controller: invalid config (or give --db):\n%v\n", err)
			return 2
		}
		path = cfg.Database.Target()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, path, fs.Args(), stdout); err != nil {
		fmt.Fprintf(stderr, "vantage-controller %s: %v\n", name, err)
		return 1
	}
	return 0
}

func agentCmd(args []string, stdout, stderr io.Writer) int {
	return dbCommand("agent", "", args, stdout, stderr, func(ctx context.Context, dbPath string, args []string, out io.Writer) error {
		if len(args) > 0 && args[0] == "agent" {
			args = args[1:]
		}
		if len(args) > 0 && args[0] == "enroll-token" {
			return enroll.Command(ctx, dbPath, args[1:], out)
		}
		return agentauth.Command(ctx, dbPath, args, out)
	})
}

func tokenCmd(args []string, stdout, stderr io.Writer) int {
	return dbCommand("token", "", args, stdout, stderr, apiauth.Command)
}
