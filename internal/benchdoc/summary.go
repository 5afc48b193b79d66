package benchdoc

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strings"
	"time"
)

// Prefix starts a summary line in a bench's output.
const Prefix = "BENCH-SUMMARY "

// Summary is one bench run's figures.
type Summary struct {
	// Bench names the block it fills (bench:NAME): lower-case letters,
	// digits and dashes, e.g. "detect" or "detect-drops".
	Bench string `json:"bench"`
	// Command is the exact command line that made the figures.
	Command string `json:"command"`
	// Date is when the run ended.
	Date time.Time `json:"date"`
	// Machine is where it ran.
	Machine Machine `json:"machine"`
	// Figures are the run's results, in the order to show them.
	Figures []Figure `json:"figures"`
}

// Figure is one measured value and the reference it is judged against.
type Figure struct {
	// Name says what was measured, e.g. "1-s drops counted (confirm)".
	Name string `json:"name"`
	// Value and Unit are the figure, e.g. 0.94 and "share".
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
	// Reference names what Value is compared with, measured in the same
	// run (e.g. "raw InfluxDB ceiling, same points"), and RefValue is its
	// value in Unit. Both absent: a figure with no in-run reference (its
	// Goal says what it is held to).
	Reference string   `json:"reference,omitempty"`
	RefValue  *float64 `json:"ref_value,omitempty"`
	// Goal is what the issue asks of it, as text (e.g. "≥ 0.90").
	Goal string `json:"goal,omitempty"`
}

// Ratio is Value / RefValue, and false without a reference.
func (f Figure) Ratio() (float64, bool) {
	if f.RefValue == nil || *f.RefValue == 0 {
		return 0, false
	}
	return f.Value / *f.RefValue, true
}

// Ref is a RefValue.
func Ref(v float64) *float64 { return &v }

var benchName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Validate checks every field a block needs, naming the first bad one.
func (s Summary) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...))
	}
	switch {
	case !benchName.MatchString(s.Bench):
		return bad("bench", "%q is not a block name (lower-case letters, digits, dashes)", s.Bench)
	case strings.TrimSpace(s.Command) == "" || strings.ContainsAny(s.Command, "\n`"):
		return bad("command", "%q is empty or holds a newline or backtick", s.Command)
	case s.Date.IsZero():
		return bad("date", "missing")
	case s.Machine.Cores < 1:
		return bad("machine.cores", "%d is not a core count", s.Machine.Cores)
	case s.Machine.MemoryBytes < 1:
		return bad("machine.memory_bytes", "%d is not a memory size", s.Machine.MemoryBytes)
	case strings.TrimSpace(s.Machine.CPU) == "":
		return bad("machine.cpu", "missing")
	case len(s.Figures) == 0:
		return bad("figures", "none")
	}
	for i, f := range s.Figures {
		field := fmt.Sprintf("figures[%d]", i)
		switch {
		case strings.TrimSpace(f.Name) == "" || strings.ContainsAny(f.Name, "\n|"):
			return bad(field+".name", "%q is empty or holds a newline or |", f.Name)
		case math.IsNaN(f.Value) || math.IsInf(f.Value, 0):
			return bad(field+".value", "%v is not a number", f.Value)
		case f.RefValue != nil && (math.IsNaN(*f.RefValue) || math.IsInf(*f.RefValue, 0) || *f.RefValue == 0):
			return bad(field+".ref_value", "%v cannot divide (NaN, infinite or 0)", *f.RefValue)
		case f.RefValue != nil && strings.TrimSpace(f.Reference) == "":
			return bad(field+".reference", "a ref_value needs the name of what it is")
		case strings.ContainsAny(f.Reference+f.Goal+f.Unit, "\n|"):
			return bad(field, "reference, goal or unit holds a newline or |")
		}
	}
	return nil
}

// New starts a summary of this process's run: the command as invoked
// (shown as `go run ./bench/NAME args…`), now, and this machine.
func New(bench string) Summary {
	return Summary{Bench: bench, Command: Command(bench, os.Args[1:]), Date: time.Now().UTC(), Machine: ReadMachine()}
}

// Command renders `go run ./bench/NAME args…` with each argument quoted
// for a shell where it needs to be.
func Command(bench string, args []string) string {
	var b strings.Builder
	b.WriteString("go run ./bench/" + bench)
	for _, a := range args {
		b.WriteByte(' ')
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,/:+%") == "" {
			b.WriteString(a)
		} else {
			b.WriteString("'" + strings.ReplaceAll(a, "'", `'\''`) + "'")
		}
	}
	return b.String()
}

// Emit checks s and prints its summary line to w.
func Emit(w io.Writer, s Summary) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("bench summary: %w", err)
	}
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s%s\n", Prefix, data)
	return err
}
