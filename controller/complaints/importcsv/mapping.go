package importcsv

import (
	"fmt"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/controller/complaints"
	"github.com/vantage-net/vantage/internal/yamlstrict"
)

// Mapping says how one call centre's export maps onto complaint fields
// (README, "Complaints"): which column holds which field, which of the
// export's category names is which category, its date formats and the
// time zone of its naive times.
type Mapping struct {
	// Columns names the export's column (its header text) for each field.
	Columns Columns `yaml:"columns"`
	// Categories lists, per category, the export's names for it. The
	// category's own name (slow, weak_signal, …) always maps to it.
	Categories map[string][]string `yaml:"categories"`
	// DateFormats are tried in order (notation in DefaultDateFormats);
	// default DefaultDateFormats.
	DateFormats []string `yaml:"date_formats"`
	// TimeZone is the IANA zone of times without an offset; default the
	// controller's complaints.time_zone.
	TimeZone string `yaml:"time_zone"`
}

// Columns are the header names of each field; a field left out is not
// imported. id, received_at and category are required.
type Columns struct {
	ID           string `yaml:"id"`
	ReceivedAt   string `yaml:"received_at"`
	ClosedAt     string `yaml:"closed_at"`
	CustomerID   string `yaml:"customer_id"`
	Phone        string `yaml:"phone"`
	CircuitID    string `yaml:"circuit_id"`
	CustomerName string `yaml:"customer_name"`
	Address      string `yaml:"address"`
	Lat          string `yaml:"lat"`
	Lon          string `yaml:"lon"`
	Category     string `yaml:"category"`
	Text         string `yaml:"text"`
}

// fields lists (field name, header) in the order of Columns.
func (c Columns) fields() [][2]string {
	return [][2]string{{"id", c.ID}, {"received_at", c.ReceivedAt}, {"closed_at", c.ClosedAt},
		{"customer_id", c.CustomerID}, {"phone", c.Phone}, {"circuit_id", c.CircuitID},
		{"customer_name", c.CustomerName}, {"address", c.Address}, {"lat", c.Lat}, {"lon", c.Lon},
		{"category", c.Category}, {"text", c.Text}}
}

// DefaultMapping reads an export whose headers are the field names
// themselves (id, received_at, …) and whose categories are Vantage's.
func DefaultMapping() *Mapping {
	return &Mapping{Columns: Columns{ID: "id", ReceivedAt: "received_at", ClosedAt: "closed_at",
		CustomerID: "customer_id", Phone: "phone", CircuitID: "circuit_id", CustomerName: "customer_name",
		Address: "address", Lat: "lat", Lon: "lon", Category: "category", Text: "text"}}
}

// MaxMappingBytes bounds a mapping file.
const MaxMappingBytes = 1 << 20

// LoadMapping reads and checks a mapping file, reporting every problem at
// once as file:line: field: why.
func LoadMapping(path string) (*Mapping, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxMappingBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than a mapping file's %d", path, st.Size(), MaxMappingBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseMapping(path, data)
}

// ParseMapping decodes and checks mapping text.
func ParseMapping(file string, data []byte) (*Mapping, error) {
	var m Mapping
	if err := yamlstrict.Decode(file, data, &m); err != nil {
		return nil, err
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	var errs yamlstrict.Errors
	bad := func(path []string, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s:%d: %s: %s", file, yamlstrict.LineOf(&root, path...),
			strings.Join(path, "."), fmt.Sprintf(format, args...)))
	}
	seen := map[string]string{}
	for _, f := range m.Columns.fields() {
		h := strings.TrimSpace(f[1])
		if h == "" {
			continue
		}
		if prev, dup := seen[h]; dup {
			bad([]string{"columns", f[0]}, "column %q is already %s", h, prev)
		}
		seen[h] = f[0]
	}
	for _, req := range []struct{ name, v string }{{"id", m.Columns.ID}, {"received_at", m.Columns.ReceivedAt},
		{"category", m.Columns.Category}} {
		if strings.TrimSpace(req.v) == "" {
			bad([]string{"columns"}, "%s: is required", req.name)
		}
	}
	if (m.Columns.Lat == "") != (m.Columns.Lon == "") {
		bad([]string{"columns"}, "lat and lon: give both or neither")
	}
	c := m.Columns
	if c.CustomerID == "" && c.Phone == "" && c.CircuitID == "" && c.Lat == "" {
		bad([]string{"columns"}, "no column identifies the customer or place: map customer_id, phone, circuit_id or lat and lon")
	}
	names := map[string]string{}
	for cat, list := range m.Categories {
		if !complaints.Category(cat).Valid() {
			bad([]string{"categories", cat}, "not a category (line_interruption, slow, no_service, weak_signal, other)")
			continue
		}
		for _, n := range list {
			n = strings.TrimSpace(n)
			if n == "" {
				bad([]string{"categories", cat}, "an empty name")
				continue
			}
			if prev, dup := names[n]; dup && prev != cat {
				bad([]string{"categories", cat}, "%q is already %s", n, prev)
			}
			names[n] = cat
		}
	}
	for _, f := range m.DateFormats {
		if _, err := layoutOf(f); err != nil {
			bad([]string{"date_formats"}, "%v", err)
		}
	}
	if m.TimeZone != "" {
		if _, err := time.LoadLocation(m.TimeZone); err != nil {
			bad([]string{"time_zone"}, "%q is not an IANA time zone (e.g. Asia/Shanghai)", m.TimeZone)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &m, nil
}

// categoryIndex maps every name of a category (the export's and its own)
// to it.
func (m *Mapping) categoryIndex() map[string]complaints.Category {
	idx := map[string]complaints.Category{}
	for _, c := range complaints.Categories {
		idx[string(c)] = c
	}
	for cat, list := range m.Categories {
		for _, n := range list {
			idx[strings.TrimSpace(n)] = complaints.Category(cat)
		}
	}
	return idx
}
