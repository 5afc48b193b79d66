package config

import "net"

// Enroll serves the enrolment endpoint agents call with `vantage-agent
// enroll` (controller/enroll), over HTTPS only: its answer holds the
// agent's password. Omitted: no enrolment, `agent add` only.
//
//	enroll:
//	  listen: 0.0.0.0:9443
//	  cert_file: /etc/vantage/enroll.pem
//	  key_file: /etc/vantage/enroll-key.pem
type Enroll struct {
	// Listen is the host:port agents reach.
	Listen string `yaml:"listen"`
	// CertFile and KeyFile are the listener's certificate and key (PEM);
	// agents verify it with their --ca-file (the NATS CA works when the
	// same CA signs both).
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

func (c *Config) validateEnroll(bad func(field, format string, args ...any)) {
	e := c.Enroll
	if e == nil {
		return
	}
	if _, _, err := net.SplitHostPort(e.Listen); err != nil {
		bad("enroll.listen", "%q is not host:port", e.Listen)
	}
	if e.CertFile == "" || e.KeyFile == "" {
		bad("enroll", "cert_file and key_file are both required (enrolment is HTTPS only)")
	}
	if !*c.NATS.AgentAuth {
		bad("enroll", "needs nats.agent_auth: true (enrolment issues the embedded server's credentials)")
	}
}
