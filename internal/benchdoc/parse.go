package benchdoc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Parse reads a bench run's saved output (file is its name, for messages)
// and returns the summaries on its BENCH-SUMMARY lines; every other line is
// the run's own report and is skipped. A summary that does not decode or
// validate is an error naming file:line and the field; output without any
// summary is an error too (the run failed or the bench does not emit one).
func Parse(file string, r io.Reader) ([]Summary, error) {
	var out []Summary
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for n := 1; sc.Scan(); n++ {
		data, ok := strings.CutPrefix(sc.Text(), Prefix)
		if !ok {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader([]byte(data)))
		dec.DisallowUnknownFields()
		var s Summary
		if err := dec.Decode(&s); err != nil {
			return nil, fmt.Errorf("%s:%d: bench summary: %v", file, n, err)
		}
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("%s:%d: bench summary: %v", file, n, err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no %q line: the run did not finish, or this bench does not write a summary", file, strings.TrimSpace(Prefix))
	}
	return out, nil
}
