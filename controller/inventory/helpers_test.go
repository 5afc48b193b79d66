package inventory

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// newStore opens a fresh database on the backend of the run (storetest)
// and returns it with its path or URL, for the commands.
func newStore(t testing.TB) (*SQLStore, string) {
	t.Helper()
	path := storetest.Target(t)
	s, db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return s, path
}

func mustImport(t testing.TB, s Store, file string) Counts {
	t.Helper()
	set, err := ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Import(context.Background(), set, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// genCSV writes a generated inventory of n lines: customers of every tier, a
// tree of one PoP, 4 routers, 8 cards each and 48 ports a card, and lines
// spread over the ports. It returns the three files in dependency order.
func genCSV(t testing.TB, dir string, n int) []string {
	t.Helper()
	var cust, elem, lines bytes.Buffer
	cust.WriteString("customer_id,name,tier,account_manager\n")
	nCust := n/10 + 1
	for i := 0; i < nCust; i++ {
		fmt.Fprintf(&cust, "C%06d,Customer %d,%s,am%d\n", i, i, Tiers[i%len(Tiers)], i%50)
	}
	elem.WriteString("element_id,parent,kind,name\npop,,pop,PoP\n")
	var ports []string
	for r := 0; r < 4; r++ {
		fmt.Fprintf(&elem, "r%d,pop,router,Router %d\n", r, r)
		for c := 0; c < 8; c++ {
			fmt.Fprintf(&elem, "r%d-c%d,r%d,card,Card %d/%d\n", r, c, r, r, c)
			for p := 0; p < 48; p++ {
				id := fmt.Sprintf("r%d-c%d-p%d", r, c, p)
				ports = append(ports, id)
				fmt.Fprintf(&elem, "%s,r%d-c%d,port,Port %d/%d/%d\n", id, r, c, r, c, p)
			}
		}
	}
	lines.WriteString("circuit_id,customer,z_end,upstream_element,sla_availability_pct,loss_pct,rtt_ms,jitter_ms\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&lines, "DL%07d,C%06d,pop,%s,99.9,1,%d,\n", i, i%nCust, ports[i%len(ports)], 10+i%40)
	}
	files := []string{filepath.Join(dir, "customers.csv"), filepath.Join(dir, "elements.csv"), filepath.Join(dir, "lines.csv")}
	for i, b := range []*bytes.Buffer{&cust, &elem, &lines} {
		if err := os.WriteFile(files[i], b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

func testingNow() time.Time            { return time.Now() }
func testingSince(t time.Time) float64 { return time.Since(t).Seconds() }

// writeFile writes text to a file called name in a directory of the
// test's and returns its path.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
