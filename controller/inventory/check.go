package inventory

import "strings"

// known is what the database already holds, as far as the reference checks
// need it. A file may refer to rows of an earlier import (lines.csv to the
// customers of customers.csv) or of its own.
type known struct {
	customers map[string]bool
	sites     map[string]bool
	elements  map[string]string // id → parent id ("" for a root)
	devices   map[string]bool   // elements with an snmp_address
}

// checkRefs checks every reference in set against set itself plus k, and
// that the element tree stays a tree once set is applied.
func checkRefs(set *Set, k known, c *collector) {
	customers := union(k.customers, set.Customers, func(x Customer) string { return x.ID })
	sites := union(k.sites, set.Sites, func(x Site) string { return x.ID })
	parent := make(map[string]string, len(k.elements)+len(set.Elements))
	for id, p := range k.elements {
		parent[id] = p
	}
	for _, e := range set.Elements {
		parent[e.ID] = e.ParentID
	}
	has := func(m map[string]string, id string) bool { _, ok := m[id]; return ok }

	ref := func(kind Kind, i int, field, id, what string, ok bool) {
		if id == "" || ok {
			return
		}
		r := set.rows[kind][i]
		line, col := r.pos(field)
		c.addf(set.File, line, col, r.field(field), "%s is not a known %s (neither in this file nor already imported)", quote(id), what)
	}
	for i, x := range set.Sites {
		ref(KindSites, i, "customer", x.CustomerID, "customer", customers[x.CustomerID])
	}
	for i, x := range set.Contacts {
		ref(KindContacts, i, "customer", x.CustomerID, "customer", customers[x.CustomerID])
	}
	for i, x := range set.Elements {
		ref(KindElements, i, "parent", x.ParentID, "element", has(parent, x.ParentID))
	}
	for i, x := range set.Lines {
		ref(KindLines, i, "customer", x.CustomerID, "customer", customers[x.CustomerID])
		ref(KindLines, i, "a_end_site", x.ASite, "site", sites[x.ASite])
		ref(KindLines, i, "upstream_element", x.UpstreamElement, "element", has(parent, x.UpstreamElement))
	}
	checkWatchers(set, sites, parent, c)
	checkCycles(set, parent, c)
	checkSNMP(set, k, parent, c)
}

// checkSNMP checks that every line naming an interface has a device: its
// snmp_device, or an element with an snmp_address at or above its
// upstream element, once set is applied.
func checkSNMP(set *Set, k known, parent map[string]string, c *collector) {
	devices := make(map[string]bool, len(k.devices)+len(set.Elements))
	for id := range k.devices {
		devices[id] = true
	}
	for _, e := range set.Elements { // a row of this file replaces the stored one
		devices[e.ID] = e.SNMPAddress != ""
	}
	isDevice := func(id string) bool { return devices[id] }
	for i, l := range set.Lines {
		if !l.SNMPMapped() {
			continue
		}
		r := set.rows[KindLines][i]
		if l.SNMPDevice != "" {
			if _, ok := parent[l.SNMPDevice]; !ok {
				line, col := r.pos("snmp_device")
				c.addf(set.File, line, col, r.field("snmp_device"), "%s is not a known element (neither in this file nor already imported)", quote(l.SNMPDevice))
			} else if !devices[l.SNMPDevice] {
				line, col := r.pos("snmp_device")
				c.addf(set.File, line, col, r.field("snmp_device"), "element %s has no snmp_address", quote(l.SNMPDevice))
			}
			continue
		}
		if SNMPDeviceOf(l, parent, isDevice) == "" {
			field := "snmp_ifname"
			if l.SNMPIfName == "" {
				field = "snmp_ifalias"
			}
			line, col := r.pos(field)
			c.addf(set.File, line, col, r.field(field),
				"no SNMP device carries this line: set snmp_device, or give upstream_element %s or an element above it an snmp_address", quote(l.UpstreamElement))
		}
	}
}

func union[T any](base map[string]bool, rows []T, id func(T) string) map[string]bool {
	m := make(map[string]bool, len(base)+len(rows))
	for k := range base {
		m[k] = true
	}
	for _, r := range rows {
		m[id(r)] = true
	}
	return m
}

// checkCycles reports each cycle in the element tree once, at the element of
// this file that comes first in it. The database held a tree before, so any
// cycle goes through at least one element of this file.
func checkCycles(set *Set, parent map[string]string, c *collector) {
	index := make(map[string]int, len(set.Elements)) // element id → row in set
	for i, e := range set.Elements {
		index[e.ID] = i
	}
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[string]int, len(parent))
	for _, start := range set.Elements {
		var path []string
		id := start.ID
		for id != "" && state[id] == unseen {
			if _, ok := parent[id]; !ok {
				break // a dangling parent, reported by checkRefs
			}
			state[id] = onPath
			path = append(path, id)
			id = parent[id]
		}
		if id != "" && state[id] == onPath {
			reportCycle(set, path, id, index, c)
		}
		for _, p := range path {
			state[p] = done
		}
	}
}

func reportCycle(set *Set, path []string, entry string, index map[string]int, c *collector) {
	var cycle []string
	for i, p := range path {
		if p == entry {
			cycle = path[i:]
			break
		}
	}
	// Start the cycle at its member that comes first in the file.
	first := -1
	for i, id := range cycle {
		if j, ok := index[id]; ok && (first < 0 || j < index[cycle[first]]) {
			first = i
		}
	}
	if first < 0 {
		return // cannot happen: see checkCycles
	}
	cycle = append(cycle[first:len(cycle):len(cycle)], cycle[:first]...)
	r := set.rows[KindElements][index[cycle[0]]]
	line, col := r.pos("parent")
	c.addf(set.File, line, col, r.field("parent"), "%s makes a cycle (child → parent): %s → %s",
		quote(set.Elements[index[cycle[0]]].ParentID), strings.Join(cycle, " → "), cycle[0])
}
