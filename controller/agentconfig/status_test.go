package agentconfig

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/agent/remote"
	"github.com/vantage-net/vantage/internal/logbuf"
	"github.com/vantage-net/vantage/probes/result"
)

// A 200 KB error in a config status, sent 100 times, is kept cut to
// result.MaxErrorBytes and logged a few times, each line bounded.
func TestStatusErrorCutAndLogsLimited(t *testing.T) {
	nc, _ := connect(t)
	logBuf := &logbuf.Buffer{}
	w, err := NewStatusWatcher(nc, slog.New(slog.NewTextHandler(logBuf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	huge := strings.Repeat("probes[0].interval: bad\x1b[31m\n", 8000) // ~200 KB
	for i := range 100 {
		data, _ := json.Marshal(remote.Status{Agent: "cpe-1", Revision: uint64(i + 1), Error: huge})
		if err := nc.Publish(remote.StatusSubject("cpe-1"), data); err != nil {
			t.Fatal(err)
		}
	}
	_ = nc.Flush()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if st, ok := w.Last("cpe-1"); ok && st.Revision == 100 {
			if len(st.Error) > result.MaxErrorBytes+24 || strings.Contains(st.Error, "\x1b") {
				t.Errorf("kept error of %d bytes: %q", len(st.Error), st.Error[:80])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("statuses not all received")
		}
		time.Sleep(10 * time.Millisecond)
	}
	out := logBuf.String()
	if n := strings.Count(out, "agent refused its config"); n == 0 || n > 5 {
		t.Errorf("100 refused statuses logged %d times, want 1..5", n)
	}
	if len(out) > 5*(2*result.MaxErrorBytes+1024) {
		t.Errorf("log holds %d bytes", len(out))
	}
}

func TestCleanUpdateBoundsWhatAnAgentClaims(t *testing.T) {
	failed := []string{"v2", "v2", "../../x", "v\n3"}
	for i := 0; i < 40; i++ {
		failed = append(failed, fmt.Sprintf("v%d", 100+i))
	}
	got := cleanUpdate(remote.UpdateStatus{State: "<script>", Version: "v1", OS: "linux", Arch: "amd64/../x",
		Error: "bad\x1b[31m" + strings.Repeat("x", 10000), Failed: failed})
	if got.State != "unknown" || got.Version != "v1" || got.OS != "linux" || got.Arch != "" {
		t.Errorf("names: %+v", got)
	}
	if len(got.Error) > 2*result.MaxErrorBytes || strings.Contains(got.Error, "\x1b") {
		t.Errorf("error not cleaned: %d bytes", len(got.Error))
	}
	if len(got.Failed) != 32 || got.Failed[0] != "v2" || got.Failed[1] != "v100" {
		t.Errorf("failed: %d entries, %v", len(got.Failed), got.Failed[:3])
	}
}
