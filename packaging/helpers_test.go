package packaging

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// builds caches cross-built binaries for the whole test binary: the size,
// package and qemu tests share them (a mipsle build takes about a minute).
var builds struct {
	sync.Mutex
	dir  string
	done map[string]string
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vantage-packaging-test")
	if err != nil {
		panic(err)
	}
	builds.dir, builds.done = dir, map[string]string{}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// moduleRoot is the folder with go.mod, one up from this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// built cross-builds binary for arch once per test run, stamped "test".
// It is skipped in -short runs: a cross-build is not a unit test.
func built(t *testing.T, binary, arch string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("cross-builds a binary; not in -short")
	}
	tg, err := Find(binary, arch)
	if err != nil {
		t.Fatal(err)
	}
	builds.Lock()
	defer builds.Unlock()
	if p, ok := builds.done[tg.Name()]; ok {
		return p
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	p, err := Build(ctx, BuildOptions{Root: moduleRoot(t), OutDir: builds.dir, Version: "v0.0.0-test"}, tg)
	if err != nil {
		t.Fatal(err)
	}
	builds.done[tg.Name()] = p
	return p
}
