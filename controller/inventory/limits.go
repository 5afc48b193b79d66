package inventory

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultMaxBytes is the largest import file read unless the operator says
// otherwise (`inventory import --max-bytes`): 50,000 lines are about 6 MB of
// CSV, so 20 MiB leaves room, and a file far beyond it is a wrong file or
// an attack on the controller's memory, refused before it is read.
const DefaultMaxBytes = 20 << 20

// ErrTooLarge marks a file above the import size limit.
var ErrTooLarge = errors.New("larger than the import limit")

// ParseFileLimit reads an import file of at most maxBytes (0: DefaultMaxBytes)
// and parses it by its extension: .yaml or .yml (all kinds in sections) or
// .csv (one kind, named by the header). The size is checked before
// anything is read, and again while reading (a pipe, or a file that grows,
// has no size to check first). CSV is parsed as it is read, never held
// whole; YAML is read whole (its parser needs it) within the limit.
func ParseFileLimit(path string, maxBytes int64) (*Set, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".yaml" && ext != ".yml" && ext != ".csv" {
		return nil, fmt.Errorf("%s: unknown file type (want .yaml, .yml or .csv)", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > maxBytes {
		return nil, tooLarge(path, st.Size(), maxBytes)
	}
	r := &limitReader{r: f, left: maxBytes}
	var set *Set
	if ext == ".csv" {
		set, err = parseCSV(path, r)
	} else {
		var data []byte
		if data, err = io.ReadAll(r); err == nil {
			set, err = ParseYAML(path, data)
		}
	}
	if r.over {
		return nil, tooLarge(path, -1, maxBytes)
	}
	return set, err
}

func tooLarge(path string, size, maxBytes int64) error {
	what := "it is"
	if size >= 0 {
		what = strconv.FormatInt(size, 10) + " bytes are"
	}
	return fmt.Errorf("%s: %w: %s more than %d bytes (raise it with --max-bytes if the file is right)", path, ErrTooLarge, what, maxBytes)
}

// limitReader reads at most left bytes and then fails with ErrTooLarge, so
// a parser stops at the limit instead of seeing a cut-off file.
type limitReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more tells a file of exactly the limit from a longer one.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			l.over = true
			return 0, ErrTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// maxEcho is how much of a bad value a message quotes: enough to recognise
// it, never a 20 MB cell copied into an error, a log or a terminal.
const maxEcho = 100

// quote is %q of v for messages, cut to maxEcho bytes (at a rune boundary)
// with the full length said: "aaaa…" (20971520 bytes).
func quote(v string) string {
	if len(v) <= maxEcho {
		return strconv.Quote(v)
	}
	cut := maxEcho
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return strconv.Quote(v[:cut]) + "… (" + strconv.Itoa(len(v)) + " bytes)"
}

// bounded is v cut like quote but unquoted, for names used as a field in a
// message (a CSV column header).
func bounded(v string) string {
	if len(v) <= maxEcho {
		return v
	}
	cut := maxEcho
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return v[:cut] + "… (" + strconv.Itoa(len(v)) + " bytes)"
}
