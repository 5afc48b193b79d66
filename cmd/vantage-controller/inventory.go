package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	agentconfig "github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/controller/inventory"
)

const inventoryUsage = `Usage: vantage-controller inventory import [--config FILE | --db FILE] [--max-bytes SIZE] FILE...
       vantage-controller inventory export [--config FILE | --db FILE] [--out FILE] KIND

import loads customers, elements, sites, contacts and lines from YAML or CSV
files into the controller's database. Idempotent on ids: importing a file
again changes nothing; a file with any bad row is rejected whole, with file,
line and field of every problem. A file larger than --max-bytes is refused
before it is read.

export writes one kind (customers, elements, sites, contacts or lines) as
CSV in the import's format. Cells a spreadsheet would run as a formula
(starting with = + - @, a tab or a carriage return) are written with a
leading apostrophe; import takes it off again.

Flags:
`

// inventoryCmd is `vantage-controller inventory import|export [flags] ...`.
// The database is the one the controller uses: --db, or database.path of
// the config file (default data_dir/vantage.db). Import may run while the
// controller runs (SQLite WAL: the controller's readers are not blocked,
// and it picks up the new lines within its inventory refresh interval).
func inventoryCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		fmt.Fprintln(stderr, "usage: vantage-controller inventory import|export [--config FILE | --db FILE] ... (--help for more)")
		return 2
	}
	if args[0] == "export" {
		var outPath string
		return dbCommandWith("inventory export", inventoryUsage, args[1:], stdout, stderr,
			func(fs *flag.FlagSet) {
				fs.StringVar(&outPath, "out", "", "write the CSV to this file (mode 0600) instead of standard output")
			},
			func(ctx context.Context, db string, rest []string, out io.Writer) error {
				if outPath == "" {
					return inventory.ExportCommand(ctx, db, rest, out)
				}
				// Exports hold contacts' names, phones and emails.
				f, err := os.OpenFile(outPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
				if err != nil {
					return err
				}
				if err := inventory.ExportCommand(ctx, db, rest, f); err != nil {
					f.Close()
					return err
				}
				return f.Close()
			})
	}
	maxBytes := agentconfig.ByteSize(inventory.DefaultMaxBytes)
	return dbCommandWith("inventory import", inventoryUsage, args[1:], stdout, stderr,
		func(fs *flag.FlagSet) {
			fs.Var(&maxBytes, "max-bytes", "largest import file accepted (bytes, or with KiB, MiB, GiB)")
		},
		func(ctx context.Context, db string, files []string, out io.Writer) error {
			return inventory.ImportFiles(ctx, db, files, out, inventory.FileOptions{MaxBytes: int64(maxBytes)})
		})
}
