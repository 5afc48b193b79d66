package inventory

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkImportCSV50k imports 50,000 lines (the fleet yardstick) from a
// generated CSV into a fresh database: parse, reference checks against 5,001
// customers and 1,573 elements, and the writes in one transaction. Then it
// re-imports the same file, which must write nothing.
//
//	go test -run '^$' -bench ImportCSV50k ./controller/inventory/
func BenchmarkImportCSV50k(b *testing.B) {
	const n = 50000
	files := genCSV(b, b.TempDir(), n)
	ctx := context.Background()
	var reimport float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, db, err := OpenSQLite(ctx, filepath.Join(b.TempDir(), "vantage.db"))
		if err != nil {
			b.Fatal(err)
		}
		mustImport(b, s, files[0])
		mustImport(b, s, files[1])
		b.StartTimer()

		if c := mustImport(b, s, files[2]); c[KindLines].Created != n {
			b.Fatalf("%v", c)
		}

		b.StopTimer()
		t := testingNow()
		if c := mustImport(b, s, files[2]); c.Changed() != 0 {
			b.Fatalf("re-import changed rows: %v", c)
		}
		reimport += testingSince(t)
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(n*b.N)/reimport, "reimport-rows/s")
}
