package benchdoc

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func sample() Summary {
	return Summary{Bench: "ingest", Command: "go run ./bench/ingest -points 300000",
		Date:    time.Date(2026, 12, 1, 7, 5, 0, 0, time.UTC),
		Machine: Machine{Cores: 2, MemoryBytes: 8 << 30, CPU: "AMD EPYC", Kernel: "Linux 6.1.0", Go: "go1.26.8", Load: "2.10 1.50 0.90"},
		Figures: []Figure{
			{Name: "ingest rate", Value: 180000, Unit: "points/s", Reference: "raw line protocol into InfluxDB, same points", RefValue: Ref(200000), Goal: "≥ 0.90 × reference"},
			{Name: "RSS", Value: 512.5, Unit: "MB", Goal: "< 1024 MB"},
		}}
}

const doc = `# Benchmarks

## 2. Ingest

Hand-written analysis before.

<!-- bench:ingest begin -->
old figures
<!-- bench:ingest end -->

Reading it: hand-written analysis after.

<!-- bench:detect begin -->
detect's own
<!-- bench:detect end -->
`

// TestRewriteReplacesOnlyTheBlock: the block's lines are replaced by the
// rendered figures (reference, ratio, machine, date, command) and every
// byte outside it, other benches' blocks included, is kept.
func TestRewriteReplacesOnlyTheBlock(t *testing.T) {
	got, err := Rewrite("BENCHMARKS.md", []byte(doc), sample())
	if err != nil {
		t.Fatal(err)
	}
	before, after, _ := strings.Cut(doc, "<!-- bench:ingest begin -->")
	_, after, _ = strings.Cut(after, "<!-- bench:ingest end -->\n")
	if !strings.HasPrefix(string(got), before) || !strings.HasSuffix(string(got), after) {
		t.Fatalf("text outside the block changed:\n%s", got)
	}
	block := strings.TrimSuffix(strings.TrimPrefix(string(got), before), after)
	if block != Render(sample()) {
		t.Fatalf("block is not Render's:\n%s", block)
	}
	for _, want := range []string{
		"<!-- bench:ingest begin -->\n", "\n<!-- bench:ingest end -->\n",
		"`go run ./bench/ingest -points 300000`, 2026-12-01 07:05 UTC.",
		"Machine: 2 cores (AMD EPYC), 8.0 GiB memory, Linux 6.1.0, go1.26.8; load average 2.10 1.50 0.90 at the end.",
		"| ingest rate | 180000 points/s | raw line protocol into InfluxDB, same points | 200000 points/s | 0.90 | ≥ 0.90 × reference |",
		"| RSS | 512.5 MB | – | – | – | < 1024 MB |",
	} {
		if !strings.Contains(block, want) {
			t.Errorf("block lacks %q:\n%s", want, block)
		}
	}
	if strings.Contains(string(got), "old figures") {
		t.Error("old figures kept")
	}
	// Rewriting again with the same summary changes nothing.
	again, err := Rewrite("BENCHMARKS.md", got, sample())
	if err != nil || !bytes.Equal(again, got) {
		t.Fatalf("second rewrite differs (err %v)", err)
	}
}

// TestRewriteRefusesBadMarkers: a missing, repeated, unclosed or misplaced
// marker is an error naming file and line, never a guess.
func TestRewriteRefusesBadMarkers(t *testing.T) {
	for _, c := range []struct{ name, doc, want string }{
		{"missing", "# B\n\ntext\n", "BENCHMARKS.md: no <!-- bench:ingest begin --> line: put a"},
		{"unclosed", "a\n<!-- bench:ingest begin -->\nx\n", "BENCHMARKS.md:2: <!-- bench:ingest begin --> is never closed"},
		{"end first", "<!-- bench:ingest end -->\n<!-- bench:ingest begin -->\n", "BENCHMARKS.md:1: <!-- bench:ingest end --> comes before"},
		{"two begins", "<!-- bench:ingest begin -->\n<!-- bench:ingest end -->\n<!-- bench:ingest begin -->\n", "BENCHMARKS.md:3: a second <!-- bench:ingest begin --> (the first is on line 1)"},
		{"two ends", "<!-- bench:ingest begin -->\n<!-- bench:ingest end -->\n<!-- bench:ingest end -->\n", "BENCHMARKS.md:3: a second <!-- bench:ingest end -->"},
		{"nested", "<!-- bench:ingest begin -->\n<!-- bench:detect begin -->\n<!-- bench:ingest end -->\n", "BENCHMARKS.md:2: <!-- bench:detect begin --> opens inside"},
	} {
		_, err := Rewrite("BENCHMARKS.md", []byte(c.doc), sample())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
	}
}

