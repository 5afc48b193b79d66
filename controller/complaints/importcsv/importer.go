package importcsv

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/vantage-net/vantage/controller/complaints"
)

// Options tune an import.
type Options struct {
	// Mapping of the export; nil reads DefaultMapping.
	Mapping *Mapping
	// Encoding forces utf-8, gbk or gb18030; "" detects.
	Encoding string
	// Location is the zone of naive times when the mapping gives none
	// (the controller's complaints.time_zone); nil is UTC.
	Location *time.Location
	// MaxBytes refuses larger files before reading them (default DefaultMaxBytes).
	MaxBytes int64
	// Batch is how many rows go into one transaction (default DefaultBatch).
	Batch int
	// Progress, when set, is called after each batch with the bytes of
	// the (decoded) file read so far, its size, and the rows read.
	Progress func(done, total int64, rows int)
}

// DefaultMaxBytes is the largest export read without --max-bytes.
const DefaultMaxBytes = 1 << 30

// Report is the outcome of one file: the summary and every bad row.
type Report struct {
	File     string
	Encoding string
	// Rows is the number of data rows read (good and bad).
	Rows int
	complaints.Summary
	Bad []RowError
}

// Import reads file and stores its good rows in s.
func Import(ctx context.Context, s *complaints.Store, file string, o Options) (*Report, error) {
	max := o.MaxBytes
	if max == 0 {
		max = DefaultMaxBytes
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes (--max-bytes)", file, max)
	}
	return ImportData(ctx, s, file, data, o)
}

// ImportData imports an export already in memory; name is used in
// messages.
func ImportData(ctx context.Context, s *complaints.Store, name string, data []byte, o Options) (*Report, error) {
	text, enc, err := decode(data, o.Encoding)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	rep := &Report{File: name, Encoding: enc}
	m := o.Mapping
	if m == nil {
		m = DefaultMapping()
	}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty file (no header row)", name)
		}
		return nil, fmt.Errorf("%s: header: %w", name, err)
	}
	lay, err := resolve(name, header, m, o.Location)
	if err != nil {
		return nil, err
	}
	batch := o.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	// Rows are read and checked on one goroutine while the batch before is
	// stored on another: on two cores reading overlaps the database's work.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan parsed, 1)
	var readErr error
	var bad []RowError
	rows := 0
	go func() {
		defer close(batches)
		readErr = readRows(ctx, name, cr, &rowReader{file: name, lay: lay, pos: cr.FieldPos}, batch, batches, &bad, &rows)
	}()
	bulk := s.Bulk()
	var storeErr error
	for b := range batches {
		if storeErr != nil {
			continue // drain, so the reader ends
		}
		sum, _, err := bulk.Put(ctx, b.ins)
		if err != nil {
			storeErr = fmt.Errorf("%s: storing rows: %w", name, err)
			cancel()
			continue
		}
		rep.Summary.Add(sum)
		if o.Progress != nil {
			o.Progress(b.offset, int64(len(text)), b.rows)
		}
	}
	// The reader has ended (batches is closed): its results are ours.
	rep.Rows, rep.Bad = rows, bad
	if storeErr != nil {
		return rep, storeErr
	}
	if readErr != nil {
		return rep, readErr
	}
	if err := bulk.Finish(ctx); err != nil {
		return rep, fmt.Errorf("%s: counting repeats: %w", name, err)
	}
	if o.Progress != nil && rep.Rows == 0 {
		o.Progress(int64(len(text)), int64(len(text)), 0)
	}
	return rep, nil
}

// DefaultBatch is how many rows go into one transaction by default: large
// enough that committing is a small part of an import, small enough that
// other writers (line health) wait well under a second for each.
const DefaultBatch = 5000

// parsed is a batch of good rows, with the position in the file after it
// and the rows (good and bad) read up to there.
type parsed struct {
	ins    []complaints.Intake
	offset int64
	rows   int
}

// readRows reads the data rows, sends the good ones in batches and
// appends the bad ones to bad; rows counts both.
func readRows(ctx context.Context, name string, cr *csv.Reader, rr *rowReader, batch int, out chan<- parsed,
	bad *[]RowError, rows *int) error {
	pending := make([]complaints.Intake, 0, batch)
	send := func() error {
		if len(pending) == 0 {
			return nil
		}
		select {
		case out <- parsed{ins: pending, offset: cr.InputOffset(), rows: *rows}:
		case <-ctx.Done():
			return ctx.Err()
		}
		pending = make([]complaints.Intake, 0, batch)
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		before := cr.InputOffset()
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) || cr.InputOffset() == before {
				return fmt.Errorf("%s: %w", name, err)
			}
			*rows++
			*bad = append(*bad, RowError{File: name, Line: pe.Line, Column: 0,
				Reason: fmt.Sprintf("malformed CSV at byte %d of the line: %v", pe.Column, pe.Err)})
			continue
		}
		*rows++
		in, b := rr.read(rec)
		if b != nil {
			*bad = append(*bad, *b)
			continue
		}
		pending = append(pending, in)
		if len(pending) == batch {
			if err := send(); err != nil {
				return err
			}
		}
	}
	return send()
}

// resolve finds each mapped field's column in the header. A required
// field's column missing from the header stops the file: nothing of it
// could be read.
func resolve(file string, header []string, m *Mapping, loc *time.Location) (*layout, error) {
	lay := &layout{col: map[string]int{}, category: m.categoryIndex()}
	pos := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		header[i] = h
		if _, dup := pos[h]; !dup {
			pos[h] = i
		}
	}
	lay.header = append([]string(nil), header...)
	var errs []string
	for _, f := range m.Columns.fields() {
		name := strings.TrimSpace(f[1])
		lay.col[f[0]] = -1
		if name == "" {
			continue
		}
		i, ok := pos[name]
		if !ok {
			switch f[0] {
			case "id", "received_at", "category":
				errs = append(errs, fmt.Sprintf("%s:1: the header has no column %q (%s)", file, name, f[0]))
			}
			continue
		}
		lay.col[f[0]] = i
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	formats := m.DateFormats
	if len(formats) == 0 {
		formats = DefaultDateFormats
	}
	lay.dates = &dateParser{formats: formats, loc: loc}
	if lay.dates.loc == nil {
		lay.dates.loc = time.UTC
	}
	if m.TimeZone != "" {
		l, err := time.LoadLocation(m.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("time_zone %q: %w", m.TimeZone, err)
		}
		lay.dates.loc = l
	}
	for _, f := range formats {
		l, err := layoutOf(f)
		if err != nil {
			return nil, err
		}
		lay.dates.layouts = append(lay.dates.layouts, l)
	}
	return lay, nil
}
