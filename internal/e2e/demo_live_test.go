package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// Issue 11, "counts that arrive 15 minutes late": `make demo` runs the
// shipped binaries with the controller's production defaults (15-min
// horizon). Its DL-0201 flaps three times (30, 50 and 70 s into the
// schedule) and becomes flapping; at that moment GET /api/v1/lines/DL-0201
// must count the three flaps, list them as live events (final false), and
// the demo's progress line must show them, a quarter of an hour before
// they are final.
func TestDemoCountsFlapsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo (about two minutes)")
	}
	t.Parallel()
	root, err := testinflux.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	testinflux.Start(t) // builds InfluxDB into .tools once; the demo starts its own
	bin := t.TempDir()
	for _, name := range []string{"vantage-agent", "vantage-controller", "vantage-demo"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(bin, name), "./cmd/"+name)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", name, err, out)
		}
	}
	dir := t.TempDir()
	demo := exec.Command(filepath.Join(bin, "vantage-demo"), "-bin", bin, "-dir", dir, "-progress", "2s")
	demo.Dir = root // scripts/influxdb.sh
	demo.Stderr = io.Discard
	stdout, err := demo.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		_ = demo.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = demo.Process.Kill()
			<-done
		}
		if t.Failed() {
			for _, f := range []string{"controller.log", "demo-lines.log"} {
				if b, err := os.ReadFile(filepath.Join(dir, f)); err == nil {
					t.Logf("%s (tail):\n%s", f, tail(string(b), 3000))
				}
			}
		}
	})
	var mu sync.Mutex
	var out []string
	ready := make(chan string, 1)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			out = append(out, line)
			mu.Unlock()
			if strings.HasPrefix(line, "vantage demo ready:") {
				ready <- line
			}
		}
		_ = demo.Wait()
	}()

	ctx := lab.Deadline(t, 4*time.Minute)
	var readyLine string
	select {
	case readyLine = <-ready:
	case <-ctx.Done():
		t.Fatal("the demo printed no ready line")
	}
	m := regexp.MustCompile(`api=(\S+)/api/v1/ token=(\S+)`).FindStringSubmatch(readyLine)
	if m == nil {
		t.Fatalf("ready line without api and token: %q", readyLine)
	}
	api, token := m[1], m[2]
	// The web UI's link with a ready login (README "Web UI"): the ready
	// line's admin token in the fragment, and the login page it opens.
	lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
		mu.Lock()
		defer mu.Unlock()
		for _, l := range out {
			if u, ok := strings.CutPrefix(l, "vantage demo: web UI, opens logged in as admin: "); ok {
				if u != api+"/ui/login#token="+token {
					return fmt.Errorf("web UI link %q, want %s/ui/login#token=<the ready line's token>", u, api)
				}
				resp, err := http.Get(strings.TrimSuffix(u, "#token="+token))
				if err != nil {
					return err
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `id="login"`) {
					return fmt.Errorf("web UI login page: %s", resp.Status)
				}
				return nil
			}
		}
		return fmt.Errorf("no web UI line printed")
	})
	cfg, err := os.ReadFile(filepath.Join(dir, "controller.yaml"))
	if err != nil || strings.Contains(string(cfg), "horizon:") {
		t.Fatalf("the demo's controller.yaml must keep the production horizon (%v):\n%s", err, cfg)
	}

	type event struct {
		ID    int64  `json:"id"`
		Kind  string `json:"kind"`
		Final bool   `json:"final"`
	}
	var line struct {
		State  string  `json:"state"`
		Flaps  int     `json:"flaps_24h"`
		Avail  float64 `json:"availability_24h"`
		Events []event `json:"events"`
	}
	lab.WaitFor(t, ctx, 500*time.Millisecond, func() error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, api+"/api/v1/lines/DL-0201", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(&line); err != nil {
			return err
		}
		if line.State != "flapping" {
			return fmt.Errorf("DL-0201 is %s with %d flaps, waiting for flapping", line.State, line.Flaps)
		}
		return nil
	})
	if line.Flaps != 3 || len(line.Events) != 3 || line.Avail >= 100 {
		t.Fatalf("DL-0201 flapping with %d flaps, availability %v, events %+v: want its 3 flaps counted at once",
			line.Flaps, line.Avail, line.Events)
	}
	for _, e := range line.Events {
		if e.Kind != "flap" || e.Final || e.ID == 0 {
			t.Errorf("event %+v: want a live flap (final false) with an id", e)
		}
	}
	// The progress line sums the counts (three flaps of DL-0201 at least).
	lab.WaitFor(t, ctx, time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		re := regexp.MustCompile(` flaps_24h=(\d+) outages_24h=\d+`)
		for i := len(out) - 1; i >= 0; i-- {
			if m := re.FindStringSubmatch(out[i]); m != nil {
				var n int
				fmt.Sscan(m[1], &n)
				if n >= 3 {
					return nil
				}
				return fmt.Errorf("progress line %q: want flaps_24h >= 3", out[i])
			}
		}
		return fmt.Errorf("no progress line with flaps_24h yet")
	})
	// Issue 14: the report command the demo prints works on its data,
	// run exactly as printed: a PDF with the customer and the flapping
	// line in it, and (the same command, JSON) the three flaps counted.
	mu.Lock()
	var command string
	for _, l := range out {
		if _, c, ok := strings.Cut(l, "vantage demo: customer-impact report of C300 this week"); ok {
			_, command, _ = strings.Cut(c, "): ")
		}
	}
	mu.Unlock()
	args := strings.Fields(command)
	if len(args) < 2 || !strings.HasSuffix(args[0], "vantage-controller") || args[1] != "report" {
		t.Fatalf("the demo printed no report command (%q)", command)
	}
	if b, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", command, err, b)
	}
	text, err := exec.CommandContext(ctx, "pdftotext", args[len(args)-1], "-").Output()
	if err != nil || !strings.Contains(string(text), "Northgate Hospital") || !strings.Contains(string(text), "DL-0201") ||
		!strings.Contains(string(text), "客户影响报告") {
		t.Errorf("the demo's report PDF: %v\n%s", err, text)
	}
	jsonArgs := append(args[1:len(args)-4:len(args)-4], "--format", "json")
	b, err := exec.CommandContext(ctx, args[0], jsonArgs...).Output()
	var rep struct {
		Lines []struct {
			ID    string `json:"id"`
			Flaps int    `json:"flaps"`
		} `json:"lines"`
	}
	if err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("report --format json: %v\n%s", err, b)
	}
	for _, l := range rep.Lines {
		if l.ID == "DL-0201" && l.Flaps < 3 {
			t.Errorf("report: DL-0201 with %d flaps, want its 3", l.Flaps)
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
