// Package enroll is the box's side of enrolment: `vantage-agent enroll`
// trades a single-use token for the agent's NATS credential at the
// controller's HTTPS enrolment endpoint (controller/enroll) and writes a
// ready agent config, mode 0600, that takes its probes from the
// controller's remote config.
package enroll

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/internal/pemfile"
	"github.com/vantage-net/vantage/probes"
)

// Options say where to enrol and what to write.
type Options struct {
	// Controller is the enrolment endpoint's base URL, https:// only: the
	// answer holds the agent's password.
	Controller string
	// Token is the single-use token from `vantage-controller agent
	// enroll-token create`.
	Token string
	// CAFile verifies the controller's certificate (system roots when
	// empty) and, when the NATS URLs are tls://, is written as
	// nats.tls.ca_file, so the agent verifies the NATS server with it too.
	CAFile string
	// Out is the config file to create; it must not exist.
	Out string
	// StateDir holds the spool and the remote-config cache
	// (/var/lib/vantage-agent, the unit's StateDirectory).
	StateDir string
	// Timeout bounds the request (default 30 s).
	Timeout time.Duration
}

// answer is controller/enroll.Enrolment as JSON.
type answer struct {
	AgentID  string   `json:"agent_id"`
	NATSURLs []string `json:"nats_urls"`
	User     string   `json:"user"`
	Password string   `json:"password"`
}

// Run enrols and writes o.Out; it returns the agent id. The file is
// created (exclusively, 0600) before the token is spent, so a path that
// cannot be written costs no token.
func Run(ctx context.Context, o Options) (string, error) {
	u, err := url.Parse(o.Controller)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("--controller %q: want https://host:port (the answer carries the agent's password)", o.Controller)
	}
	if o.Token == "" {
		return "", errors.New("--token is required")
	}
	if o.StateDir == "" || !filepath.IsAbs(o.StateDir) {
		return "", fmt.Errorf("--state-dir %q must be an absolute path", o.StateDir)
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.CAFile != "" {
		pool, err := pemfile.CertPool(o.CAFile)
		if err != nil {
			return "", fmt.Errorf("--ca-file: %w", err)
		}
		tlsCfg.RootCAs = pool
		if o.CAFile, err = filepath.Abs(o.CAFile); err != nil {
			return "", err
		}
	}
	out, err := filepath.Abs(o.Out)
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("--out: %w (enrol writes a new config; move the old one away first)", err)
	}
	keep := false
	defer func() {
		if !keep {
			f.Close()
			os.Remove(out)
		}
	}()

	a, err := request(ctx, o, u, tlsCfg)
	if err != nil {
		return "", err
	}
	body, err := render(a, o)
	if err != nil {
		return "", err
	}
	// The agent must be able to start from it: check it as the agent will.
	if _, err := config.Parse(out, body, probes.TypeInfo{}); err != nil {
		return "", fmt.Errorf("the enrolled config does not validate: %w", err)
	}
	if _, err := f.Write(body); err != nil {
		return "", err
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return "", err
	}
	keep = true
	return a.AgentID, nil
}

func request(ctx context.Context, o Options, u *url.URL, tlsCfg *tls.Config) (answer, error) {
	timeout := o.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	reqBody, _ := json.Marshal(map[string]string{"token": o.Token})
	endpoint := strings.TrimSuffix(u.String(), "/") + "/enroll"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(reqBody))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg, Proxy: http.ProxyFromEnvironment},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("enrol at %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return answer{}, fmt.Errorf("enrol at %s: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		_ = json.Unmarshal(b, &e)
		return answer{}, fmt.Errorf("enrol at %s: %s: %s", endpoint, resp.Status, e.Error)
	}
	var a answer
	if err := json.Unmarshal(b, &a); err != nil || a.AgentID == "" || a.User == "" || a.Password == "" || len(a.NATSURLs) == 0 {
		return answer{}, fmt.Errorf("enrol at %s: the answer is not an enrolment (%v)", endpoint, err)
	}
	return a, nil
}

type agentFile struct {
	AgentID      string     `yaml:"agent_id"`
	NATS         natsFile   `yaml:"nats"`
	HTTPListen   string     `yaml:"http_listen"`
	Spool        spoolFile  `yaml:"spool"`
	RemoteConfig remoteFile `yaml:"remote_config"`
}

type natsFile struct {
	URLs     []string `yaml:"urls"`
	User     string   `yaml:"user"`
	Password string   `yaml:"password"`
	TLS      *tlsFile `yaml:"tls,omitempty"`
}

type tlsFile struct {
	CAFile string `yaml:"ca_file"`
}

type spoolFile struct {
	Dir string `yaml:"dir"`
}

type remoteFile struct {
	Enabled   bool   `yaml:"enabled"`
	CacheFile string `yaml:"cache_file"`
}

func render(a answer, o Options) ([]byte, error) {
	c := agentFile{
		AgentID:      a.AgentID,
		NATS:         natsFile{URLs: a.NATSURLs, User: a.User, Password: a.Password},
		HTTPListen:   "127.0.0.1:9101",
		Spool:        spoolFile{Dir: filepath.Join(o.StateDir, "spool")},
		RemoteConfig: remoteFile{Enabled: true, CacheFile: filepath.Join(o.StateDir, "remote-config.yaml")},
	}
	// The CA verifies NATS too, where NATS speaks TLS: with it set, the
	// client insists on TLS, which a nats:// server does not offer.
	if o.CAFile != "" && anyTLS(a.NATSURLs) {
		c.NATS.TLS = &tlsFile{CAFile: o.CAFile}
	}
	body, err := yaml.Marshal(c)
	if err != nil {
		return nil, err
	}
	head := fmt.Sprintf("# vantage-agent config for %s, written by `vantage-agent enroll` on %s.\n"+
		"# nats.password is this agent's secret: keep this file 0600. Probes come from\n"+
		"# the controller's remote config; add local ones under probes: if needed.\n", a.AgentID, time.Now().UTC().Format(time.RFC3339))
	return append([]byte(head), body...), nil
}

func anyTLS(urls []string) bool {
	for _, u := range urls {
		if strings.HasPrefix(u, "tls://") {
			return true
		}
	}
	return false
}
