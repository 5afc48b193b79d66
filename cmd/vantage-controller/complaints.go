package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	agentconfig "github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/controller/complaints"
	"github.com/vantage-net/vantage/controller/complaints/importcsv"
	"github.com/vantage-net/vantage/controller/config"
)

const complaintsUsage = `Usage: vantage-controller complaints import [--config FILE | --db FILE] [--map mapping.yaml]
           [--encoding utf-8|gbk|gb18030] [--max-bytes SIZE] FILE...

import loads call-centre complaint exports (CSV) into the controller's
database: UTF-8 with or without a BOM, or GBK / GB18030 (detected unless
--encoding says). --map names the mapping file (README, "Complaints"):
which column is which field, the export's category names, its date
formats and time zone; without it the headers must be the field names.
Idempotent on the complaint id. Every bad row is listed with file, line,
column and reason; the good rows are imported (exit status 1 when any row
was bad). Each complaint is linked and judged at once, with the config's
complaints settings (or the defaults with --db).

Flags:
`

// complaintsCmd is `vantage-controller complaints import [flags] FILE...`.
func complaintsCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprintln(stderr, "usage: vantage-controller complaints import [--config FILE | --db FILE] [--map FILE] FILE... (--help for more)")
		return 2
	}
	var fs *flag.FlagSet
	var mapFile, encoding string
	maxBytes := agentconfig.ByteSize(importcsv.DefaultMaxBytes)
	return dbCommandWith("complaints import", complaintsUsage, args[1:], stdout, stderr,
		func(f *flag.FlagSet) {
			fs = f
			f.StringVar(&mapFile, "map", "", "mapping file of the export (columns, categories, date formats, time zone)")
			f.StringVar(&encoding, "encoding", "", "utf-8, gbk or gb18030 (default: detect)")
			f.Var(&maxBytes, "max-bytes", "largest export accepted (bytes, or with KiB, MiB, GiB)")
		},
		func(ctx context.Context, db string, files []string, out io.Writer) error {
			o := importcsv.CommandOptions{DB: db, Files: files, MapFile: mapFile, Encoding: encoding,
				MaxBytes: int64(maxBytes), Location: time.UTC, Out: out, Progress: stderr}
			if f, ok := stderr.(*os.File); ok {
				o.ProgressTTY = importcsv.IsTerminal(f)
			}
			// The config's complaints settings apply when it is readable
			// (with --db alone, it may not exist: defaults then).
			if cfg, err := config.Load(fs.Lookup("config").Value.String()); err == nil {
				c := cfg.Complaints
				o.Location = c.Location()
				o.Store = complaints.Options{Window: c.WindowBefore, GridPrecision: c.GridPrecision,
					MaxSiteDistanceM: c.MaxSiteDistanceM, RepeatCount: c.RepeatCount,
					RepeatWindow: time.Duration(c.RepeatDays) * 24 * time.Hour, Recheck: c.Recheck}
			}
			return importcsv.Command(ctx, o)
		})
}
