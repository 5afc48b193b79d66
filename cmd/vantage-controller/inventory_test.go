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
	if rc := inventoryCmd([]string{"export"}, &out, &errOut); rc != 2 {
		t.Errorf("unknown subcommand rc %d", rc)
	}
	if rc := inventoryCmd([]string{"import", "--db", db, filepath.Join(dir, "missing.yaml")}, &out, &errOut); rc != 1 {
		t.Errorf("missing file rc %d", rc)
	}
}
