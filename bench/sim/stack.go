package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vantage-net/vantage/internal/testinflux"
)

// stack is InfluxDB (scripts/influxdb.sh) and the controller binary.
type stack struct {
	root, dir, bin string
	influxDir      string
	ctrl           *exec.Cmd
	api, natsURL   string
	token, db      string
}

func (s *stack) stop() {
	if s.ctrl != nil {
		_ = s.ctrl.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = s.ctrl.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = s.ctrl.Process.Kill()
			<-done
		}
	}
	if s.influxDir != "" {
		cmd := exec.Command("bash", filepath.Join(s.root, "scripts", "influxdb.sh"), "stop", s.influxDir)
		_ = cmd.Run()
	}
}

// controllerMemoryLimit is the controller's GOMEMLIMIT in the benchmark.
const controllerMemoryLimit = "800MiB"

// startStack builds the controller, starts InfluxDB, imports inv and
// starts the controller with agent auth on.
// profile holds the controller's profiling flags (--cpuprofile,
// --heapprofile), if any; beforeStart, when set, runs on the
// database after the import, before the controller opens it.
func startStack(ctx context.Context, dir, inv string, horizon time.Duration, profile []string, beforeStart func(db string) error) (*stack, error) {
	root, err := testinflux.ModuleRoot()
	if err != nil {
		return nil, err
	}
	s := &stack{root: root, dir: dir, bin: filepath.Join(dir, "bin"), db: filepath.Join(dir, "data", "vantage.db")}
	build := exec.CommandContext(ctx, "go", "build", "-o", s.bin+"/", "./cmd/vantage-controller")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	s.influxDir = filepath.Join(dir, "influxdb")
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "scripts", "influxdb.sh"), "start", s.influxDir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("scripts/influxdb.sh start: %w", err)
	}
	env := map[string]string{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	if env["INFLUX_URL"] == "" {
		return s, fmt.Errorf("scripts/influxdb.sh printed no INFLUX_URL:\n%s", out.String())
	}
	ctl := filepath.Join(s.bin, "vantage-controller")
	if b, err := exec.CommandContext(ctx, ctl, "inventory", "import", "--db", s.db, inv).CombinedOutput(); err != nil {
		return s, fmt.Errorf("inventory import: %v\n%s", err, b)
	}
	if beforeStart != nil {
		if err := beforeStart(s.db); err != nil {
			return s, err
		}
	}
	b, err := exec.CommandContext(ctx, ctl, "token", "--db", s.db, "create", "--name", "bench", "--role", "admin").Output()
	if err != nil {
		return s, fmt.Errorf("token create: %v", err)
	}
	ls := strings.Split(strings.TrimSpace(string(b)), "\n")
	s.token = strings.TrimSpace(ls[len(ls)-1])
	natsPort, httpPort, err := freePorts()
	if err != nil {
		return s, err
	}
	s.api = fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	s.natsURL = fmt.Sprintf("nats://127.0.0.1:%d", natsPort)
	cfg := filepath.Join(dir, "controller.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`http_listen: 127.0.0.1:%d
data_dir: %s
nats: {listen: "127.0.0.1:%d", agent_auth: true}
influx: {url: %s, bucket: vantage/autogen}
detector: {horizon: %s}
`, httpPort, filepath.Dir(s.db), natsPort, env["INFLUX_URL"], horizon)), 0o600); err != nil {
		return s, err
	}
	logf, err := os.Create(filepath.Join(dir, "controller.log"))
	if err != nil {
		return s, err
	}
	args := append([]string{"--config", cfg}, profile...)
	s.ctrl = exec.Command(ctl, args...)
	s.ctrl.Stdout, s.ctrl.Stderr = logf, logf
	// A soft memory limit, as README's "Running at provincial scale"
	// advises at 50,000 lines: the Go runtime collects sooner as the heap
	// nears it instead of letting it grow to twice the live heap (GOGC
	// 100), which is what took the RSS past 1 GB. The caller's own
	// GOMEMLIMIT wins.
	s.ctrl.Env = os.Environ()
	if os.Getenv("GOMEMLIMIT") == "" {
		s.ctrl.Env = append(s.ctrl.Env, "GOMEMLIMIT="+controllerMemoryLimit)
	}
	if err := s.ctrl.Start(); err != nil {
		return s, err
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.api + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			return s, fmt.Errorf("controller not healthy after 60 s (log: %s)", logf.Name())
		}
		time.Sleep(200 * time.Millisecond) // polling to a deadline
	}
}

// influxPID is influxd's pid from scripts/influxdb.sh's pid file (0: unknown).
func (s *stack) influxPID() int {
	b, err := os.ReadFile(filepath.Join(s.influxDir, "influxd.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}
