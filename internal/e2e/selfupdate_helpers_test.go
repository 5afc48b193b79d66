package e2e

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller"
	ctrlconfig "github.com/vantage-net/vantage/controller/config"
	"github.com/vantage-net/vantage/internal/releasesig"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// Helpers of TestSelfUpdate: agent builds stamped with a version, an agent
// run under a minimal service manager, and the agents' own accounts.

// buildAgentVersion builds vantage-agent stamped with version (and tags).
func buildAgentVersion(t *testing.T, dir, version, tags string) string {
	t.Helper()
	root, err := testinflux.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "vantage-agent-"+version)
	cmd := exec.Command("go", "build", "-tags", tags, "-ldflags",
		"-X github.com/vantage-net/vantage/internal/buildinfo.Version="+version, "-o", bin, "./cmd/vantage-agent")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", version, err, out)
	}
	return bin
}

// serviceAgent is one agent under a stand-in for systemd's Restart=always:
// whenever the process exits (including a release that dies at once after
// the exec, which keeps the PID), the binary at exe is started again.
type serviceAgent struct {
	id, dir, exe, cfgFile, logFile string

	mu       sync.Mutex
	cmd      *exec.Cmd
	stopping bool
	done     chan struct{}
}

func startServiceAgent(t *testing.T, id, v1Bin, cfg string) *serviceAgent {
	t.Helper()
	dir := t.TempDir()
	s := &serviceAgent{id: id, dir: dir, exe: filepath.Join(dir, "vantage-agent"), cfgFile: filepath.Join(dir, "agent.yaml"),
		logFile: filepath.Join(dir, "agent.log"), done: make(chan struct{})}
	data, err := os.ReadFile(v1Bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.exe, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	log, err := os.Create(s.logFile)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(s.done)
		defer log.Close()
		for {
			s.mu.Lock()
			if s.stopping {
				s.mu.Unlock()
				return
			}
			cmd := exec.Command(s.exe, "--config", s.cfgFile)
			cmd.Stdout, cmd.Stderr = log, log
			err := cmd.Start()
			s.cmd = cmd
			s.mu.Unlock()
			if err != nil {
				fmt.Fprintf(log, "service: start: %v\n", err)
			} else {
				err = cmd.Wait()
				fmt.Fprintf(log, "service: %s exited: %v\n", s.id, err)
			}
			time.Sleep(200 * time.Millisecond) // RestartSec
		}
	}()
	t.Cleanup(func() {
		s.stop()
	})
	return s
}

// stop sends SIGTERM, as systemctl stop does, and waits for the process.
func (s *serviceAgent) stop() {
	s.mu.Lock()
	s.stopping = true
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
	}
	s.mu.Unlock()
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.mu.Lock()
		_ = s.cmd.Process.Kill()
		s.mu.Unlock()
		<-s.done
	}
}

func (s *serviceAgent) log() string {
	b, _ := os.ReadFile(s.logFile)
	return string(b)
}

func (s *serviceAgent) file(name string) []byte {
	b, err := os.ReadFile(filepath.Join(s.dir, name))
	if err != nil {
		return nil
	}
	return b
}

var runEnded = regexp.MustCompile(`msg="agent run ended" produced=(\d+) published=(\d+) dropped=(\d+) left=(\d+)`)

// account sums the "agent run ended" lines of every process the agent ran:
// results produced, published, dropped, and left in the spool by the last.
func (s *serviceAgent) account() (produced, published, dropped, lastLeft int, runs int) {
	for _, m := range runEnded.FindAllStringSubmatch(s.log(), -1) {
		n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
		produced += n(1)
		published += n(2)
		dropped += n(3)
		lastLeft = n(4)
		runs++
	}
	return
}

// startControllerText runs the in-process controller with a whole config
// (startControllerWith fixes http_listen; releases need its address).
func startControllerText(t *testing.T, cfgText string) *controller.Controller {
	t.Helper()
	cfg, err := ctrlconfig.Parse("controller.yaml", []byte(cfgText))
	if err != nil {
		t.Fatal(err)
	}
	c, err := controller.New(controller.Options{Config: cfg, Logger: testLogger(t).With("side", "controller"),
		Registry: prometheus.NewRegistry(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	apiTokens.Store(c, createToken(t, cfg.Database.Path, "--name", "e2e-admin", "--role", "admin"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("controller: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("controller did not stop within 30s")
		}
	})
	return c
}

// flipByte changes one byte in the middle of path, keeping its size.
func flipByte(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Clone(b)
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func parsePub(s string) (ed25519.PublicKey, error) { return releasesig.ParsePublicKey(s) }

// count is how many distinct results the tap saw from agent.
func (tap *agentKillTap) count(agent string) int {
	tap.mu.Lock()
	defer tap.mu.Unlock()
	n := 0
	for k := range tap.keys {
		if strings.Contains(k, ",agent="+agent+",") || strings.Contains(k, ",agent="+agent+" ") {
			n++
		}
	}
	return n
}
