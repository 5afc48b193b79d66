package update

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vantage-net/vantage/agent/remote"
	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/internal/releasesig"
	"github.com/vantage-net/vantage/internal/waitfor"
)

var (
	signKey  = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	otherKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, ed25519.SeedSize))
)

// box is one edge box: a directory holding the running binary (v1), a
// release server, and the updater's restarts counted.
type box struct {
	t        *testing.T
	exe      string
	clk      *clock.Fake
	srv      *httptest.Server
	serve    []byte // what the server sends for the release
	hits     atomic.Int32
	restarts atomic.Int32
	reports  chan remote.UpdateStatus
}

func newBox(t *testing.T) *box {
	b := &box{t: t, exe: filepath.Join(t.TempDir(), "vantage-agent"), clk: clock.NewFake(time.Unix(1e9, 0)),
		reports: make(chan remote.UpdateStatus, 100)}
	if err := os.WriteFile(b.exe, []byte("binary v1"), 0o755); err != nil {
		t.Fatal(err)
	}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.hits.Add(1)
		_, _ = w.Write(b.serve)
	}))
	t.Cleanup(b.srv.Close)
	return b
}

// updater is the process running version on the box.
func (b *box) updater(version string, key ed25519.PublicKey) *Updater {
	return New(Options{PublicKey: key, Version: version, OS: "linux", Arch: "amd64", Exe: b.exe,
		Client: b.srv.Client(), MaxBytes: 1 << 20, HealthDeadline: time.Minute,
		Restart: func() { b.restarts.Add(1) }, Report: func(s remote.UpdateStatus) { b.reports <- s },
		Clock: b.clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// release signs data as version with key and serves it.
func (b *box) release(version string, data []byte, key ed25519.PrivateKey) *Release {
	sum, n, _ := releasesig.Digest(bytes.NewReader(data), 1<<20)
	sig, err := releasesig.Sign(key, releasesig.Meta{OS: "linux", Arch: "amd64", Version: version, Size: n, SHA256: sum})
	if err != nil {
		b.t.Fatal(err)
	}
	b.serve = data
	return &Release{Version: version, URL: b.srv.URL + "/releases/linux/amd64/" + version, SHA256: sum, Size: n, Signature: sig}
}

func (b *box) waitState(u *Updater, want string) remote.UpdateStatus {
	b.t.Helper()
	var st remote.UpdateStatus
	waitfor.True(b.t, "update state "+want, func() bool { st = u.Status(); return st.State == want })
	return st
}

func (b *box) file(name string) string {
	data, err := os.ReadFile(filepath.Join(filepath.Dir(b.exe), name))
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(data)
}

func TestUpdateCommitsAHealthyRelease(t *testing.T) {
	b := newBox(t)
	old := b.updater("v1", signKey.Public().(ed25519.PublicKey))
	if err := old.Start(); err != nil {
		t.Fatal(err)
	}
	old.Offer(context.Background(), b.release("v2", []byte("binary v2"), signKey))
	b.waitState(old, "restarting")
	waitfor.True(t, "restart asked", func() bool { return b.restarts.Load() == 1 })
	if got := old.PendingExec(); got != b.exe+".next" {
		t.Fatalf("pending exec %q", got)
	}
	if b.file("vantage-agent") != "binary v1" || b.file("vantage-agent.next") != "binary v2" {
		t.Fatal("the known-good binary must stay in place until the new one commits")
	}

	// The agent stopped and exec'd .next: that process is v2.
	cand := b.updater("v2", signKey.Public().(ed25519.PublicKey))
	if err := cand.Start(); err != nil {
		t.Fatal(err)
	}
	if st := cand.Status(); st.State != "trial" {
		t.Fatalf("candidate state %+v", st)
	}
	cand.Healthy()
	if st := cand.Status(); st.State != "committed" || len(st.Failed) != 0 {
		t.Fatalf("after Healthy: %+v", st)
	}
	if b.file("vantage-agent") != "binary v2" || b.file("vantage-agent.prev") != "binary v1" {
		t.Fatalf("after commit: exe %q, prev %q", b.file("vantage-agent"), b.file("vantage-agent.prev"))
	}
	// A later deadline does nothing: the trial is over.
	b.clk.Advance(2 * time.Minute)
	if b.restarts.Load() != 1 || cand.PendingExec() != "" {
		t.Fatal("a committed release was rolled back")
	}
	// The next process of v2 starts clean.
	if err := b.updater("v2", nil).Start(); err != nil {
		t.Fatal(err)
	}
}

func TestUpdateRollsBackWhenNotHealthyInTime(t *testing.T) {
	b := newBox(t)
	old := b.updater("v1", signKey.Public().(ed25519.PublicKey))
	_ = old.Start()
	rel := b.release("v2", []byte("binary v2"), signKey)
	old.Offer(context.Background(), rel)
	b.waitState(old, "restarting")
	waitfor.True(t, "restart asked", func() bool { return b.restarts.Load() == 1 })

	cand := b.updater("v2", signKey.Public().(ed25519.PublicKey))
	_ = cand.Start()
	waitfor.Timers(t, b.clk, 1)
	b.clk.Advance(time.Minute)
	st := b.waitState(cand, "rolled_back")
	if !slices.Equal(st.Failed, []string{"v2"}) || cand.PendingExec() != b.exe {
		t.Fatalf("rolled back: %+v, exec %q", st, cand.PendingExec())
	}
	waitfor.True(t, "restart into the old binary", func() bool { return b.restarts.Load() == 2 })
	if b.file("vantage-agent") != "binary v1" || b.file("vantage-agent.next")[0] != '<' {
		t.Fatal("rollback must leave the old binary and no candidate")
	}
	cand.Healthy() // too late: nothing changes
	if b.file("vantage-agent") != "binary v1" {
		t.Fatal("a late Healthy committed a rolled-back release")
	}

	// Back on v1: the failed version is never fetched again.
	again := b.updater("v1", signKey.Public().(ed25519.PublicKey))
	_ = again.Start()
	hits := b.hits.Load()
	again.Offer(context.Background(), rel)
	if again.Status().State != "idle" || b.hits.Load() != hits {
		t.Fatalf("failed version retried: %+v", again.Status())
	}
}

func TestUpdateRollsBackACandidateThatDied(t *testing.T) {
	b := newBox(t)
	old := b.updater("v1", signKey.Public().(ed25519.PublicKey))
	_ = old.Start()
	old.Offer(context.Background(), b.release("v2", []byte("binary v2 that exits at once"), signKey))
	b.waitState(old, "restarting")
	// The candidate exits before Start or Healthy: the service manager
	// starts the known-good binary, v1, which finds the trial.
	back := b.updater("v1", signKey.Public().(ed25519.PublicKey))
	if err := back.Start(); err != nil {
		t.Fatal(err)
	}
	st := back.Status()
	if st.State != "rolled_back" || st.Target != "v2" || !slices.Equal(st.Failed, []string{"v2"}) {
		t.Fatalf("after the candidate died: %+v", st)
	}
	if back.PendingExec() != "" || b.file("vantage-agent") != "binary v1" || b.file("vantage-agent.next")[0] != '<' {
		t.Fatal("the old binary must run on, with the candidate removed")
	}
}

func TestUpdateRefusesTamperedAndWronglySigned(t *testing.T) {
	pub := signKey.Public().(ed25519.PublicKey)
	cases := map[string]struct {
		rel     func(b *box) *Release
		key     ed25519.PublicKey
		reason  string
		fetched bool
	}{
		"tampered binary": {func(b *box) *Release {
			r := b.release("v2", []byte("binary v2"), signKey)
			b.serve = []byte("binary v3") // same length, one byte changed
			return r
		}, pub, "sha256", true},
		"wrong signature": {func(b *box) *Release { return b.release("v2", []byte("binary v2"), otherKey) }, pub, "signature does not verify", false},
		"replayed for another version": {func(b *box) *Release {
			r := b.release("v2", []byte("binary v2"), signKey)
			r.Version = "v3"
			return r
		}, pub, "signature does not verify", false},
		"longer than signed": {func(b *box) *Release {
			r := b.release("v2", []byte("binary v2"), signKey)
			b.serve = []byte("binary v2 and more")
			return r
		}, pub, "more than the signed", true},
		"no pinned key": {func(b *box) *Release { return b.release("v2", []byte("binary v2"), signKey) }, nil, "no update.public_key", false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			b := newBox(t)
			u := b.updater("v1", c.key)
			_ = u.Start()
			u.Offer(context.Background(), c.rel(b))
			st := b.waitState(u, "refused")
			if !bytes.Contains([]byte(st.Error), []byte(c.reason)) {
				t.Fatalf("error %q, want it to say %q", st.Error, c.reason)
			}
			if got := b.hits.Load() > 0; got != c.fetched {
				t.Fatalf("downloaded: %v, want %v", got, c.fetched)
			}
			if (st.OS == "") != (c.key == nil) {
				t.Fatalf("target %q/%q reported with key %v: only an agent that can verify says its target", st.OS, st.Arch, c.key != nil)
			}
			if u.PendingExec() != "" || b.restarts.Load() != 0 {
				t.Fatal("a refused release was going to run")
			}
			if b.file("vantage-agent") != "binary v1" || b.file("vantage-agent.next")[0] != '<' {
				t.Fatal("a refused release left files behind")
			}
			ents, _ := os.ReadDir(filepath.Dir(b.exe))
			for _, e := range ents {
				if e.Name() != "vantage-agent" && e.Name() != "update-state.json" {
					t.Errorf("left behind: %s", e.Name())
				}
			}
		})
	}
}

func TestUpdateRetriesAPassingFailureAfterABackoff(t *testing.T) {
	b := newBox(t)
	u := b.updater("v1", signKey.Public().(ed25519.PublicKey))
	_ = u.Start()
	rel := b.release("v2", []byte("binary v2"), signKey)
	good := b.serve
	b.serve = nil // the controller answers with nothing: fewer bytes than signed
	u.Offer(context.Background(), rel)
	st := b.waitState(u, "refused")
	if len(st.Failed) != 0 || b.hits.Load() != 1 {
		t.Fatalf("a short download must not fail the version for good: %+v, %d hits", st, b.hits.Load())
	}
	u.Offer(context.Background(), rel) // the next heartbeat: too early
	if b.hits.Load() != 1 {
		t.Fatal("retried before the backoff")
	}
	b.serve = good
	b.clk.Advance(time.Minute)
	u.Offer(context.Background(), rel)
	b.waitState(u, "restarting")
	if b.hits.Load() != 2 {
		t.Fatalf("%d downloads, want 2", b.hits.Load())
	}
}

func TestUpdateDownloadsNothingWhenItCannotWriteNextToItsBinary(t *testing.T) {
	b := newBox(t)
	u := b.updater("v1", signKey.Public().(ed25519.PublicKey))
	u.o.Exe = filepath.Join(t.TempDir(), "gone", "vantage-agent") // a directory the agent cannot write to
	u.Offer(context.Background(), b.release("v2", []byte("binary v2"), signKey))
	st := b.waitState(u, "refused")
	if !bytes.Contains([]byte(st.Error), []byte("cannot write next to its binary")) || b.hits.Load() != 0 {
		t.Fatalf("error %q after %d downloads", st.Error, b.hits.Load())
	}
}

// TestUpdateUnwritableDirectoryReportsNoTarget: an agent whose binary's
// directory takes no file (here it does not exist; on a box, a package's
// /usr/bin) says no target, so rollouts leave it out, and refuses an
// offered release without downloading it.
func TestUpdateUnwritableDirectoryReportsNoTarget(t *testing.T) {
	b := newBox(t)
	b.exe = filepath.Join(t.TempDir(), "gone", "vantage-agent")
	u := b.updater("v1", signKey.Public().(ed25519.PublicKey))
	if err := u.Start(); err != nil {
		t.Fatal(err)
	}
	if st := u.Status(); st.OS != "" || st.Arch != "" {
		t.Fatalf("target %s/%s reported by an agent that cannot swap its binary", st.OS, st.Arch)
	}
	u.Offer(context.Background(), b.release("v2", []byte("binary v2"), signKey))
	st := u.Status()
	if st.State != "refused" || st.Target != "v2" || b.hits.Load() != 0 || u.PendingExec() != "" {
		t.Fatalf("status %+v after %d downloads: want refused without a download", st, b.hits.Load())
	}
}
