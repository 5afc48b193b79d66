package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/internal/redact"
	"github.com/vantage-net/vantage/internal/yamlstrict"
	"github.com/vantage-net/vantage/probes/result"
	"github.com/vantage-net/vantage/probes/snmp/trap"
)

// TypeInfo is what validation needs to know about a probe type; the agent
// passes the registry's answer so this package keeps no second list of types.
type TypeInfo interface {
	// Known reports whether the type exists and lists the known ones.
	Known(typ string) (ok bool, known []string)
	// ValidateTarget checks one target of the type.
	ValidateTarget(typ, target string) error
}

// Load reads, decodes and validates a config file.
func Load(path string, types TypeInfo) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, types)
}

// Parse decodes and validates config text; file names it in messages.
func Parse(file string, data []byte, types TypeInfo) (*Config, error) {
	var c Config
	if err := yamlstrict.Decode(file, data, &c); err != nil {
		return nil, err
	}
	c.file = file
	_ = yaml.Unmarshal(data, &c.root)
	c.setDefaults()
	errs := c.validate(types)
	if c.Release != nil {
		errs = append(errs, fmt.Sprintf("%s: release: is set by the controller's remote config only (update.public_key pins its signer here)", c.at(c.lineOf("release"))))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	c.root = yaml.Node{} // only validation's messages need it: 5 MB at 20,000 targets
	return &c, nil
}

func (c *Config) setDefaults() {
	if c.MaxProcs == nil {
		one := 1
		c.MaxProcs = &one
	}
	if c.HTTPListen == "" {
		c.HTTPListen = "127.0.0.1:9101"
	}
	if c.HeartbeatInterval == 0 {
		c.HeartbeatInterval = 10 * time.Second
	}
	if c.NATS.PublishTimeout == 0 {
		c.NATS.PublishTimeout = 5 * time.Second
	}
	if c.Publish.BatchMax == 0 {
		c.Publish.BatchMax = 500
	}
	if c.Publish.BatchDelay == 0 {
		c.Publish.BatchDelay = 250 * time.Millisecond
	}
	if c.Publish.QueueMax == 0 {
		c.Publish.QueueMax = 200000
	}
	if c.LogLevel == "" {
		c.LogLevel = "info"
	}
	c.Spool.setDefaults()
	c.Update.setDefaults()
	for i := range c.Probes {
		p := &c.Probes[i]
		if p.Timeout == 0 && p.Interval > 0 {
			p.Timeout = p.Interval * 8 / 10
		}
		if p.Confirm != nil {
			p.Confirm.setDefaults()
		}
	}
	if c.ConfirmBudget == nil {
		b := DefaultConfirmBudget
		c.ConfirmBudget = &b
	}
}

func (c *Config) validate(types TypeInfo) yamlstrict.Errors {
	var errs yamlstrict.Errors
	bad := func(line int, field, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s: %s: %s", c.at(line), field, fmt.Sprintf(format, args...)))
	}
	if !result.ValidAgentID(c.AgentID) {
		bad(c.lineOf("agent_id"), "agent_id", "%q must be non-empty letters, digits, '-' or '_'", c.AgentID)
	}
	if len(c.NATS.URLs) == 0 {
		bad(c.lineOf("nats", "urls"), "nats.urls", "at least one NATS URL is required")
	}
	for i, u := range c.NATS.URLs {
		pu, err := url.Parse(u)
		if err != nil || pu.Host == "" || (pu.Scheme != "nats" && pu.Scheme != "tls") {
			bad(c.lineOf("nats", "urls"), fmt.Sprintf("nats.urls[%d]", i), "%q is not a nats:// or tls:// URL", redact.URL(u))
		}
	}
	if c.NATS.CredsFile != "" && c.NATS.User != "" {
		bad(c.lineOf("nats"), "nats", "give either creds_file or user/password, not both")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad(c.lineOf("log_level"), "log_level", "%q is not one of debug, info, warn, error", c.LogLevel)
	}
	if c.MaxProcs != nil && (*c.MaxProcs < 0 || *c.MaxProcs > 256) {
		bad(c.lineOf("max_procs"), "max_procs", "%d is outside 0..256", *c.MaxProcs)
	}
	if c.HeartbeatInterval < time.Second {
		bad(c.lineOf("heartbeat_interval"), "heartbeat_interval", "%s is shorter than 1s", c.HeartbeatInterval)
	} else if c.HeartbeatInterval > result.MaxHeartbeatIntervalS*time.Second {
		// The controller refuses heartbeats announcing more (result.Heartbeat.Check).
		bad(c.lineOf("heartbeat_interval"), "heartbeat_interval", "%s is longer than 1h", c.HeartbeatInterval)
	}
	if c.Publish.BatchMax < 1 || c.Publish.BatchMax > 5000 {
		bad(c.lineOf("publish", "batch_max"), "publish.batch_max", "%d is outside 1..5000", c.Publish.BatchMax)
	}
	if c.Publish.QueueMax < c.Publish.BatchMax {
		bad(c.lineOf("publish", "queue_max"), "publish.queue_max", "%d is smaller than batch_max %d", c.Publish.QueueMax, c.Publish.BatchMax)
	}
	errs = append(errs, c.validateSpool()...)
	errs = append(errs, c.validateTraps()...)
	errs = append(errs, c.validateRemote()...)
	errs = append(errs, c.validateUpdate()...)
	errs = append(errs, c.validateConfirmBudget()...)
	errs = append(errs, c.validateNetworks()...)
	names := map[string]int{}
	for i := range c.Probes {
		p := &c.Probes[i]
		f := fmt.Sprintf("probes[%d]", i)
		if p.Name == "" {
			bad(p.line, f+".name", "is required")
		} else if prev, dup := names[p.Name]; dup {
			bad(p.line, f+".name", "%q is already used by probes[%d]", p.Name, prev)
		} else {
			names[p.Name] = i
		}
		ok, known := types.Known(p.Type)
		if !ok {
			bad(p.line, f+".type", "%q is not a probe type (known: %s)", p.Type, strings.Join(known, ", "))
		}
		switch {
		case p.Interval <= 0:
			bad(p.line, f+".interval", "is required (e.g. 1s, 30s)")
		case p.Interval < 100*time.Millisecond:
			bad(p.line, f+".interval", "%s is shorter than 100ms", p.Interval)
		case p.Timeout <= 0:
			bad(p.line, f+".timeout", "%s must be positive", p.Timeout)
		case p.Timeout > p.Interval:
			bad(p.line, f+".timeout", "%s is longer than interval %s: two rounds of one target would overlap", p.Timeout, p.Interval)
		}
		if len(p.Targets) == 0 {
			bad(p.line, f+".targets", "at least one target is required")
		}
		seen := map[string]int{}
		for j, t := range p.Targets {
			tf := fmt.Sprintf("%s.targets[%d]", f, j)
			if t.Address == "" {
				bad(t.line, tf, "address is required")
				continue
			}
			if prev, dup := seen[t.Address]; dup {
				bad(t.line, tf, "%q is already targets[%d]: one series, measured twice, would overwrite itself", t.Address, prev)
			}
			seen[t.Address] = j
			if ok {
				if err := types.ValidateTarget(p.Type, t.Address); err != nil {
					bad(t.line, tf, "%q: %v", t.Address, err)
				}
			}
		}
		errs = append(errs, c.validateConfirm(i, types)...)
	}
	return errs
}

func (c *Config) lineOf(path ...string) int { return yamlstrict.LineOf(&c.root, path...) }

// validateTraps checks the traps block with the listener's own rules, so a
// bad trap source fails at load, with its line, like any other field.
func (c *Config) validateTraps() yamlstrict.Errors {
	if c.Traps.Kind == 0 {
		return nil
	}
	_, err := trap.DecodeConfig(c.file, &c.Traps)
	var errs yamlstrict.Errors
	switch {
	case err == nil:
		return nil
	case errors.As(err, &errs):
		return errs
	}
	return yamlstrict.Errors{err.Error()}
}
