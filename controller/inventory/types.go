package inventory

import "slices"

// Tier ranks customers for notification and dampening. AB-class group and
// enterprise customers come first, then the VIP tiers of the field studies.
type Tier string

// The tiers, highest first.
const (
	TierABGroup  Tier = "ab_group"
	TierDiamond  Tier = "diamond"
	TierGold     Tier = "gold"
	TierSilver   Tier = "silver"
	TierStandard Tier = "standard"
)

// Tiers lists the valid tiers, highest first.
var Tiers = []string{string(TierABGroup), string(TierDiamond), string(TierGold), string(TierSilver), string(TierStandard)}

// Site kinds: a customer's premises with a CPE agent, or a public hotspot.
var SiteKinds = []string{"cpe", "hotspot"}

// ElementKinds are the upstream element kinds a line can hang from.
var ElementKinds = []string{"pop", "router", "card", "port", "olt", "olt_port"}

// Customer is an enterprise or VIP customer.
type Customer struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Tier Tier   `json:"tier"`
	// AccountManager is the operator employee who owns the relationship and
	// gets the customer's reports; free text, usually a staff id or email.
	AccountManager string `json:"account_manager,omitempty"`
}

// Contact is a person told about a customer's faults. Channels left empty
// are not used; notify picks among the rest.
type Contact struct {
	ID         string `json:"id"`
	CustomerID string `json:"customer"`
	Name       string `json:"name"`
	// Role says who this is to the customer: "primary", "secondary",
	// "it_manager"; a notice goes to a first and a second contact.
	Role     string `json:"role,omitempty"`
	Email    string `json:"email,omitempty"`
	Phone    string `json:"phone,omitempty"` // SMS and voice, E.164 preferred
	IM       string `json:"im,omitempty"`    // IM handle or webhook URL
	Language string `json:"language,omitempty"`
	// QuietHours is when non-urgent notifications wait ("22:00-07:00",
	// the controller's notify.timezone; may wrap midnight); empty: none.
	QuietHours string `json:"quiet_hours,omitempty"`
}

// Site is a place an agent watches from.
type Site struct {
	ID string `json:"id"`
	// CustomerID is empty for a hotspot that belongs to no customer.
	CustomerID string `json:"customer,omitempty"`
	Kind       string `json:"kind"` // cpe or hotspot
	Name       string `json:"name"`
	// Lat and Lon are WGS84 degrees, nil when unknown.
	Lat *float64 `json:"lat,omitempty"`
	Lon *float64 `json:"lon,omitempty"`
	// GridCell is the geohash cell (precision 7, ~150 m) coverage and
	// complaints are counted in; computed from Lat/Lon when not given.
	GridCell string `json:"grid_cell,omitempty"`
	// Agent is the id of the agent that runs at this site, if any: it
	// watches the site's lines (their probe_address) with the probe set the
	// controller derives and publishes for it.
	Agent string `json:"agent,omitempty"`
}

