package testpg

import (
	"errors"
	"fmt"
	"os"
	"testing"
)

// StartOrSkip starts a cluster for one test and stops it at the test's
// end. Without PostgreSQL it skips, or fails when VANTAGE_REQUIRE_LAB=1.
func StartOrSkip(t testing.TB) *Cluster {
	t.Helper()
	c, err := Start()
	if errors.Is(err, ErrMissing) {
		if os.Getenv("VANTAGE_REQUIRE_LAB") == "1" {
			t.Fatalf("VANTAGE_REQUIRE_LAB=1: %v", err)
		}
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	return c
}

// Main is for TestMain: it starts one cluster for the package, runs the
// tests with it, and stops it. Without PostgreSQL it runs them with a nil
// cluster (they skip), unless VANTAGE_REQUIRE_LAB=1.
func Main(m *testing.M, use func(*Cluster)) int {
	c, err := Start()
	switch {
	case errors.Is(err, ErrMissing) && os.Getenv("VANTAGE_REQUIRE_LAB") != "1":
		use(nil)
		return m.Run()
	case err != nil:
		fmt.Fprintln(os.Stderr, "testpg:", err)
		return 1
	}
	defer c.Stop()
	use(c)
	return m.Run()
}
