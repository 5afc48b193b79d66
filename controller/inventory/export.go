package inventory

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vantage-net/vantage/internal/csvsafe"
)

// exportQueries read each kind whole, in id order, with the columns its
// scan function expects.
var exportQueries = map[Kind]string{
	KindCustomers: `SELECT ` + customerCols + ` FROM customers ORDER BY id`,
	KindElements:  `SELECT ` + elementCols + ` FROM upstream_elements ORDER BY id`,
	KindSites:     `SELECT ` + siteCols + ` FROM sites ORDER BY id`,
	KindContacts:  `SELECT ` + contactCols + ` FROM contacts ORDER BY id`,
	KindLines:     `SELECT ` + lineCols + ` FROM lines ORDER BY circuit_id`,
}

// ExportCSV writes every stored row of kind to w as CSV in the import's
// format (the header names the kind, one column per field), so the file
// imports back unchanged. Rows are streamed from the database, not
// gathered first. Every cell goes through csvsafe: a name like
// =HYPERLINK(…) is written '=HYPERLINK(…) and cannot run in the
// spreadsheet an operator opens it with; the import undoes that. The
// inventory holds no credentials (an SNMP device names its profile, whose
// secrets are in the controller's config), so an export holds none either.
// It returns the number of rows written.
func (s *SQLStore) ExportCSV(ctx context.Context, kind Kind, w io.Writer) (int, error) {
	sp, q := specOf(kind), exportQueries[kind]
	if sp == nil || q == "" {
		return 0, fmt.Errorf("unknown kind %q (want customers, elements, sites, contacts or lines)", kind)
	}
	cw := csvsafe.NewWriter(w)
	header := append([]string{sp.csvKey}, sp.fields[1:]...)
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", kind, err)
	}
	defer rows.Close()
	n := 0
	row := make([]string, len(sp.fields))
	for rows.Next() {
		cells, err := exportRow(kind, rows)
		if err != nil {
			return n, fmt.Errorf("export %s: %w", kind, err)
		}
		for i, f := range sp.fields {
			row[i] = cells[f]
		}
		if err := cw.Write(row); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("export %s: %w", kind, err)
	}
	return n, cw.Flush()
}

// exportRow scans one row of kind into its cells by field name, written
// as the import reads them.
func exportRow(kind Kind, sc scanner) (map[string]string, error) {
	switch kind {
	case KindCustomers:
		c, err := scanCustomer(sc)
		return map[string]string{"id": c.ID, "name": c.Name, "tier": string(c.Tier), "account_manager": c.AccountManager}, err
	case KindElements:
		e, err := scanElement(sc)
		return map[string]string{"id": e.ID, "parent": e.ParentID, "kind": e.Kind, "name": e.Name, "agent": e.Agent,
			"snmp_address": e.SNMPAddress, "snmp_profile": e.SNMPProfile}, err
	case KindSites:
		x, err := scanSite(sc)
		return map[string]string{"id": x.ID, "customer": x.CustomerID, "kind": x.Kind, "name": x.Name, "lat": numCell(x.Lat),
			"lon": numCell(x.Lon), "grid_cell": x.GridCell, "agent": x.Agent}, err
	case KindContacts:
		c, err := scanContact(sc)
		return map[string]string{"id": c.ID, "customer": c.CustomerID, "name": c.Name, "role": c.Role, "email": c.Email,
			"phone": c.Phone, "im": c.IM, "language": c.Language, "quiet_hours": c.QuietHours}, err
	case KindLines:
		l, err := scanLine(sc)
		t := l.Thresholds
		return map[string]string{"circuit_id": l.CircuitID, "customer": l.CustomerID, "a_end_site": l.ASite, "z_end": l.ZEnd,
			"upstream_element": l.UpstreamElement, "sla_availability_pct": numCell(l.SLAAvailabilityPct),
			"loss_pct": numCell(t.LossPct), "rtt_ms": numCell(t.RTTMs), "jitter_ms": numCell(t.JitterMs),
			"probe_address": l.ProbeAddress, "snmp_device": l.SNMPDevice, "snmp_ifname": l.SNMPIfName,
			"snmp_ifalias": l.SNMPIfAlias, "z_end_site": l.ZSite, "watchers": strings.Join(l.Watchers, ";"),
			"watch_address": l.WatchAddress}, err
	}
	return nil, fmt.Errorf("unknown kind %q", kind)
}

// numCell writes a number so that parsing it gives the same float64.
func numCell(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}
