// Package testinflux starts a real InfluxDB 1.8.10 server for a test: the
// binary that scripts/influxdb.sh builds into .tools/ (or $VANTAGE_INFLUXD),
// on free loopback ports, with its data in the test's temporary directory.
//
// Without the binary the test skips, naming the command that builds it, or
// fails under VANTAGE_REQUIRE_LAB=1 (lab.Missing). The server is killed and
// waited for when the test ends.
package testinflux

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"

	"github.com/vantage-net/vantage/internal/lab"
)

// BinaryRel is where scripts/influxdb.sh installs influxd, relative to the
// module root.
const BinaryRel = ".tools/influxdb-1.8.10/bin/influxd"

// Server is a running InfluxDB 1.8 server owned by one test.
type Server struct {
	// URL is the HTTP API's base URL, http://127.0.0.1:PORT.
	URL string
	// Database is the database created at start, "vantage".
	Database string
	// Bucket is the v2-compatibility bucket name of Database's default
	// retention policy, "vantage/autogen".
	Bucket string
	// Token is what a v2 client sends: "user:password" with authentication
	// on; empty here, because the test server runs without it.
	Token string
	// Dir holds the config, data, WAL and log (influxd.log).
	Dir string

	t      testing.TB
	bin    string
	conf   string
	cmd    *exec.Cmd
	exited chan struct{}
	client influxdb2.Client
}

// Binary returns the influxd to use, or "" with the reason it is missing.
func Binary() (string, string) {
	if p := os.Getenv("VANTAGE_INFLUXD"); p != "" {
		if isExecutable(p) {
			return p, ""
		}
		return "", fmt.Sprintf("VANTAGE_INFLUXD=%s is not an executable file", p)
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", err.Error()
	}
	p := filepath.Join(root, BinaryRel)
	if !isExecutable(p) {
		return "", fmt.Sprintf("InfluxDB 1.8.10 not built at %s (run scripts/influxdb.sh install)", p)
	}
	return p, ""
}

// ModuleRoot finds the directory holding go.mod, upwards from the working
// directory (a test runs in its package's directory).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// Start starts a server for t, creates the database and returns once it
// answers. It is stopped when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, why := Binary()
	if bin == "" {
		lab.Missing(t, "%s", why)
	}
	dir := t.TempDir()
	s := &Server{
		Database: "vantage",
		Bucket:   "vantage/autogen",
		Dir:      dir,
		t:        t,
		bin:      bin,
		conf:     filepath.Join(dir, "influxdb.conf"),
	}
	t.Cleanup(s.stop)
	// A free port is free when chosen, not when influxd binds it: another
	// test's server or client may take it in between (CI saw "bind:
	// address already in use"). Only the first start may move to new
	// ports; a restart keeps the URL its clients were given.
	for attempt := 1; ; attempt++ {
		s.URL = fmt.Sprintf("http://127.0.0.1:%d", lab.FreePort(t))
		u, _ := url.Parse(s.URL)
		if err := os.WriteFile(s.conf, []byte(Config(dir, u.Host, fmt.Sprintf("127.0.0.1:%d", lab.FreePort(t)))), 0o644); err != nil {
			t.Fatal(err)
		}
		_ = os.Remove(filepath.Join(dir, "influxd.log"))
		err := s.launch()
		if err == nil {
			break
		}
		if attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			t.Fatal(err)
		}
		t.Logf("influxd start-up, attempt %d: a port was taken after it was chosen; new ports", attempt)
	}
	s.createDatabase()
	s.client = influxdb2.NewClientWithOptions(s.URL, s.Token, influxdb2.DefaultOptions().SetApplicationName("vantage-test"))
	t.Cleanup(s.client.Close)
	return s
}

// Config renders an influxd configuration with everything under dir, HTTP
// on httpAddr and the RPC (backup) port on rpcAddr. scripts/influxdb.sh
// writes the same settings.
func Config(dir, httpAddr, rpcAddr string) string {
	// reporting-disabled: never phone home. Monitor store, query log and the
	// HTTP access log are off: they cost throughput and nobody reads them.
	return fmt.Sprintf(`reporting-disabled = true
bind-address = %q

[meta]
  dir = %q

[data]
  dir = %q
  wal-dir = %q
  query-log-enabled = false

[monitor]
  store-enabled = false

[http]
  bind-address = %q
  flux-enabled = true
  log-enabled = false

[logging]
  level = "warn"
`, rpcAddr, filepath.Join(dir, "meta"), filepath.Join(dir, "data"), filepath.Join(dir, "wal"), httpAddr)
}

// start starts influxd again on its ports (a restart after Kill or Stop)
// and returns once it answers.
func (s *Server) start() {
	s.t.Helper()
	if err := s.launch(); err != nil {
		s.t.Fatal(err)
	}
	s.createDatabase()
}