// Element is a node of the upstream tree: a PoP, a PE router, a card, a
// port, an OLT or an OLT port. Incidents are rooted at elements.
type Element struct {
	ID string `json:"id"`
	// ParentID is empty for a root (usually a PoP).
	ParentID string `json:"parent,omitempty"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	// Agent is the network-side agent at this element (usually at a PoP):
	// it polls the SNMP devices at or below the element and watches the
	// lines below it from the network side.
	Agent string `json:"agent,omitempty"`
	// SNMPAddress makes the element an SNMP device (a PE router): host or
	// host:port (default port 161) its agent polls.
	SNMPAddress string `json:"snmp_address,omitempty"`
	// SNMPProfile names the credentials (community or v3 user) in the
	// controller's config, remote_config.snmp.profiles: the inventory, its
	// exports and the API never hold them. Required with SNMPAddress.
	SNMPProfile string `json:"snmp_profile,omitempty"`
}

// Line is a customer's dedicated circuit.
type Line struct {
	// CircuitID is the operator's circuit id, kept exactly as written
	// (leading zeros and all).
	CircuitID  string `json:"circuit_id"`
	CustomerID string `json:"customer"`
	// ASite is the customer-side site (where a CPE agent may run).
	ASite string `json:"a_end_site,omitempty"`
	// ZEnd is the far end as the operator names it (a PoP, a data centre).
	ZEnd string `json:"z_end,omitempty"`
	// UpstreamElement is the element the line hangs from, normally a port.
	UpstreamElement string `json:"upstream_element,omitempty"`
	// SLAAvailabilityPct is the contracted availability, e.g. 99.95; nil
	// when the contract names none.
	SLAAvailabilityPct *float64   `json:"sla_availability_pct,omitempty"`
	Thresholds         Thresholds `json:"thresholds"`
	// ProbeAddress is what the A-end site's agent pings to watch the line
	// (usually the PE side of the circuit); empty means the line is not
	// probed by a managed agent.
	ProbeAddress string `json:"probe_address,omitempty"`
	// ZSite is the site at the line's Z end whose agent watches the line
	// from that end (a hub or PoP site, or the far customer site of a
	// point-to-point circuit), pinging WatchAddress.
	ZSite string `json:"z_end_site,omitempty"`
	// Watchers are more places the line is watched from, besides its
	// A end: each a site id or an element id (a PoP element naming its
	// agent), in the order written. Their agents ping WatchAddress.
	Watchers []string `json:"watchers,omitempty"`
	// WatchAddress is what the agents of ZSite and Watchers ping: the
	// customer end of the circuit (the CPE's line-side address). Required
	// when ZSite or Watchers is set.
	WatchAddress string `json:"watch_address,omitempty"`
	// SNMPDevice is the element (with an snmp_address) whose interface
	// carries the line; empty means the nearest such element at or above
	// UpstreamElement.
	SNMPDevice string `json:"snmp_device,omitempty"`
	// SNMPIfName and SNMPIfAlias name that interface by ifName or by
	// ifAlias (the port description, often the circuit id); at most one.
	SNMPIfName  string `json:"snmp_ifname,omitempty"`
	SNMPIfAlias string `json:"snmp_ifalias,omitempty"`
}

// SNMPMapped reports whether the line names the interface that carries it.
func (l Line) SNMPMapped() bool { return l.SNMPIfName != "" || l.SNMPIfAlias != "" }

// Thresholds mark a line degraded while it is up: a window whose loss, RTT
// or jitter is above them is a degradation event. Nil means the tier's
// default applies.
type Thresholds struct {
	LossPct  *float64 `json:"loss_pct,omitempty"`
	RTTMs    *float64 `json:"rtt_ms,omitempty"`
	JitterMs *float64 `json:"jitter_ms,omitempty"`
}

// Kind names a kind of inventory row: the YAML section and the CSV file kind.
type Kind string

// The kinds, in the order an import writes them (referenced kinds first).
const (
	KindCustomers Kind = "customers"
	KindElements  Kind = "elements"
	KindSites     Kind = "sites"
	KindContacts  Kind = "contacts"
	KindLines     Kind = "lines"
)

// Kinds lists every kind in write order.
var Kinds = []Kind{KindCustomers, KindElements, KindSites, KindContacts, KindLines}

// Set is the parsed content of one import file.
type Set struct {
	File      string
	Customers []Customer
	Elements  []Element
	Sites     []Site
	Contacts  []Contact
	Lines     []Line

	// rows[k][i] is where the i-th row of kind k came from, so that checks
	// made later against the database still name file, line and field.
	rows map[Kind][]where
}

// Len is the number of rows in the set.
func (s *Set) Len() int {
	return len(s.Customers) + len(s.Elements) + len(s.Sites) + len(s.Contacts) + len(s.Lines)
}

func eqf(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func (s Site) equal(o Site) bool {
	return s.ID == o.ID && s.CustomerID == o.CustomerID && s.Kind == o.Kind && s.Name == o.Name &&
		eqf(s.Lat, o.Lat) && eqf(s.Lon, o.Lon) && s.GridCell == o.GridCell && s.Agent == o.Agent
}

func (l Line) equal(o Line) bool {
	return l.CircuitID == o.CircuitID && l.CustomerID == o.CustomerID && l.ASite == o.ASite &&
		l.ZEnd == o.ZEnd && l.UpstreamElement == o.UpstreamElement &&
		eqf(l.SLAAvailabilityPct, o.SLAAvailabilityPct) && eqf(l.Thresholds.LossPct, o.Thresholds.LossPct) &&
		eqf(l.Thresholds.RTTMs, o.Thresholds.RTTMs) && eqf(l.Thresholds.JitterMs, o.Thresholds.JitterMs) &&
		l.ProbeAddress == o.ProbeAddress && l.SNMPDevice == o.SNMPDevice && l.SNMPIfName == o.SNMPIfName &&
		l.SNMPIfAlias == o.SNMPIfAlias && l.ZSite == o.ZSite && slices.Equal(l.Watchers, o.Watchers) &&
		l.WatchAddress == o.WatchAddress
}

// WatchedFromFarEnd reports whether the line names watchers besides its A end.
func (l Line) WatchedFromFarEnd() bool { return l.ZSite != "" || len(l.Watchers) > 0 }
