// Package config loads and validates a vantage-agent configuration file.
//
// Loading is strict: unknown keys, bad durations, missing targets and
// malformed addresses are refused at start, all at once, each with
// file:line and the field path, so an operator fixes the file in one pass.
package config

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is a whole agent configuration.
type Config struct {
	// AgentID identifies this agent everywhere: NATS subjects, the "agent" tag,
	// the registry. Letters, digits, '-' and '_' only.
	AgentID string `yaml:"agent_id"`
	// Site is where the agent watches from.
	Site Site `yaml:"site"`
	// NATS is how the agent reaches the controller.
	NATS NATS `yaml:"nats"`
	// HTTPListen is the address of /metrics and /healthz (default 127.0.0.1:9101).
	HTTPListen string `yaml:"http_listen"`
	// HeartbeatInterval is how often the agent says it is alive (default 10s).
	// The controller calls an agent offline after a few missed heartbeats.
	HeartbeatInterval time.Duration `yaml:"heartbeat_interval"`
	// Publish tunes batching of results into NATS messages.
	Publish Publish `yaml:"publish"`
	// Spool keeps results on disk until JetStream acknowledged them
	// (spool.go); absent, they wait in memory and die with the process.
	Spool Spool `yaml:"spool"`
	// Probes are the measurements this agent runs. With remote_config
	// enabled they are the probes run until the controller's config (or the
	// cached one) replaces them.
	Probes []Probe `yaml:"probes"`
	// Networks are the agent's uplinks for comparing networks
	// (networks.go); probes list the ones they run over.
	Networks []Network `yaml:"networks"`
	// RemoteConfig lets the controller set the probes (remote.go).
	RemoteConfig RemoteConfig `yaml:"remote_config"`
	// Update pins the key releases must be signed with (update.go).
	Update Update `yaml:"update"`
	// Release is the version the controller wants running; set by a remote
	// config only (update.go), nil for none.
	Release *Release `yaml:"release"`
	// Traps configures the SNMP trap listener; absent (Kind 0) means no
	// listener. The block is probes/snmp/trap's Config (listen, queue,
	// community, v3, devices), validated at load with the rest of the file.
	// Not a *yaml.Node: yaml.v3 decodes a mapping into a pointer to Node as
	// if Node were a plain struct, leaving it empty.
	Traps yaml.Node `yaml:"traps"`
	// LogLevel is debug, info, warn or error (default info).
	LogLevel string `yaml:"log_level"`
	// MaxProcs is how many CPUs may run the agent's Go code at once
	// (GOMAXPROCS; default 1, 0 means every CPU). The agent waits on the
	// network almost all the time, and with more than one P the Go
	// scheduler spins idle CPUs on every wake-up: at 1,000 ping targets
	// that doubled the agent's CPU (docs/BENCHMARKS.md). Raise it for
	// CPU-bound work such as many parallel TLS handshakes or downloads.
	MaxProcs *int `yaml:"max_procs"`
	// ConfirmBudget is how many confirmation rounds a second (probes'
	// confirm blocks) the whole agent may send (default 100): a PoP agent
	// losing 5,000 targets at once confirms the highest-priority ones and
	// counts the refused rounds in vantage_agent_confirm_refused_total.
	// 0 refuses every confirmation round.
	ConfirmBudget *int `yaml:"confirm_budget"`

	file string
	root yaml.Node
}

// File is the path the config was loaded from, for messages.
func (c *Config) File() string { return c.file }

// Site describes the agent's place; its id becomes the "site" tag unless a
// probe or target sets its own.
type Site struct {
	// ID is the site id from the inventory.
	ID string `yaml:"id"`
	// Lat and Lon are WGS84 degrees; optional.
	Lat float64 `yaml:"lat"`
	Lon float64 `yaml:"lon"`
}

// NATS holds the connection settings. Credentials are secrets: they are never
// logged and never appear in /metrics or heartbeats.
type NATS struct {
	// URLs of the controller's NATS server or cluster, e.g. nats://ctrl:4222.
	URLs []string `yaml:"urls"`
	// User and Password authenticate the agent (issued by
	// `vantage-controller agent add`).
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	// CredsFile is a NATS .creds file (JWT + NKey seed), an alternative to
	// user/password.
	CredsFile string `yaml:"creds_file"`
	// TLS enables TLS to NATS.
	TLS *TLS `yaml:"tls"`
	// PublishTimeout bounds waiting for JetStream's acknowledgement of one
	// message (default 5s); an unacknowledged message is sent again.
	PublishTimeout time.Duration `yaml:"publish_timeout"`
}

