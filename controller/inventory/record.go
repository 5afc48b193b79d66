package inventory

// A record is one row of an import file before it is typed: YAML items and
// CSV rows both become records, so one set of rules (build.go) checks both
// formats and gives the same message for the same mistake.
type record struct {
	kind  Kind
	file  string
	line  int             // where the row starts
	path  string          // YAML: "lines[3]"; CSV: "" (the column name is the field)
	cells map[string]cell // by field name; absent or empty means unset
}

// cell is one field's text and where it is, for messages.
type cell struct {
	value     string
	line, col int
}

func (r *record) get(name string) string { return r.cells[name].value }

// field names a field in messages: "lines[3].customer" in YAML, "customer" in CSV.
func (r *record) field(name string) string {
	if r.path == "" {
		return name
	}
	return r.path + "." + name
}

// pos is where a field is, or where its row starts when it is absent.
func (r *record) pos(name string) (line, col int) {
	if c, ok := r.cells[name]; ok {
		return c.line, c.col
	}
	return r.line, 0
}

// where is what the checks made after typing (references against the
// database, element cycles) need of a row: where it and its cells are,
// without their text, which the typed row holds. The set keeps one per
// row; a record's map of cells kept instead cost a 50 MB CSV import
// hundreds of megabytes.
type where struct {
	sp    *spec
	line  int32
	path  string
	cells []cellPos // the row's non-empty cells
}

type cellPos struct {
	field     uint8 // index into sp.fields
	line, col int32
}

func (r *record) where() where {
	sp := specOf(r.kind)
	w := where{sp: sp, line: int32(r.line), path: r.path, cells: make([]cellPos, 0, len(r.cells))}
	for i, f := range sp.fields {
		if c, ok := r.cells[f]; ok {
			w.cells = append(w.cells, cellPos{field: uint8(i), line: int32(c.line), col: int32(c.col)})
		}
	}
	return w
}

// field names a field in messages, as record.field does.
func (w where) field(name string) string {
	if w.path == "" {
		return name
	}
	return w.path + "." + name
}

// pos is where a field is, or where its row starts when it is absent.
func (w where) pos(name string) (line, col int) {
	for _, c := range w.cells {
		if w.sp.fields[c.field] == name {
			return int(c.line), int(c.col)
		}
	}
	return int(w.line), 0
}

// spec is the one list of fields per kind: YAML keys and CSV columns alike.
type spec struct {
	kind Kind
	// csvKey is the header of a CSV file's first column; it names the kind
	// and is the id field (fields[0]).
	csvKey   string
	fields   []string
	required []string
}

var specs = []*spec{
	{kind: KindCustomers, csvKey: "customer_id",
		fields:   []string{"id", "name", "tier", "account_manager"},
		required: []string{"id", "name", "tier"}},
	{kind: KindElements, csvKey: "element_id",
		fields:   []string{"id", "parent", "kind", "name", "agent", "snmp_address", "snmp_profile"},
		required: []string{"id", "kind"}},
	{kind: KindSites, csvKey: "site_id",
		fields:   []string{"id", "customer", "kind", "name", "lat", "lon", "grid_cell", "agent"},
		required: []string{"id", "kind", "name"}},
	{kind: KindContacts, csvKey: "contact_id",
		fields:   []string{"id", "customer", "name", "role", "email", "phone", "im", "language", "quiet_hours"},
		required: []string{"id", "customer", "name"}},
	{kind: KindLines, csvKey: "circuit_id",
		fields: []string{"circuit_id", "customer", "a_end_site", "z_end", "upstream_element",
			"sla_availability_pct", "loss_pct", "rtt_ms", "jitter_ms", "probe_address",
			"snmp_device", "snmp_ifname", "snmp_ifalias", "z_end_site", "watchers", "watch_address"},
		required: []string{"circuit_id", "customer"}},
}

func specOf(k Kind) *spec {
	for _, s := range specs {
		if s.kind == k {
			return s
		}
	}
	return nil
}

func (s *spec) has(field string) bool {
	for _, f := range s.fields {
		if f == field {
			return true
		}
	}
	return false
}