// TestParseReadsSummaryFromRunOutput: the summary line is found among a
// run's report lines and comes back as emitted.
func TestParseReadsSummaryFromRunOutput(t *testing.T) {
	var out bytes.Buffer
	out.WriteString("lab: 60 lines\nshort drops at 1 Hz ...\n")
	if err := Emit(&out, sample()); err != nil {
		t.Fatal(err)
	}
	out.WriteString("kept nothing\n")
	ss, err := Parse("detect.txt", &out)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 || ss[0].Bench != "ingest" || len(ss[0].Figures) != 2 || *ss[0].Figures[0].RefValue != 200000 || !ss[0].Date.Equal(sample().Date) {
		t.Fatalf("parsed %+v", ss)
	}
}

// TestParseRefusesBadSummaries: each bad input is refused with file:line
// and the field.
func TestParseRefusesBadSummaries(t *testing.T) {
	line := func(mut func(*Summary)) string {
		s := sample()
		mut(&s)
		b, _ := json.Marshal(s)
		return "report line\n" + Prefix + string(b) + "\n"
	}
	for _, c := range []struct{ name, in, want string }{
		{"no summary", "only a report\n", "run.txt: no \"BENCH-SUMMARY\" line"},
		{"not json", "x\nBENCH-SUMMARY {\"bench\": \n", "run.txt:2: bench summary: "},
		{"unknown field", "BENCH-SUMMARY {\"bench\":\"x\",\"figurez\":[]}\n", "run.txt:1: bench summary: json: unknown field \"figurez\""},
		{"bad name", line(func(s *Summary) { s.Bench = "Ingest Run" }), "run.txt:2: bench summary: bench: \"Ingest Run\" is not a block name"},
		{"no command", line(func(s *Summary) { s.Command = "" }), "command: \"\" is empty"},
		{"no date", line(func(s *Summary) { s.Date = time.Time{} }), "date: missing"},
		{"no cores", line(func(s *Summary) { s.Machine.Cores = 0 }), "machine.cores: 0 is not a core count"},
		{"no memory", line(func(s *Summary) { s.Machine.MemoryBytes = 0 }), "machine.memory_bytes: 0"},
		{"no cpu", line(func(s *Summary) { s.Machine.CPU = "" }), "machine.cpu: missing"},
		{"no figures", line(func(s *Summary) { s.Figures = nil }), "figures: none"},
		{"zero ref", line(func(s *Summary) { s.Figures[0].RefValue = Ref(0) }), "figures[0].ref_value: 0 cannot divide"},
		{"ref unnamed", line(func(s *Summary) { s.Figures[0].Reference = "" }), "figures[0].reference: a ref_value needs"},
		{"pipe in name", line(func(s *Summary) { s.Figures[1].Name = "a|b" }), "figures[1].name: \"a|b\""},
	} {
		_, err := Parse("run.txt", strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
	}
}

// TestEmitRefusesInvalid: a bench cannot print a summary the generator
// would refuse.
func TestEmitRefusesInvalid(t *testing.T) {
	s := sample()
	s.Figures[0].Name = ""
	var out bytes.Buffer
	if err := Emit(&out, s); err == nil || out.Len() != 0 {
		t.Fatalf("err %v, printed %q", err, out.String())
	}
}

func TestMachineParsing(t *testing.T) {
	if m := cpuModel("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n"); m != "AMD EPYC 7B13" {
		t.Errorf("cpu model %q", m)
	}
	if b := memTotal("MemTotal:        8148416 kB\nMemFree: 1 kB\n"); b != 8148416*1024 {
		t.Errorf("memory %d", b)
	}
	if c := Command("detect", []string{"-drops", "1s,2s", "-note", "it's here"}); c != `go run ./bench/detect -drops 1s,2s -note 'it'\''s here'` {
		t.Errorf("command %s", c)
	}
}
