package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/lab"
)

// The shipped vantage-controller binary as a process of the test's (the
// in-process controller is runController): its config file, its start
// and restart, and its HTTP API read from outside.

// writeControllerConfig writes cfg as controller.yaml in a directory of
// the test's and returns its path. If the test fails, the tail of the
// controller.log that startDurableController writes beside it is logged.
func writeControllerConfig(t *testing.T, cfg string) string {
	t.Helper()
	cfgFile := filepath.Join(t.TempDir(), "controller.yaml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(filepath.Dir(cfgFile), "controller.log"))
			t.Logf("controller log:\n%s", tailString(string(b), 6000))
		}
	})
	return cfgFile
}

// startDurableController starts the controller binary, logging to
// controller.log beside its config (appended to across restarts).
func startDurableController(t *testing.T, bin, cfgFile string) *exec.Cmd {
	t.Helper()
	log, err := os.OpenFile(filepath.Join(filepath.Dir(cfgFile), "controller.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config", cfgFile)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); log.Close() })
	return cmd
}

// startHealthyController is startDurableController, returning once the
// controller's /healthz at api answers 200.
func startHealthyController(t *testing.T, ctx context.Context, bin, cfgFile, api string) *exec.Cmd {
	t.Helper()
	cmd := startDurableController(t, bin, cfgFile)
	lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
		if code, body := getHealthz(ctx, api); code != http.StatusOK {
			return fmt.Errorf("healthz %d %q", code, body)
		}
		return nil
	})
	return cmd
}

// getHealthz returns /healthz's status and body ("" on a transport error).
func getHealthz(ctx context.Context, api string) (int, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api+"/healthz", nil)
	if err != nil {
		return 0, ""
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// getAPI decodes the JSON of a GET of path from the API at api (with
// api_auth off).
func getAPI(ctx context.Context, api, path string, v any) error {
	return getAPIToken(ctx, api, path, "", v)
}

// getAPIToken is getAPI with a bearer token ("": none).
func getAPIToken(ctx context.Context, api, path, token string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api+path, nil)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", path, resp.Status, body)
	}
	return json.Unmarshal(body, v)
}