// launch runs influxd with s.conf and waits until it answers /ping; an
// influxd that exits first is an error carrying its log's tail.
func (s *Server) launch() error {
	s.t.Helper()
	logf, err := os.OpenFile(filepath.Join(s.Dir, "influxd.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(s.bin, "run", "-config", s.conf)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Pdeathsig: a test binary that dies (timeout panic) takes its server
	// with it instead of leaving it running.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start influxd: %v", err)
	}
	s.cmd = cmd
	s.exited = make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()

	ctx := lab.Deadline(s.t, 60*time.Second)
	var exited error
	lab.WaitFor(s.t, ctx, 50*time.Millisecond, func() error {
		select {
		case <-s.exited:
			exited = fmt.Errorf("influxd exited during start-up:\n%s", s.LogTail())
			return nil
		default:
		}
		return s.ping()
	})
	return exited
}

// createDatabase creates the test's database (a no-op if it exists).
func (s *Server) createDatabase() {
	s.t.Helper()
	if err := s.Exec("CREATE DATABASE " + s.Database); err != nil {
		s.t.Fatal(err)
	}
}

func (s *Server) ping() error {
	resp, err := http.Get(s.URL + "/ping")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("/ping: %s", resp.Status)
	}
	return nil
}

// Exec runs one InfluxQL statement through /query, for statements Flux has
// no word for (CREATE DATABASE, DROP MEASUREMENT).
func (s *Server) Exec(influxQL string) error {
	resp, err := http.PostForm(s.URL+"/query", url.Values{"q": {influxQL}})
	if err != nil {
		return fmt.Errorf("%s: %w", influxQL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	// /query answers 200 with {"results":[{"error":...}]} for a bad statement.
	if resp.StatusCode != http.StatusOK || strings.Contains(string(body), `"error"`) {
		return fmt.Errorf("%s: %s: %s", influxQL, resp.Status, body)
	}
	return nil
}

// Kill stops the server with SIGKILL, like a crash or a pulled plug, and
// waits for it to be gone. Restart brings it back with the same data.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Pause stops the server with SIGSTOP: it keeps its port and accepts
// connections but answers nothing, as a server stalled on its disk or
// swapping does. Resume continues it; a test that pauses must resume
// before it ends (Kill, at cleanup, also works on a paused server).
func (s *Server) Pause() {
	if s.cmd != nil {
		_ = s.cmd.Process.Signal(syscall.SIGSTOP)
	}
}

// Resume continues a paused server.
func (s *Server) Resume() {
	if s.cmd != nil {
		_ = s.cmd.Process.Signal(syscall.SIGCONT)
	}
}

// Restart starts a killed server again on the same port and data directory.
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	s.start()
}

func (s *Server) stop() { s.Kill() }

// LogTail returns the end of the server's log, for failure messages.
func (s *Server) LogTail() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "influxd.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// Query runs a Flux query and returns every record's values, column name to
// value (_measurement, _field, _value, _time and the tags).
func (s *Server) Query(ctx context.Context, flux string) ([]map[string]any, error) {
	res, err := s.client.QueryAPI("").Query(ctx, flux)
	if err != nil {
		return nil, fmt.Errorf("flux query: %w\n%s", err, flux)
	}
	defer res.Close()
	var rows []map[string]any
	for res.Next() {
		rows = append(rows, res.Record().Values())
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("flux query: %w\n%s", err, flux)
	}
	return rows, nil
}

// Count returns how many points of measurement the database holds: one per
// tag set and timestamp, whatever fields they carry.
func (s *Server) Count(ctx context.Context, measurement string) (int64, error) {
	rows, err := s.Query(ctx, fmt.Sprintf(`from(bucket: %q)
  |> range(start: 1970-01-01T00:00:00Z, stop: 2200-01-01T00:00:00Z)
  |> filter(fn: (r) => r._measurement == %q)
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> group()
  |> count(column: "_measurement")`, s.Bucket, measurement))
	if err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, nil
	}
	n, ok := rows[0]["_measurement"].(int64)
	if !ok {
		return 0, fmt.Errorf("count of %s: unexpected row %v", measurement, rows[0])
	}
	return n, nil
}

// WaitCount polls, every 100 ms until ctx ends, until measurement holds
// exactly want points (writes reach InfluxDB after the ack that a test
// usually waits for: a writer's batch, the write-behind queue's drain).
func (s *Server) WaitCount(t testing.TB, ctx context.Context, measurement string, want int64) {
	t.Helper()
	lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
		n, err := s.Count(ctx, measurement)
		if err != nil {
			return err
		}
		if n != want {
			return fmt.Errorf("%s holds %d points, want %d", measurement, n, want)
		}
		return nil
	})
}

// Points returns the points of measurement as rows, one per tag set and
// timestamp, with each field as a column holding its typed value (int64,
// float64, bool, string) — what a dashboard would read. Rows come in time
// order; a field a point lacks is absent from its row.
func (s *Server) Points(ctx context.Context, measurement string) ([]map[string]any, error) {
	// No group() here: influxdb-client-go v2.14 misreads null booleans in a
	// table merged from series with different fields, so each series stays
	// its own table and the rows are sorted here.
	rows, err := s.Query(ctx, fmt.Sprintf(`from(bucket: %q)
  |> range(start: 1970-01-01T00:00:00Z, stop: 2200-01-01T00:00:00Z)
  |> filter(fn: (r) => r._measurement == %q)
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")`, s.Bucket, measurement))
	for _, r := range rows {
		for _, k := range []string{"result", "table", "_start", "_stop"} {
			delete(r, k)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, _ := rows[i]["_time"].(time.Time)
		b, _ := rows[j]["_time"].(time.Time)
		return a.Before(b)
	})
	return rows, err
}
