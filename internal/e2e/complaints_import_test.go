package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/vantage-net/vantage/controller/complaints"
	"github.com/vantage-net/vantage/controller/store/sqlite"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// readmeBlock returns the README's yaml block that starts with prefix.
func readmeBlock(t *testing.T, prefix string) string {
	t.Helper()
	for _, m := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(readme(t), -1) {
		if strings.HasPrefix(m[1], prefix) {
			return m[1]
		}
	}
	t.Fatalf("README has no yaml block starting with %q", prefix)
	return ""
}

// TestComplaintsImportThroughBinary runs `vantage-controller complaints
// import` as the README shows it: the README's mapping file exactly as
// printed and its complaints config block, a GBK export with Chinese
// headers and categories (the call centre's, not re-encoded), the demo
// inventory. The bad row is listed with file, line, column and reason,
// the good rows are linked (by phone, by circuit, by coordinates to the
// hotspot) and the third weak-signal call from the station's cell is a
// repeat; a second import changes nothing.
func TestComplaintsImportThroughBinary(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t, "vantage-controller")
	dir := t.TempDir()
	root, _ := testinflux.ModuleRoot()
	db := filepath.Join(dir, "vantage.db")
	cfg := filepath.Join(dir, "controller.yaml")
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("controller.yaml", "influx: {url: http://127.0.0.1:8086, bucket: vantage}\ndata_dir: "+dir+"\ndatabase: {path: "+db+"}\n"+
		readmeBlock(t, "complaints:"))
	mapping := write("mapping.yaml", readmeBlock(t, "# mapping.yaml"))
	run := func(args ...string) (string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return string(out), ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	if out, code := run("inventory", "import", "--config", cfg, filepath.Join(root, "controller/inventory/testdata/demo.yaml")); code != 0 {
		t.Fatalf("inventory import: %d %s", code, out)
	}
	text := "工单编号,受理时间,结单时间,客户编号,联系电话,电路编号,客户名称,地址,经度,纬度,投诉类别,投诉内容\n" +
		"E-1,2026-11-20 08:00:00,,,+86 138-0000-0101,,海港物流,,,,断网,\"早上断网, 下午又断\"\n" +
		"E-2,2026/11/20 09:30,2026/11/20 18:00,,,DL-0103,,,,,网速慢,\n" +
		"E-3,2026年11月21日 19:00,,,,,,东站小区,121.4557,31.2497,信号差,\n" +
		"E-4,2026-02-30 08:00,,,,,,东站小区,121.4557,31.2497,信号差,\n" +
		"E-5,2026-11-25 20:15,,,,,,东站小区,121.4556,31.2498,信号弱,\n" +
		"E-6,2026年11月28日 21:40,,,,,,东站小区,121.4557,31.2497,信号差,\"又没信号\n第三次了\"\n" +
		"E-7,2026-11-29 08:00,,,,,,,121.4557,95.5,信号差,\n" +
		"E-8,2026-11-29 09:00,,,,,张三,某小区,,,网速慢,\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "export.csv"), gbk, 0o600); err != nil {
		t.Fatal(err)
	}
	export := "export.csv" // as the README runs it, in the export's directory
	// The README's command, and its output block exactly.
	out, code := run("complaints", "import", "--config", cfg, "--map", mapping, export)
	if !strings.Contains(readme(t), "```\n"+out+"```") || code != 1 {
		t.Fatalf("import: exit %d, want 1, and the README's output block, got:\n%s", code, out)
	}
	out, code = run("complaints", "import", "--config", cfg, "--map", mapping, "--encoding", "gbk", export)
	if code != 1 || !strings.HasSuffix(out, export+": gbk, 8 rows: 0 created, 0 updated, 5 unchanged, 3 bad\n") {
		t.Fatalf("re-import: exit %d\n%s", code, out)
	}

	sdb, err := sqlite.Open(context.Background(), db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	s, err := complaints.New(complaints.Options{DB: sdb}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		id, customer, by, site string
		repeat                 bool
	}{
		{"E-1", "C100", "phone", "S100-HQ", false},
		{"E-2", "C200", "circuit_id", "S200-HQ", false},
		{"E-3", "", "coordinates", "H-STATION", false},
		{"E-5", "", "coordinates", "H-STATION", false},
		{"E-6", "", "coordinates", "H-STATION", true},
	} {
		c, err := s.Get(context.Background(), w.id)
		if err != nil {
			t.Fatal(err)
		}
		if c.LinkedCustomer != w.customer || c.LinkedBy != w.by || c.Site != w.site || c.Repeat != w.repeat {
			t.Errorf("%s: customer %q by %q site %q repeat %v, want %q %q %q %v", w.id, c.LinkedCustomer, c.LinkedBy,
				c.Site, c.Repeat, w.customer, w.by, w.site, w.repeat)
		}
		// No agent has reported: nothing watches these lines yet.
		if c.Verdict != complaints.NotMonitored {
			t.Errorf("%s: verdict %s", w.id, c.Verdict)
		}
	}
	if c, _ := s.Get(context.Background(), "E-1"); c.ReceivedAt.Format("2006-01-02T15:04Z07:00") != "2026-11-20T00:00Z" ||
		c.Text != "早上断网, 下午又断" {
		t.Errorf("E-1: received %v (08:00 Asia/Shanghai is 00:00 UTC), text %q", c.ReceivedAt, c.Text)
	}
	// The import queued one `complaint` point per complaint for the
	// controller's shipper, and the re-import none.
	var queued int
	if err := sdb.QueryRow(`SELECT count(*) FROM point_queue WHERE point LIKE 'complaint,%'`).Scan(&queued); err != nil || queued != 5 {
		t.Errorf("complaint points queued by the import: %d (%v), want 5", queued, err)
	}
}
