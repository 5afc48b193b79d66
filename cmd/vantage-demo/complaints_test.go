package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/vantage-net/vantage/controller/complaints"
	"github.com/vantage-net/vantage/controller/complaints/importcsv"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/store/sqlite"
)

// The demo's mapping is the README's, and its export imports cleanly
// against the demo inventory: every row linked, and the compound's cell
// listed as a repeat place.
func TestDemoComplaints(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(# mapping.yaml.*?)```").FindSubmatch(readme)
	if m == nil || string(m[1]) != string(complaintsMapping) {
		t.Fatal("cmd/vantage-demo/complaints-mapping.yaml differs from the README's mapping file")
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "v.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := inventory.NewSQLStore(db)
	set, err := inventory.ParseYAML("inventory.yaml", demoInventory)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Import(ctx, set, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s, err := complaints.New(complaints.Options{DB: db, Now: func() time.Time { return now }}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	mp, err := importcsv.ParseMapping("mapping.yaml", complaintsMapping)
	if err != nil {
		t.Fatal(err)
	}
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(complaintsExport(now)))
	rep, err := importcsv.ImportData(ctx, s, "complaints-gbk.csv", gbk, importcsv.Options{Mapping: mp})
	if err != nil || len(rep.Bad) != 0 || rep.Created != 7 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	for id, customer := range map[string]string{"TS-1001": "C100", "TS-1002": "C200", "TS-1003": "C300"} {
		if c, _ := s.Get(ctx, id); c.LinkedCustomer != customer {
			t.Errorf("%s linked to %q, want %s", id, c.LinkedCustomer, customer)
		}
	}
	reps, err := s.Repeats(ctx, func(string) bool { return true }, 0)
	if err != nil || len(reps) == 0 || reps[0].Kind != "cell" || reps[0].Count != 4 {
		t.Fatalf("repeats %+v %v", reps, err)
	}
}
