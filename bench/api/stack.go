package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// controller is the shipped vantage-controller running on the seeded
// database. InfluxDB is not started: the API reads the database only, and
// the controller's writer keeps retrying a closed port in the background.
type controller struct {
	cmd   *exec.Cmd
	api   string
	admin string
	am    string
}

// buildController builds the controller binary into dir.
func buildController(ctx context.Context, root, dir string) (string, error) {
	build := exec.CommandContext(ctx, "go", "build", "-o", dir+"/", "./cmd/vantage-controller")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return filepath.Join(dir, "vantage-controller"), nil
}

// admin runs one of the controller's admin commands on the database:
// cmd (e.g. "inventory import"), --db db, then args.
func admin(ctx context.Context, bin, db, cmd string, args ...string) (string, error) {
	a := append(append(strings.Fields(cmd), "--db", db), args...)
	out, err := exec.CommandContext(ctx, bin, a...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("vantage-controller %s: %v\n%s", strings.Join(a, " "), err, out)
	}
	return string(out), nil
}

// token creates a token and returns it (the last line the command prints).
func token(ctx context.Context, bin, db string, args ...string) (string, error) {
	out, err := admin(ctx, bin, db, "token", append([]string{"create"}, args...)...)
	if err != nil {
		return "", err
	}
	ls := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(ls[len(ls)-1]), nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startController writes controller.yaml into dir (dataDir for SQLite, or
// url for PostgreSQL) and starts bin, waiting until the API answers.
func startController(ctx context.Context, bin, dir, dataDir, url string) (*controller, error) {
	var ports [3]int
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	db := "data_dir: " + dataDir
	if url != "" {
		db = fmt.Sprintf("data_dir: %s\ndatabase: {url: %q}", dataDir, url)
	}
	cfg := filepath.Join(dir, "controller.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`http_listen: 127.0.0.1:%d
%s
nats: {listen: "127.0.0.1:%d"}
influx: {url: "http://127.0.0.1:%d", bucket: vantage/autogen}
`, ports[0], db, ports[1], ports[2])), 0o600); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "controller.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	c := &controller{api: fmt.Sprintf("http://127.0.0.1:%d", ports[0])}
	c.cmd = exec.Command(bin, "--config", cfg)
	c.cmd.Stdout, c.cmd.Stderr = logf, logf
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(120 * time.Second)
	for {
		resp, err := http.Get(c.api + "/healthz")
		if err == nil {
			resp.Body.Close()
			return c, nil // any answer: the HTTP server is up (unhealthy without InfluxDB)
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			c.stop()
			return nil, fmt.Errorf("controller's API not answering after 120 s (log: %s)", logf.Name())
		}
		time.Sleep(200 * time.Millisecond) // polling to a deadline
	}
}

func (c *controller) stop() {
	if c == nil || c.cmd == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}
