package importcsv

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/vantage-net/vantage/controller/complaints"
	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/controller/store/sqldb"
)

// CommandOptions are `vantage-controller complaints import`'s settings.
type CommandOptions struct {
	// DB is the controller's database file.
	DB string
	// Files are the exports, imported in order.
	Files []string
	// MapFile is --map ("" reads DefaultMapping).
	MapFile string
	// Encoding is --encoding ("" detects).
	Encoding string
	// MaxBytes is --max-bytes.
	MaxBytes int64
	// Location is the zone of naive times without a mapping time_zone.
	Location *time.Location
	// Store carries the controller's complaints settings (grid precision,
	// window, repeats); its DB is set here.
	Store complaints.Options
	// Out gets bad rows and the summary; Progress gets the progress bar
	// (ProgressTTY) or, for files over a MiB, a line per batch.
	Out, Progress io.Writer
	ProgressTTY   bool
}

// IsTerminal reports whether f is a terminal (the progress bar is drawn
// only there; logs and pipes get plain lines).
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// ErrBadRows is returned after an import that stored its good rows but
// had bad ones (listed in the output): the exit status tells a script.
type ErrBadRows struct{ N int }

func (e ErrBadRows) Error() string {
	return fmt.Sprintf("%d bad rows (listed above); the other rows were imported", e.N)
}

// Command imports o.Files into o.DB and writes what happened to o.Out:
// every bad row, then a summary line per file.
func Command(ctx context.Context, o CommandOptions) error {
	if len(o.Files) == 0 {
		return fmt.Errorf("no file to import")
	}
	m := DefaultMapping()
	if o.MapFile != "" {
		var err error
		if m, err = LoadMapping(o.MapFile); err != nil {
			return err
		}
	}
	db, err := sqldb.Open(ctx, o.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	so := o.Store
	so.DB = db
	// The import queues its complaint points in the controller's
	// point_queue; the running controller's shipper sends them.
	if so.Points, err = shipper.New(ctx, shipper.Options{DB: db}, nil, nil); err != nil {
		return err
	}
	s, err := complaints.New(so, nil, nil)
	if err != nil {
		return err
	}
	bad := 0
	for _, file := range o.Files {
		opts := Options{Mapping: m, Encoding: o.Encoding, Location: o.Location, MaxBytes: o.MaxBytes}
		var bar *progressbar.ProgressBar
		if o.Progress != nil {
			opts.Progress = progress(file, o.Progress, o.ProgressTTY, &bar)
		}
		rep, err := Import(ctx, s, file, opts)
		if bar != nil {
			_ = bar.Finish()
			fmt.Fprintln(o.Progress)
		}
		if err != nil {
			return err
		}
		for _, b := range rep.Bad {
			fmt.Fprintln(o.Out, b.Error())
		}
		bad += len(rep.Bad)
		fmt.Fprintf(o.Out, "%s: %s, %d rows: %d created, %d updated, %d unchanged, %d bad\n",
			file, rep.Encoding, rep.Rows, rep.Created, rep.Updated, rep.Unchanged, len(rep.Bad))
	}
	if bad > 0 {
		return ErrBadRows{N: bad}
	}
	return nil
}

// progress draws a bar on a terminal; elsewhere, for files over a MiB,
// it prints a line per batch (a log keeps them; a bar's redraws would be
// noise there).
func progress(file string, w io.Writer, tty bool, bar **progressbar.ProgressBar) func(done, total int64, rows int) {
	return func(done, total int64, rows int) {
		if tty {
			if *bar == nil {
				*bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(w),
					progressbar.OptionSetDescription(file), progressbar.OptionShowBytes(true),
					progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond))
			}
			_ = (*bar).Set64(done)
			return
		}
		if total > 1<<20 {
			fmt.Fprintf(w, "%s: %d rows read, %d%%\n", file, rows, done*100/total)
		}
	}
}
