package agentauth

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// AgentFileOptions shape the agent config that `agent add` writes.
type AgentFileOptions struct {
	// URLs are the controller's NATS addresses as the agent reaches them.
	URLs []string
	// CAFile, if set, is written as nats.tls.ca_file: the agent then
	// verifies the server's certificate with it.
	CAFile string
	// Path of the config file to create (mode 0600: it holds the password).
	Path string
}

// agentConfig is the part of agent/config.Config that `agent add` fills
// in; the operator (or the controller's remote config) adds the rest.
type agentConfig struct {
	AgentID string    `yaml:"agent_id"`
	NATS    agentNATS `yaml:"nats"`
}

type agentNATS struct {
	URLs     []string  `yaml:"urls"`
	User     string    `yaml:"user"`
	Password string    `yaml:"password"`
	TLS      *agentTLS `yaml:"tls,omitempty"`
}

type agentTLS struct {
	CAFile string `yaml:"ca_file"`
}

// createAgentFile creates the config file empty, exclusively and 0600,
// before anything is issued: an existing file is never overwritten, and a
// path that cannot be written issues nothing.
func createAgentFile(path string) (*os.File, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	return os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
}

func writeAgentFile(f *os.File, iss Issued, o AgentFileOptions) error {
	if len(o.URLs) == 0 {
		return errors.New("no NATS URL for the agent")
	}
	c := agentConfig{AgentID: iss.User, NATS: agentNATS{URLs: o.URLs, User: iss.User, Password: iss.Password}}
	if o.CAFile != "" {
		c.NATS.TLS = &agentTLS{CAFile: o.CAFile}
	}
	body, err := yaml.Marshal(c)
	if err != nil {
		return err
	}
	head := fmt.Sprintf("# vantage-agent config for %s, written by `vantage-controller agent add`.\n"+
		"# nats.password is this agent's secret: keep this file 0600 and out of version control.\n"+
		"# Add site and probes here, or let the controller's remote config supply the probes.\n", iss.User)
	if _, err := f.Write(append([]byte(head), body...)); err != nil {
		return err
	}
	// Sync before saying it is written: the password exists nowhere else.
	return errors.Join(f.Sync(), f.Close())
}

func discardAgentFile(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}
