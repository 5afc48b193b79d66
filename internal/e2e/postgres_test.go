package e2e

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/store/postgres"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/internal/testpg"
)

// TestControllerOnPostgres runs the shipped vantage-controller on a real
// PostgreSQL server set up as the README's "Production: PostgreSQL for
// several controllers" shows: its SQL makes the role and database, its
// YAML block (the URL pointed at the test server, without TLS) is the
// controller's database. The admin commands import the inventory and
// create a token into PostgreSQL, the controller migrates and serves the
// API from it, and its log never shows the password.
func TestControllerOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL, InfluxDB and the controller binary")
	}
	t.Parallel()
	cluster := testpg.StartOrSkip(t)
	bin := buildBinary(t, "vantage-controller")
	influx := testinflux.Start(t)
	ctx := lab.Deadline(t, 3*time.Minute)

	password := "pw-" + fmt.Sprint(time.Now().UnixNano())
	admin, err := sql.Open("pgx", cluster.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for _, stmt := range readmeSQL(t, "-- once, on the PostgreSQL server") {
		if _, err := admin.ExecContext(ctx, strings.ReplaceAll(stmt, "'PASSWORD'", "'"+password+"'")); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	url := fmt.Sprintf("postgres://vantage:%s@127.0.0.1:%d/vantage?sslmode=disable", password, cluster.Port())
	block := readmeBlock(t, "# controller.yaml on each controller")
	block = regexp.MustCompile(`postgres://\S+`).ReplaceAllString(block, url)
	if !strings.Contains(block, url) {
		t.Fatalf("the README block has no postgres:// URL:\n%s", block)
	}

	dir := t.TempDir()
	natsPort, httpPort := lab.FreePort(t), lab.FreePort(t)
	cfg := filepath.Join(dir, "controller.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`http_listen: 127.0.0.1:%d
data_dir: %s
nats: {listen: "127.0.0.1:%d", agent_auth: false}
influx: {url: %s, bucket: %s}
`, httpPort, dir, natsPort, influx.URL, influx.Bucket)+block), 0o600); err != nil {
		t.Fatal(err)
	}
	root, _ := testinflux.ModuleRoot()
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("vantage-controller %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		if strings.Contains(string(out), password) {
			t.Fatalf("vantage-controller %s printed the database password:\n%s", args[0], out)
		}
		return string(out)
	}
	run("inventory", "import", "--config", cfg, filepath.Join(root, "controller/inventory/testdata/demo.yaml"))
	out := strings.Split(strings.TrimSpace(run("token", "--config", cfg, "create", "--name", "noc", "--role", "admin")), "\n")
	token := strings.TrimSpace(out[len(out)-1])

	ctrl := startDurableController(t, bin, cfg) // logs to controller.log beside cfg
	logFile := filepath.Join(dir, "controller.log")
	api := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	var lines struct {
		Lines []struct {
			ID string `json:"id"`
		} `json:"lines"`
	}
	lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
		if ctrl.ProcessState != nil {
			return fmt.Errorf("controller exited")
		}
		return getAPIToken(ctx, api, "/api/v1/lines", token, &lines)
	})
	if len(lines.Lines) != 7 {
		t.Fatalf("GET /api/v1/lines: %d lines, want the demo inventory's 7", len(lines.Lines))
	}
	var incidents map[string]any
	if err := getAPIToken(ctx, api, "/api/v1/incidents", token, &incidents); err != nil {
		t.Fatal(err)
	}
	if err := getAPIToken(ctx, api, "/api/v1/lines", "wrong-token", &lines); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("a wrong token: %v, want 401", err)
	}

	// The state is in PostgreSQL, as the vantage role sees it.
	db, err := postgres.Open(ctx, url, postgres.Options{NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, steps int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM lines), (SELECT count(*) FROM schema_migrations)`).Scan(&n, &steps); err != nil {
		t.Fatal(err)
	}
	ms, _ := postgres.Migrations()
	if n != 7 || steps != len(ms) {
		t.Fatalf("PostgreSQL holds %d lines and %d schema steps, want 7 and %d", n, steps, len(ms))
	}
	if _, err := os.Stat(filepath.Join(dir, "vantage.db")); err == nil {
		t.Fatal("the controller also made a SQLite file")
	}
	logText, _ := os.ReadFile(logFile)
	if strings.Contains(string(logText), password) {
		t.Fatalf("controller.log shows the database password:\n%s", logText)
	}
	if !strings.Contains(string(logText), "postgres://127.0.0.1:") {
		t.Fatalf("controller.log does not name the database (redacted):\n%s", tailString(string(logText), 3000))
	}
}

// readmeSQL returns the statements of the README's sql block starting with
// prefix.
func readmeSQL(t *testing.T, prefix string) []string {
	t.Helper()
	for _, m := range regexp.MustCompile("(?s)```sql\n(.*?)```").FindAllStringSubmatch(readme(t), -1) {
		if strings.HasPrefix(m[1], prefix) {
			var out []string
			for _, s := range strings.Split(m[1], ";") {
				var keep []string
				for _, l := range strings.Split(s, "\n") {
					if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "--") {
						keep = append(keep, l)
					}
				}
				if len(keep) > 0 {
					out = append(out, strings.Join(keep, " "))
				}
			}
			return out
		}
	}
	t.Fatalf("README has no sql block starting with %q", prefix)
	return nil
}
