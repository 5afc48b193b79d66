package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/controller/report/reporttest"
)

func render(t *testing.T, lang, format string) []byte {
	t.Helper()
	_, b := scenario(t)
	r, err := b.Customer(context.Background(), reporttest.Customer, reporttest.From, reporttest.To, lang)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Render(&buf, r, format, b.Location(), Fonts{}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The HTML is one self-contained page: the chart inline SVG, no script,
// no external resource; times in Shanghai; figures as computed.
func TestHTMLSelfContained(t *testing.T) {
	page := string(render(t, "zh-CN", "html"))
	for _, want := range []string{"<svg", "客户影响报告", reporttest.CustomerName, "2026-11-16 00:00:00 – 2026-11-23 00:00:00",
		"99.4965%", "未达标", "port-7", "2026-11-18 10:00:00", "50.0000%", "KEI", "KQI", "KPI", "PI", "@media print"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(page, "<svg"); n != 2 {
		t.Errorf("%d inline SVG charts, want 2 (availability per line, minutes per day)", n)
	}
	for _, bad := range []string{"<script", "src=", "<link", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("page has %q: not self-contained", bad)
		}
	}
	if en := string(render(t, "en", "html")); !strings.Contains(en, "Customer impact report") || !strings.Contains(en, "missed") {
		t.Error("English page lacks its words")
	}
}

// CSV and JSON carry the numbers unrounded.
func TestCSVAndJSONNumbers(t *testing.T) {
	recs, err := csv.NewReader(bytes.NewReader(render(t, "en", "csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		if len(r) > 9 && r[0] == "line" && r[4] == "L1" {
			found = true
			if r[5] != "99.9" || r[7] != "false" || r[9] != "3045" || r[10] != "2" || r[12] != "1800" || r[18] != "3315" {
				t.Errorf("L1 row %v", r)
			}
		}
	}
	if !found {
		t.Errorf("no L1 row in %v", recs)
	}
	var back Report
	if err := json.Unmarshal(render(t, "en", "json"), &back); err != nil {
		t.Fatal(err)
	}
	if back.Summary.Outages != 3 || back.Lines[0].DownSeconds != 3045 || back.Notifications.ProactiveRatio != 0.5 || len(back.Tree) != len(treeOrder) {
		t.Errorf("JSON: %+v", back.Summary)
	}
}

// The PDF renders (pdftoppm makes a PNG of every page) and its Chinese
// text is text (pdftotext finds it): the CJK font is embedded.
func TestPDFRendersChinese(t *testing.T) {
	for _, tool := range []string{"pdftoppm", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed (Debian poppler-utils; make deps): %v", tool, err)
		}
	}
	if _, err := os.Stat(DefaultFont); err != nil {
		t.Fatalf("CJK font missing (Debian fonts-wqy-microhei; make deps): %v", err)
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "r.pdf")
	if err := os.WriteFile(pdf, render(t, "zh-CN", "pdf"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "50", "-png", pdf, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	if len(pngs) == 0 {
		t.Fatal("pdftoppm made no page")
	}
	for _, p := range pngs {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) || len(b) < 1000 {
			t.Errorf("%s: not a PNG page (%d bytes, %v)", p, len(b), err)
		}
	}
	out, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"客户影响报告", reporttest.CustomerName, "感知可用率", "99.4965%", "未达标", "port-7", "L1 *"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext lacks %q:\n%s", want, text)
		}
	}
}
