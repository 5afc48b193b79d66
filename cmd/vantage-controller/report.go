package main

import (
	"context"
	"flag"
	"io"
	"time"

	"github.com/vantage-net/vantage/controller/config"
	"github.com/vantage-net/vantage/controller/report"
)

const reportUsage = `Usage: vantage-controller report (--customer ID | --manager ID) [--period week|month]
           [--from DATE] [--to DATE] [--format pdf|html|csv|json] [-o FILE] [--lang zh-CN|en]
           [--config FILE | --db FILE]

report writes a customer-impact report (--customer) or an account manager's
portfolio ranking their customers by impact (--manager; html, csv or json),
computed from the controller's database. --period week is the week (from
Monday) holding --from, or the last whole week; month likewise; without
--period give --from and --to. Dates are 2026-11-16, 2026-11-16T08:00 (in
the report time zone) or RFC 3339. Progress goes to stderr.

Flags:
`

// reportCmd is `vantage-controller report`.
func reportCmd(args []string, stdout, stderr io.Writer) int {
	var fs *flag.FlagSet
	o := report.CommandOptions{Progress: stderr}
	var tz string
	return dbCommandWith("report", reportUsage, args, stdout, stderr,
		func(f *flag.FlagSet) {
			fs = f
			f.StringVar(&o.Customer, "customer", "", "customer id")
			f.StringVar(&o.Manager, "manager", "", "account manager (portfolio)")
			f.StringVar(&o.Period, "period", "", "week or month")
			f.StringVar(&o.From, "from", "", "start (date, local time or RFC 3339)")
			f.StringVar(&o.To, "to", "", "end, exclusive")
			f.StringVar(&o.Format, "format", "pdf", "pdf, html, csv or json")
			f.StringVar(&o.Out, "o", "", "output file (default stdout)")
			f.StringVar(&o.Language, "lang", "", "zh-CN or en (default: the account manager's, else zh-CN)")
			f.StringVar(&tz, "tz", "", "time zone (default: the config's report.time_zone, else Asia/Shanghai)")
			f.StringVar(&o.Font, "font", "", "TrueType CJK font for PDFs (default: the config's report.font)")
		},
		func(ctx context.Context, db string, rest []string, out io.Writer) error {
			o.DB = db
			loc, err := time.LoadLocation("Asia/Shanghai")
			if err != nil {
				loc = time.FixedZone("CST", 8*3600)
			}
			// The config's report and notify settings apply when it is
			// readable (with --db alone it may not exist).
			if cfg, err := config.Load(fs.Lookup("config").Value.String()); err == nil {
				loc = cfg.Report.Location()
				o.Targets, o.Languages = cfg.Report.SLATargets, cfg.Report.Languages
				if o.Font == "" {
					o.Font = cfg.Report.Font
				}
				if cfg.Notify != nil {
					no, err := cfg.Notify.NotifyOptions()
					if err != nil {
						return err
					}
					o.Notify = &no
				}
			}
			if tz != "" {
				if loc, err = time.LoadLocation(tz); err != nil {
					return err
				}
			}
			o.Location = loc
			o.Stdout = out
			return report.Command(ctx, o)
		})
}
