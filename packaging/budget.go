package packaging

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Budget is the most bytes each stripped binary may have, by Target.Name().
// It is a ceiling that makes growth a decision: a change that needs more
// raises the number in size-budget.txt in the same commit, with the reason.
type Budget map[string]int64

// ParseBudget reads lines of "<binary> <arch> <max bytes>"; '#' starts a
// comment. Errors name file:line.
func ParseBudget(r io.Reader, file string) (Budget, error) {
	b := Budget{}
	var errs []error
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			errs = append(errs, fmt.Errorf("%s:%d: want \"<binary> <arch> <max bytes>\", got %q", file, n, strings.TrimSpace(line)))
			continue
		}
		t, err := Find(f[0], f[1])
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %v", file, n, err))
			continue
		}
		max, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil || max <= 0 {
			errs = append(errs, fmt.Errorf("%s:%d: max bytes %q is not a positive integer", file, n, f[2]))
			continue
		}
		if _, dup := b[t.Name()]; dup {
			errs = append(errs, fmt.Errorf("%s:%d: %s %s is listed twice", file, n, f[0], f[1]))
			continue
		}
		b[t.Name()] = max
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", file, err))
	}
	return b, errors.Join(errs...)
}

// LoadBudget reads the budget file at path.
func LoadBudget(path string) (Budget, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseBudget(f, filepath.Base(path))
}

// Check compares the binary at path, built for t, with the budget. A target
// without a budget line is an error too: a new target gets a ceiling.
func (b Budget) Check(t Target, path string) (size int64, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	max, ok := b[t.Name()]
	if !ok {
		return st.Size(), fmt.Errorf("%s: no line in the size budget", t.Name())
	}
	if st.Size() > max {
		return st.Size(), fmt.Errorf("%s: %d bytes is over its budget of %d by %d bytes", t.Name(), st.Size(), max, st.Size()-max)
	}
	return st.Size(), nil
}
