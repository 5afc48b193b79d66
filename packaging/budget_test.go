package packaging

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseBudgetNamesFileAndLine(t *testing.T) {
	in := `# comment
vantage-agent mipsle 10485760
vantage-agent sparc 1
vantage-agent amd64 ten
vantage-agent mipsle 1
vantage-agent arm64
`
	_, err := ParseBudget(strings.NewReader(in), "size-budget.txt")
	if err == nil {
		t.Fatal("no error for a budget with four bad lines")
	}
	for _, want := range []string{
		`size-budget.txt:3: no target vantage-agent/sparc`,
		`size-budget.txt:4: max bytes "ten" is not a positive integer`,
		`size-budget.txt:5: vantage-agent mipsle is listed twice`,
		`size-budget.txt:6: want "<binary> <arch> <max bytes>"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestBudgetCheck(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "vantage-agent-linux-mipsle")
	if err := os.WriteFile(bin, make([]byte, 1000), 0o755); err != nil {
		t.Fatal(err)
	}
	mips, _ := Find("vantage-agent", "mipsle")
	arm, _ := Find("vantage-agent", "armv7")
	b := Budget{mips.Name(): 1000}
	if size, err := b.Check(mips, bin); err != nil || size != 1000 {
		t.Errorf("at the budget: size %d, err %v; want 1000, nil", size, err)
	}
	b[mips.Name()] = 999
	if _, err := b.Check(mips, bin); err == nil || !strings.Contains(err.Error(), "over its budget of 999 by 1 bytes") {
		t.Errorf("one byte over: err %v", err)
	}
	if _, err := b.Check(arm, bin); err == nil || !strings.Contains(err.Error(), "no line in the size budget") {
		t.Errorf("target without a line: err %v", err)
	}
}

// TestBudgetFileCoversEveryTarget keeps size-budget.txt and Targets in step:
// a target added without a ceiling would never be checked.
func TestBudgetFileCoversEveryTarget(t *testing.T) {
	b, err := LoadBudget("size-budget.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range Targets() {
		if _, ok := b[tg.Name()]; !ok {
			t.Errorf("size-budget.txt has no line for %s %s", tg.Binary, tg.Arch)
		}
	}
}

func TestPackageVersion(t *testing.T) {
	for in, want := range map[string]string{
		"v1.2.3":               "v1.2.3",
		"v1.2.3-4-gabcdef0":    "v1.2.3-4-gabcdef0",
		"1.0.0":                "1.0.0",
		"0299355":              "0.0.0-0299355",
		"0299355-dirty":        "0.0.0-0299355-dirty",
		"":                     "0.0.0-dev",
		"dev":                  "0.0.0-dev",
		"abcdef0\n":            "0.0.0-abcdef0",
		"v1.2.3-rc.1-dirty":    "v1.2.3-rc.1-dirty",
		"1234567":              "0.0.0-1234567",
		"12345678-dirty":       "0.0.0-12345678-dirty",
		"vantage":              "0.0.0-vantage",
		"v":                    "0.0.0-v",
		"v1":                   "v1",
		"9.9":                  "9.9",
		"0.0.0-0299355-dirty":  "0.0.0-0299355-dirty",
		"0.0.0-0299355-dirty ": "0.0.0-0299355-dirty",
	} {
		if got := PackageVersion(in); got != want {
			t.Errorf("PackageVersion(%q) = %q, want %q", in, got, want)
		}
	}
}
