package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/vantage-net/vantage/controller/config"
	"github.com/vantage-net/vantage/controller/inventory"
)

// inventoryCmd is `vantage-controller inventory import [flags] FILE...`.
// The database is the one the controller uses: --db, or database.path of
// the config file (default data_dir/vantage.db). It may run while the
// controller runs (SQLite WAL: the controller's readers are not blocked,
// and it picks up the new lines within its inventory refresh interval).
func inventoryCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprintln(stderr, "usage: vantage-controller inventory import [--config FILE | --db FILE] FILE...")
		return 2
	}
	fs := flag.NewFlagSet("vantage-controller inventory import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: vantage-controller inventory import [--config FILE | --db FILE] FILE...

Loads customers, elements, sites, contacts and lines from YAML or CSV files
into the controller's database. Idempotent on ids: importing a file again
changes nothing; a file with any bad row is rejected whole, with file, line
and field of every problem.

Flags:
`)
		fs.PrintDefaults()
	}
	cfgPath := fs.String("config", "controller.yaml", "controller configuration file; its database.path is used")
	dbPath := fs.String("db", "", "database file (overrides the config)")
	if err := fs.Parse(args[1:]); err != nil {
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
		path = cfg.Database.Path
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := inventory.ImportCommand(ctx, path, fs.Args(), stdout); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
