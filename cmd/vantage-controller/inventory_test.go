package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInventoryImport(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "controller.yaml")
	db := filepath.Join(dir, "data", "vantage.db")
	if err := os.WriteFile(cfg, []byte("data_dir: "+filepath.Join(dir, "data")+"\ninflux: {url: http://127.0.0.1:8086, bucket: v/autogen}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	demo := "../../controller/inventory/testdata/demo.yaml"
	var out, errOut bytes.Buffer
	if rc := inventoryCmd([]string{"import", "--config", cfg, demo}, &out, &errOut); rc != 0 {
		t.Fatalf("rc %d: %s", rc, errOut.String())
	}
	if !strings.Contains(out.String(), "lines 7 created") {
		t.Errorf("output %q", out.String())
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("database not at data_dir/vantage.db: %v", err)
	}
	out.Reset()
	if rc := inventoryCmd([]string{"import", "--db", db, demo}, &out, &errOut); rc != 0 || !strings.Contains(out.String(), "7 unchanged") {
		t.Fatalf("re-import rc %d: %s %s", rc, out.String(), errOut.String())
	}
	if rc := inventoryCmd([]string{"frobnicate"}, &out, &errOut); rc != 2 {
		t.Errorf("unknown subcommand rc %d", rc)
	}
	if rc := inventoryCmd([]string{"import", "--db", db, filepath.Join(dir, "missing.yaml")}, &out, &errOut); rc != 1 {
		t.Errorf("missing file rc %d", rc)
	}
}

// TestInventoryExportAndCap: export writes a CSV (0600 with --out) that
// import takes back unchanged; --max-bytes refuses a bigger file.
func TestInventoryExportAndCap(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "vantage.db")
	var out, errOut bytes.Buffer
	if rc := inventoryCmd([]string{"import", "--db", db, "../../controller/inventory/testdata/demo.yaml"}, &out, &errOut); rc != 0 {
		t.Fatalf("import rc %d: %s", rc, errOut.String())
	}
	csvPath := filepath.Join(dir, "customers.csv")
	if rc := inventoryCmd([]string{"export", "--db", db, "--out", csvPath, "customers"}, &out, &errOut); rc != 0 {
		t.Fatalf("export rc %d: %s", rc, errOut.String())
	}
	st, err := os.Stat(csvPath)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v %v", st, err)
	}
	out.Reset()
	if rc := inventoryCmd([]string{"export", "--db", db, "customers"}, &out, &errOut); rc != 0 ||
		!strings.HasPrefix(out.String(), "customer_id,name,tier,account_manager\nC100,Harbour Logistics Group,ab_group,li.wei\n") {
		t.Fatalf("export to stdout rc %d: %q %s", rc, out.String(), errOut.String())
	}
	out.Reset()
	if rc := inventoryCmd([]string{"import", "--db", db, csvPath}, &out, &errOut); rc != 0 || !strings.Contains(out.String(), "customers 0 created, 0 updated, 5 unchanged") {
		t.Fatalf("re-import of the export rc %d: %s %s", rc, out.String(), errOut.String())
	}
	errOut.Reset()
	if rc := inventoryCmd([]string{"import", "--db", db, "--max-bytes", "100", csvPath}, &out, &errOut); rc != 1 ||
		!strings.Contains(errOut.String(), "larger than the import limit") || !strings.Contains(errOut.String(), "more than 100 bytes") {
		t.Fatalf("--max-bytes 100: rc %d: %s", rc, errOut.String())
	}
	if rc := inventoryCmd([]string{"import", "--db", db, "--max-bytes", "lots", csvPath}, &out, &errOut); rc != 2 {
		t.Errorf("--max-bytes lots: rc %d", rc)
	}
	if rc := inventoryCmd([]string{"export", "--db", db, "widgets"}, &out, &errOut); rc != 1 {
		t.Errorf("export of an unknown kind: rc %d", rc)
	}
}
