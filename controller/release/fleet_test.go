package release

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/agent/remote"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/internal/releasesig"
)

func storeWithV2(t *testing.T) *Store {
	t.Helper()
	priv, pub := keyPair(1)
	s := NewStore(t.TempDir(), pub)
	bin, m := writeBin(t, "binary v2")
	sig, _ := releasesig.Sign(priv, m)
	if _, err := s.Add(bin, m, sig); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestFleetOffersOnlyWhatAnAgentCanRun: an agent that has not said its
// target gets nothing, one whose target has no release gets nothing, the
// others get the release's URL, checksum and signature.
func TestFleetOffersOnlyWhatAnAgentCanRun(t *testing.T) {
	s := storeWithV2(t)
	updates := map[string]remote.UpdateStatus{
		"cpe-1": {State: "idle", Version: "v1", OS: "linux", Arch: "amd64"},
		"cpe-2": {State: "idle", Version: "v1", OS: "linux", Arch: "mipsle"},
	}
	f := NewFleet(FleetOptions{Store: s, BaseURL: "http://ctrl:9100",
		Rollouts: []Rollout{{Name: "all", Version: "v2", CanaryPercent: 100, MaxFailures: 1}},
		Version:  func(string) (string, bool) { return "v1", true },
		Update:   func(id string) (remote.UpdateStatus, bool) { st, ok := updates[id]; return st, ok },
		Clock:    clock.NewFake(time.Unix(1e9, 0)), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	as := []inventory.Assignment{{Agent: "cpe-1"}, {Agent: "cpe-2"}, {Agent: "cpe-3"}}
	got := f.Plan(context.Background(), as)
	if len(got) != 1 {
		t.Fatalf("offers %+v, want cpe-1 only", got)
	}
	r := got["cpe-1"]
	want, _ := s.Get("linux", "amd64", "v2")
	if r.URL != "http://ctrl:9100/releases/linux/amd64/v2" || r.SHA256 != want.SHA256 || r.Signature != want.Signature || r.Size != want.Size {
		t.Fatalf("offer %+v", r)
	}
	if f.Desired("cpe-1") != "v2" || f.Desired("cpe-2") != "" {
		t.Fatalf("desired cpe-1 %q cpe-2 %q", f.Desired("cpe-1"), f.Desired("cpe-2"))
	}
}

func TestHandlerServesReleasesOnly(t *testing.T) {
	s := storeWithV2(t)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/releases/linux/amd64/v2"); code != 200 || body != "binary v2" {
		t.Fatalf("GET v2: %d %q", code, body)
	}
	for _, p := range []string{"/releases/linux/amd64/v3", "/releases/linux/amd64/..%2f..%2fetc", "/releases/linux/amd64/v2/release.json"} {
		if code, _ := get(p); code != 404 {
			t.Errorf("GET %s: %d, want 404", p, code)
		}
	}
	resp, err := http.Post(srv.URL+"/releases/linux/amd64/v2", "application/octet-stream", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
	// A binary whose size on disk is not the signed size is not served.
	if err := os.WriteFile(filepath.Join(s.dir, "linux", "amd64", "v2", binaryName), []byte("binary v2 grown"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _ := get("/releases/linux/amd64/v2"); code != 500 {
		t.Errorf("damaged release served: %d", code)
	}
}
