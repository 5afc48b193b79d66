package snmp

import (
	"log/slog"
	"time"
)

// Options is the `options:` block of an snmp probe. The settings at its top
// apply to every target of the probe; Devices overrides them per target, so
// one probe can poll many devices with different credentials and line maps:
//
//	options:
//	  version: 2c
//	  community: s3cret
//	  devices:
//	    198.18.0.2:
//	      interfaces: [{name: ge-0/0/1, line: L-0001}]
type Options struct {
	// Device holds the defaults for every target of the probe.
	Device `yaml:",inline"`
	// Devices overrides Device per target. Keys are targets exactly as written
	// under the probe's targets (host or host:port). A field set here wins; a
	// list (interfaces, scalars) or v3 block set here replaces the default.
	Devices map[string]Device `yaml:"devices"`
	// MaxParallel bounds how many devices of this probe are polled at once
	// (default 64). A device that does not answer holds one slot until its
	// round times out, so keep it well above the number of devices that may
	// be dead together.
	MaxParallel int `yaml:"max_parallel"`
}

// Device is how to talk to one device and what to read from it.
type Device struct {
	// Version is the SNMP version: "1", "2c" or "3" (default "2c").
	Version string `yaml:"version"`
	// Community is the v1/v2c community. It is a secret: it is never logged,
	// never a tag and never part of an error message. Required for v1/v2c.
	Community Secret `yaml:"community"`
	// V3 holds the SNMPv3 user; required for version 3.
	V3 *V3 `yaml:"v3"`
	// RequestTimeout bounds one request/response exchange (default 2s). The
	// probe's own timeout still bounds the whole round.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// Retries is how often a request is sent again after a timeout
	// (default 1; 0 is allowed with `retries: 0`).
	Retries *int `yaml:"retries"`
	// MaxRepetitions is the GetBulk max-repetitions (default 10, as net-snmp's
	// tools; 1..100). gosnmp's own default of 50 makes some routers time out:
	// the walk asks for ~14 columns at once, so a response carries up to
	// 14 × max_repetitions values.
	MaxRepetitions int `yaml:"max_repetitions"`
	// Interfaces map interfaces to lines. Each entry names exactly one of
	// name (ifName), alias (ifAlias) or index (ifIndex).
	Interfaces []InterfaceLine `yaml:"interfaces"`
	// OnlyMapped limits snmp_if samples to interfaces listed in Interfaces
	// (default false: every interface of the device is reported).
	OnlyMapped *bool `yaml:"only_mapped"`
	// Scalars are single OIDs to read each round, reported as snmp samples.
	Scalars []Scalar `yaml:"scalars"`
}

// V3 is an SNMPv3 USM user.
type V3 struct {
	// User is the USM user name.
	User string `yaml:"user"`
	// Level is the security level: noAuthNoPriv, authNoPriv or authPriv.
	// It is required so that a forgotten priv_password is an error, not a
	// silent downgrade to cleartext.
	Level string `yaml:"level"`
	// AuthProtocol is MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512
	// (required from authNoPriv up).
	AuthProtocol string `yaml:"auth_protocol"`
	// AuthPassword is the authentication passphrase (8 characters or more).
	// Secret.
	AuthPassword Secret `yaml:"auth_password"`
	// PrivProtocol is DES, AES (AES-128), AES-192, AES-256, AES-192C or
	// AES-256C (the C variants use the Cisco/Reeder key extension); required
	// for authPriv.
	PrivProtocol string `yaml:"priv_protocol"`
	// PrivPassword is the privacy passphrase (8 characters or more). Secret.
	PrivPassword Secret `yaml:"priv_password"`
	// Context is the SNMPv3 context name; empty for most devices.
	Context string `yaml:"context"`
}

// InterfaceLine maps one interface of a device to a line (a customer's
// dedicated circuit). Exactly one of Name, Alias and Index is set.
type InterfaceLine struct {
	// Name matches ifName (or ifDescr when the device has no ifXTable).
	Name string `yaml:"name"`
	// Alias matches ifAlias, the description an operator typed on the port,
	// often the circuit id.
	Alias string `yaml:"alias"`
	// Index matches ifIndex. Prefer name or alias: ifIndex may change when a
	// device reboots. An index entry remembers the ifName it first matched
	// and, if the index later carries another name, follows the name (or
	// drops the mapping) and reports the renumbering.
	Index int `yaml:"index"`
	// Line is the circuit id that samples of this interface carry as their
	// line tag.
	Line string `yaml:"line"`
}

