package inventory

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImportCommandReportsCountsAndProgress(t *testing.T) {
	_, path := newStore(t)
	files := genCSV(t, t.TempDir(), 12000)
	var out bytes.Buffer
	if err := ImportCommand(context.Background(), path, files, &out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"lines.csv: 5000 of 12000 rows written\n",
		"lines.csv: 10000 of 12000 rows written\n",
		"lines.csv: lines 12000 created, 0 updated, 0 unchanged (12000 rows, ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	out.Reset()
	if err := ImportCommand(context.Background(), path, files[2:], &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "lines 0 created, 0 updated, 12000 unchanged") {
		t.Errorf("re-import: %s", out.String())
	}
}

func TestImportCommandBadInput(t *testing.T) {
	_, path := newStore(t)
	dir := t.TempDir()
	txt := filepath.Join(dir, "inventory.txt")
	os.WriteFile(txt, []byte("x"), 0o644)
	for _, tt := range []struct {
		files []string
		want  string
	}{
		{nil, "no files given"},
		{[]string{filepath.Join(dir, "missing.yaml")}, "no such file"},
		{[]string{txt}, "inventory.txt: unknown file type (want .yaml, .yml or .csv)"},
		{[]string{"testdata/demo.yaml", "testdata/invalid/unknown-customer.csv"},
			"inventory import: testdata/invalid/unknown-customer.csv rejected, nothing from it was written:\n" +
				`testdata/invalid/unknown-customer.csv:2:4: customer: "C404" is not a known customer`},
	} {
		err := ImportCommand(context.Background(), path, tt.files, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: got %v, want %q", tt.files, err, tt.want)
		}
	}
}
