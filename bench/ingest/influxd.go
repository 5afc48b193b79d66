package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// influxServer is an InfluxDB started by scripts/influxdb.sh, the same way
// a developer starts one by hand.
type influxServer struct {
	root, dir string
	env       map[string]string
}

// startInflux runs `scripts/influxdb.sh start dir` and reads the INFLUX_*
// lines it prints.
func startInflux(root, dir string) (*influxServer, error) {
	cmd := exec.Command("bash", filepath.Join(root, "scripts", "influxdb.sh"), "start", dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("scripts/influxdb.sh start: %w", err)
	}
	s := &influxServer{root: root, dir: dir, env: map[string]string{}}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			s.env[k] = v
		}
	}
	if s.env["INFLUX_URL"] == "" {
		return nil, fmt.Errorf("scripts/influxdb.sh start printed no INFLUX_URL:\n%s", out.String())
	}
	return s, nil
}

func (s *influxServer) url() string { return s.env["INFLUX_URL"] }

// pid is influxd's process id, for reading its CPU time.
func (s *influxServer) pid() int {
	n, _ := strconv.Atoi(s.env["INFLUX_PID"])
	return n
}

func (s *influxServer) stop() {
	cmd := exec.Command("bash", filepath.Join(s.root, "scripts", "influxdb.sh"), "stop", s.dir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	_ = cmd.Run()
}

// influxQL runs one InfluxQL statement and returns the JSON answer.
func (s *influxServer) influxQL(db, q string) (string, error) {
	v := url.Values{"q": {q}}
	if db != "" {
		v.Set("db", db)
	}
	resp, err := http.PostForm(s.url()+"/query", v)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || bytes.Contains(body, []byte(`"error"`)) {
		return "", fmt.Errorf("%s: %s %s", q, resp.Status, body)
	}
	return string(body), nil
}