// Scalar is one configured OID read each round.
type Scalar struct {
	// Name becomes the metric tag (letters, digits, '_' and '-'), e.g. rsrp.
	Name string `yaml:"name"`
	// OID is the numeric instance OID, e.g. 1.3.6.1.4.1.99999.1.2.0 (no MIB
	// names: agents carry no MIB files).
	OID string `yaml:"oid"`
	// Type is gauge (the value as read) or counter (per-second rate between
	// rounds, with 32/64-bit wrap and reboot handling). Default gauge.
	Type string `yaml:"type"`
	// Scale multiplies the value (default 1), e.g. 0.1 for a device that
	// reports RSRP in tenths of a dBm.
	Scale float64 `yaml:"scale"`
}

// Secret is a credential. It decodes from YAML like a string but prints as
// "<redacted>" with fmt and slog, so a config dump or a logged struct never
// shows it.
type Secret string

// String hides the value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "<redacted>"
}

// GoString hides the value from %#v.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// LogValue hides the value from slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText hides the value from JSON, YAML and text encoders.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Defaults, chosen to match net-snmp's command line tools where one exists.
const (
	defaultVersion        = "2c"
	defaultRequestTimeout = 2 * time.Second
	defaultRetries        = 1
	defaultMaxRepetitions = 10
	defaultMaxParallel    = 64
)

// merge returns d with every field that o sets taken from o.
func (d Device) merge(o Device) Device {
	if o.Version != "" {
		d.Version = o.Version
	}
	if o.Community != "" {
		d.Community = o.Community
	}
	if o.V3 != nil {
		d.V3 = o.V3
	}
	if o.RequestTimeout != 0 {
		d.RequestTimeout = o.RequestTimeout
	}
	if o.Retries != nil {
		d.Retries = o.Retries
	}
	if o.MaxRepetitions != 0 {
		d.MaxRepetitions = o.MaxRepetitions
	}
	if o.Interfaces != nil {
		d.Interfaces = o.Interfaces
	}
	if o.OnlyMapped != nil {
		d.OnlyMapped = o.OnlyMapped
	}
	if o.Scalars != nil {
		d.Scalars = o.Scalars
	}
	// A device that picks its own version does not inherit the other
	// version's credentials: a v2c device under a v3 probe needs no
	// "v3: null", and the inherited secret is not kept around for nothing.
	if o.Version == "3" && o.Community == "" {
		d.Community = ""
	}
	if o.Version != "" && o.Version != "3" && o.V3 == nil {
		d.V3 = nil
	}
	return d
}

// withDefaults fills what is still unset.
func (d Device) withDefaults() Device {
	if d.Version == "" {
		d.Version = defaultVersion
	}
	if d.RequestTimeout == 0 {
		d.RequestTimeout = defaultRequestTimeout
	}
	if d.Retries == nil {
		r := defaultRetries
		d.Retries = &r
	}
	if d.MaxRepetitions == 0 {
		d.MaxRepetitions = defaultMaxRepetitions
	}
	// Copy before filling in: the slice is shared with the decoded config.
	d.Scalars = append([]Scalar(nil), d.Scalars...)
	for i := range d.Scalars {
		if d.Scalars[i].Type == "" {
			d.Scalars[i].Type = "gauge"
		}
		if d.Scalars[i].Scale == 0 {
			d.Scalars[i].Scale = 1
		}
	}
	return d
}

// onlyMapped reports the effective OnlyMapped.
func (d Device) onlyMapped() bool { return d.OnlyMapped != nil && *d.OnlyMapped }

// secrets lists the credential strings of d, for scrubbing error texts.
func (d Device) secrets() []string {
	s := []string{string(d.Community)}
	if d.V3 != nil {
		s = append(s, string(d.V3.AuthPassword), string(d.V3.PrivPassword))
	}
	return s
}
