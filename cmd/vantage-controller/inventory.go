package main

import (
	"fmt"
	"io"

	"github.com/vantage-net/vantage/controller/inventory"
)

const inventoryUsage = `Usage: vantage-controller inventory import [--config FILE | --db FILE] FILE...

Loads customers, elements, sites, contacts and lines from YAML or CSV files
into the controller's database. Idempotent on ids: importing a file again
changes nothing; a file with any bad row is rejected whole, with file, line
and field of every problem.

Flags:
`

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
	return dbCommand("inventory import", inventoryUsage, args[1:], stdout, stderr, inventory.ImportCommand)
}