// TLS configures TLS towards NATS.
type TLS struct {
	// CAFile verifies the server; empty means the system roots.
	CAFile string `yaml:"ca_file"`
	// CertFile and KeyFile are a client certificate, if the server asks.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// Publish tunes how results become messages.
type Publish struct {
	// BatchMax is the most results in one message (default 500). Batching is
	// what keeps NATS and the controller cheap at fleet scale.
	BatchMax int `yaml:"batch_max"`
	// BatchDelay is the longest a result waits for others to join its batch
	// (default 250ms): the added latency of batching.
	BatchDelay time.Duration `yaml:"batch_delay"`
	// QueueMax bounds results held in memory while NATS is unreachable
	// (default 200000). When full the oldest are dropped and counted in
	// vantage_agent_results_dropped_total. Not used with spool.dir: the
	// spool is bounded by spool.max_bytes instead.
	QueueMax int `yaml:"queue_max"`
}

// Probe is one configured measurement.
type Probe struct {
	// Name is unique within the agent; it appears in logs and metrics.
	Name string `yaml:"name"`
	// Type is a registered probe type: ping, dial, http, snmp.
	Type string `yaml:"type"`
	// Interval between rounds per target (e.g. 1s, 30s).
	Interval time.Duration `yaml:"interval"`
	// Timeout bounds one round; default 80% of Interval, never more than it.
	Timeout time.Duration `yaml:"timeout"`
	// Labels become InfluxDB tags: line, customer, site.
	Labels Labels `yaml:"labels"`
	// Targets are what the probe measures; each may carry its own labels.
	Targets []Target `yaml:"targets"`
	// Options are the probe type's own settings (see README per type).
	Options yaml.Node `yaml:"options"`
	// Confirm re-probes a failed target at a short interval (confirm.go);
	// nil: no confirmation.
	Confirm *Confirm `yaml:"confirm"`
	// Networks names uplinks (the top-level networks) to run this probe's
	// targets over, each tagged network=<name> and measured at the same
	// moments; empty runs it once over the host's routing (ping, dial, http).
	Networks []string `yaml:"networks"`

	line int
}

// Line is the file line where the probe entry starts.
func (p *Probe) Line() int { return p.line }

// UnmarshalYAML records where the probe starts, for validation messages.
func (p *Probe) UnmarshalYAML(n *yaml.Node) error {
	type plain Probe
	if err := n.Decode((*plain)(p)); err != nil {
		return err
	}
	p.line = n.Line
	return nil
}

// Labels are the tags that tie a result to the inventory.
type Labels struct {
	// Line is the circuit id of the dedicated line this target watches.
	Line string `yaml:"line"`
	// Customer is the customer id.
	Customer string `yaml:"customer"`
	// Site overrides the agent's site id.
	Site string `yaml:"site"`
}

// merge returns l with empty fields taken from base.
func (l Labels) merge(base Labels) Labels {
	if l.Line == "" {
		l.Line = base.Line
	}
	if l.Customer == "" {
		l.Customer = base.Customer
	}
	if l.Site == "" {
		l.Site = base.Site
	}
	return l
}

// Target is an address, URL or device, written either as a plain string or as
// a mapping with its own labels:
//
//	targets:
//	  - 198.18.0.1
//	  - address: 198.18.0.2
//	    labels: {line: L-0002, customer: C-7}
type Target struct {
	// Address is what the probe type expects: IP or host, host:port, URL.
	Address string `yaml:"address"`
	// Labels override the probe's labels for this target.
	Labels Labels `yaml:"labels"`
	// Priority is this target's claim on the agent's confirm_budget
	// (0–9, higher first); nil takes the probe's confirm.priority.
	Priority *int `yaml:"priority"`

	line int
}

// UnmarshalYAML accepts the string shorthand.
func (t *Target) UnmarshalYAML(n *yaml.Node) error {
	t.line = n.Line
	if n.Kind == yaml.ScalarNode {
		t.Address = n.Value
		return nil
	}
	type plain Target
	if err := n.Decode((*plain)(t)); err != nil {
		return err
	}
	t.line = n.Line
	return nil
}

// Job is one (probe, target) pair with its effective labels: the unit the
// scheduler runs.
type Job struct {
	Probe  *Probe
	Target string
	Labels Labels
	// Priority is the target's confirmation priority (Target.Priority,
	// else the probe's confirm.priority).
	Priority int
	// Network is the uplink this job runs over ("" for the host's routing).
	Network string
}

// Jobs expands probes into jobs with merged labels (target over probe over
// the agent's site).
func (c *Config) Jobs() []Job {
	var jobs []Job
	for i := range c.Probes {
		p := &c.Probes[i]
		base := p.Labels.merge(Labels{Site: c.Site.ID})
		prio := 0
		if p.Confirm != nil {
			prio = p.Confirm.Priority
		}
		for _, t := range p.Targets {
			j := Job{Probe: p, Target: t.Address, Labels: t.Labels.merge(base), Priority: prio}
			if t.Priority != nil {
				j.Priority = *t.Priority
			}
			if len(p.Networks) == 0 {
				jobs = append(jobs, j)
				continue
			}
			for _, n := range p.Networks {
				j.Network = n
				jobs = append(jobs, j)
			}
		}
	}
	return jobs
}

func (c *Config) at(line int) string { return fmt.Sprintf("%s:%d", c.file, line) }
