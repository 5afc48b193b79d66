package inventory

import (
	"math"
	"net"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/vantage-net/vantage/probes/result"
)

// Longest ids and texts accepted: far above real circuit ids and names, low
// enough that a column pasted into the wrong place is caught.
const (
	maxID   = 128
	maxText = 512
)

// builder turns records into typed rows, adding one error per bad field.
type builder struct {
	c   *collector
	set *Set
	// seen[k][id] is the line where id was first defined in this file.
	seen map[Kind]map[string]int
}

func newBuilder(file string, c *collector) *builder {
	return &builder{c: c, set: &Set{File: file, rows: map[Kind][]where{}}, seen: map[Kind]map[string]int{}}
}

func (b *builder) bad(r *record, name, format string, args ...any) {
	line, col := r.pos(name)
	b.c.addf(r.file, line, col, r.field(name), format, args...)
}

// add types one record and appends it to the set.
func (b *builder) add(r *record) {
	sp := specOf(r.kind)
	for _, f := range sp.required {
		if r.get(f) == "" {
			b.bad(r, f, "is required")
		}
	}
	idField := sp.fields[0]
	id := b.id(r, idField)
	if id != "" {
		if b.seen[r.kind] == nil {
			b.seen[r.kind] = map[string]int{}
		}
		if first, dup := b.seen[r.kind][id]; dup {
			b.bad(r, idField, "%s is defined twice in this file (first at line %d)", quote(id), first)
			return
		}
		b.seen[r.kind][id] = r.line
	}
	s := b.set
	switch r.kind {
	case KindCustomers:
		s.Customers = append(s.Customers, Customer{
			ID: id, Name: b.text(r, "name"), Tier: Tier(b.enum(r, "tier", Tiers)),
			AccountManager: b.text(r, "account_manager"),
		})
	case KindElements:
		s.Elements = append(s.Elements, b.element(r, id))
	case KindSites:
		s.Sites = append(s.Sites, b.site(r, id))
	case KindContacts:
		c := Contact{ID: id, CustomerID: b.id(r, "customer"), Name: b.text(r, "name"), Role: b.text(r, "role"),
			Email: b.text(r, "email"), Phone: b.text(r, "phone"), IM: b.text(r, "im"), Language: b.text(r, "language"),
			QuietHours: b.text(r, "quiet_hours")}
		if c.Email != "" && (!strings.Contains(c.Email, "@") || strings.ContainsAny(c.Email, " ,;")) {
			b.bad(r, "email", "%s is not one email address", quote(c.Email))
		}
		if c.Language != "" && !langRE.MatchString(c.Language) {
			b.bad(r, "language", "%s is not a language tag such as zh-CN or en", quote(c.Language))
		}
		if q := c.QuietHours; q != "" && (!quietRE.MatchString(q) || q[:5] == q[6:]) {
			b.bad(r, "quiet_hours", "%s is not a span HH:MM-HH:MM such as 22:00-07:00", quote(q))
		}
		s.Contacts = append(s.Contacts, c)
	case KindLines:
		s.Lines = append(s.Lines, Line{
			CircuitID: id, CustomerID: b.id(r, "customer"), ASite: b.id(r, "a_end_site"),
			ZEnd: b.text(r, "z_end"), UpstreamElement: b.id(r, "upstream_element"),
			SLAAvailabilityPct: b.num(r, "sla_availability_pct", 0, 100, true),
			Thresholds: Thresholds{
				LossPct:  b.num(r, "loss_pct", 0, 100, false),
				RTTMs:    b.num(r, "rtt_ms", 0, 60000, false),
				JitterMs: b.num(r, "jitter_ms", 0, 60000, false),
			},
			ProbeAddress: b.host(r, "probe_address"),
			SNMPDevice:   b.id(r, "snmp_device"),
			SNMPIfName:   b.text(r, "snmp_ifname"),
			SNMPIfAlias:  b.text(r, "snmp_ifalias"),
			ZSite:        b.id(r, "z_end_site"),
			Watchers:     b.watchers(r, "watchers"),
			WatchAddress: b.host(r, "watch_address"),
		})
		b.lineSNMP(r, s.Lines[len(s.Lines)-1])
		b.lineWatch(r, s.Lines[len(s.Lines)-1])
	}
	s.rows[r.kind] = append(s.rows[r.kind], r.where())
}

func (b *builder) element(r *record, id string) Element {
	e := Element{ID: id, ParentID: b.id(r, "parent"), Kind: b.enum(r, "kind", ElementKinds), Name: b.text(r, "name"),
		Agent: b.text(r, "agent"), SNMPAddress: b.snmpAddress(r, "snmp_address"), SNMPProfile: b.text(r, "snmp_profile")}
	if e.Name == "" {
		e.Name = e.ID // elements are often known by their id alone
	}
	if e.ParentID != "" && e.ParentID == e.ID {
		b.bad(r, "parent", "%s is the element itself", quote(e.ParentID))
	}
	if e.Agent != "" && !result.ValidAgentID(e.Agent) {
		b.bad(r, "agent", "%s is not an agent id (letters, digits, '-' or '_')", quote(e.Agent))
	}
	switch {
	case e.SNMPProfile != "" && !profileRE.MatchString(e.SNMPProfile):
		b.bad(r, "snmp_profile", "%s is not a profile name (letters, digits, '.', '-' or '_')", quote(e.SNMPProfile))
	case r.get("snmp_address") != "" && e.SNMPProfile == "":
		b.bad(r, "snmp_profile", "is required with snmp_address: it names the device's credentials in the controller's remote_config.snmp.profiles")
	case r.get("snmp_address") == "" && e.SNMPProfile != "":
		b.bad(r, "snmp_address", "is required with snmp_profile (the device to poll)")
	}
	return e
}

var profileRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// snmpAddress reads an SNMP device address: host or host:port, as the
// snmp probe takes its targets.
func (b *builder) snmpAddress(r *record, name string) string {
	v := r.get(name)
	if v == "" {
		return ""
	}
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		host, port = v, ""
	}
	if n, perr := strconv.Atoi(port); port != "" && (perr != nil || n < 1 || n > 65535) {
		b.bad(r, name, "%s: port must be 1..65535", quote(v))
		return ""
	}
	if len(host) > 253 || !hostRE.MatchString(host) || (port == "" && strings.Count(v, ":") == 1) {
		b.bad(r, name, "%s is not host or host:port", quote(v))
		return ""
	}
	return v
}

// lineSNMP checks the interface fields of a line on their own; whether its
// device exists is checked against the element tree (check.go).
func (b *builder) lineSNMP(r *record, l Line) {
	if l.SNMPIfName != "" && l.SNMPIfAlias != "" {
		b.bad(r, "snmp_ifalias", "give one of snmp_ifname and snmp_ifalias, not both")
	}
	if l.SNMPDevice != "" && !l.SNMPMapped() {
		b.bad(r, "snmp_device", "needs snmp_ifname or snmp_ifalias: the interface of the device that carries the line")
	}
}

func (b *builder) site(r *record, id string) Site {
	st := Site{ID: id, CustomerID: b.id(r, "customer"), Kind: b.enum(r, "kind", SiteKinds), Name: b.text(r, "name"),
		Lat: b.num(r, "lat", -90, 90, false), Lon: b.num(r, "lon", -180, 180, false), GridCell: strings.ToLower(b.text(r, "grid_cell")),
		Agent: b.text(r, "agent")}
	if st.Agent != "" && !result.ValidAgentID(st.Agent) {
		b.bad(r, "agent", "%s is not an agent id (letters, digits, '-' or '_')", quote(st.Agent))
	}
	if (r.get("lat") == "") != (r.get("lon") == "") {
		missing := "lat"
		if r.get("lon") == "" {
			missing = "lon"
		}
		b.bad(r, missing, "is required when the other coordinate is given")
	}
	switch {
	case st.GridCell != "":
		if len(st.GridCell) > 12 || strings.Trim(st.GridCell, geohashAlphabet) != "" {
			b.bad(r, "grid_cell", "%s is not a geohash", quote(st.GridCell))
		}
	case st.Lat != nil && st.Lon != nil:
		st.GridCell = geohash(*st.Lat, *st.Lon, gridPrecision)
	}
	if st.Kind == "cpe" && st.CustomerID == "" && r.get("kind") != "" {
		b.bad(r, "customer", "is required for a cpe site (only a hotspot may have no customer)")
	}
	return st
}

// host reads an address a probe is pointed at: an IP address or a host
// name, nothing the agent would have to split or resolve oddly.
func (b *builder) host(r *record, name string) string {
	v := r.get(name)
	if v == "" {
		return ""
	}
	if len(v) > 253 || !hostRE.MatchString(v) {
		b.bad(r, name, "%s is not an IP address or host name", quote(v))
		return ""
	}
	return v
}

var hostRE = regexp.MustCompile(`^([0-9A-Za-z]([0-9A-Za-z-]*[0-9A-Za-z])?\.)*[0-9A-Za-z]([0-9A-Za-z-]*[0-9A-Za-z])?\.?$|^[0-9A-Fa-f:.]+(%[0-9A-Za-z_.-]+)?$`)

// quietRE is a contact's quiet hours, HH:MM-HH:MM (controller/notify).
var quietRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$`)

var langRE = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// id reads an identifier: kept exactly as written, since operators' ids carry
// leading zeros and punctuation that mean something to them.
func (b *builder) id(r *record, name string) string {
	v := r.get(name)
	if v == "" {
		return ""
	}
	if len(v) > maxID {
		b.bad(r, name, "is longer than %d characters", maxID)
		return ""
	}
	if i := strings.IndexFunc(v, unicode.IsControl); i >= 0 {
		b.bad(r, name, "%s contains a control character", quote(v))
		return ""
	}
	return v
}

func (b *builder) text(r *record, name string) string {
	v := r.get(name)
	if len(v) > maxText {
		b.bad(r, name, "is longer than %d characters", maxText)
		return ""
	}
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		b.bad(r, name, "%s contains a control character", quote(v))
		return ""
	}
	return v
}

// enum accepts a value case-insensitively and with '-' for '_', so an
// export saying "AB-Group" means ab_group.
func (b *builder) enum(r *record, name string, allowed []string) string {
	v := r.get(name)
	if v == "" {
		return ""
	}
	norm := strings.ReplaceAll(strings.ToLower(v), "-", "_")
	for _, a := range allowed {
		if norm == a {
			return a
		}
	}
	b.bad(r, name, "%s is not one of %s", quote(v), strings.Join(allowed, ", "))
	return ""
}

// num reads an optional number in [min, max] (min excluded when openMin).
func (b *builder) num(r *record, name string, min, max float64, openMin bool) *float64 {
	v := r.get(name)
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		b.bad(r, name, "%s is not a number", quote(v))
		return nil
	}
	if f < min || f > max || (openMin && f == min) {
		lo := "["
		if openMin {
			lo = "("
		}
		b.bad(r, name, "%s is outside %s%s, %s]", bounded(v), lo, fmtNum(min), fmtNum(max))
		return nil
	}
	return &f
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// String forms used in messages about rows.
func (k Kind) singular() string {
	return strings.TrimSuffix(string(k), "s")
}
