package snmp

import "fmt"

// IfInfo is what is known about an interface besides its ifIndex.
type IfInfo struct {
	// Name is ifName (ifDescr on devices without ifXTable).
	Name string
	// Alias is ifAlias.
	Alias string
	// Line is the line the poller mapped the interface to ("" if none).
	Line string
}

// MatchLine returns the line of the first entry that matches the interface,
// or "". It is the stateless rule the trap listener uses; the poller adds
// renumbering protection on top (see lineMapper).
func MatchLine(entries []InterfaceLine, ifIndex int, info IfInfo) string {
	for _, e := range entries {
		switch {
		case e.Name != "" && e.Name == info.Name,
			e.Alias != "" && e.Alias == info.Alias,
			e.Index != 0 && e.Index == ifIndex:
			return e.Line
		}
	}
	return ""
}

// lineChange is a change of a configured line's interface worth a log line.
type lineChange struct {
	line     string
	selector string
	oldIndex int // 0 when not mapped before
	newIndex int // 0 when no longer mapped
	reason   string
}

// lineMapper resolves the configured interface → line map against one poll's
// rows and remembers enough to notice renumbering. Entries are identified by
// their position in the config, which is fixed for a prober's life (a config
// reload builds a new prober).
type lineMapper struct {
	// pinned is the ifName an index entry matched first. If the index later
	// carries another name the device renumbered: the line follows the name.
	pinned map[int]string
	// matched is the ifIndex an entry matched last (kept while unmatched, so
	// a reappearance at another index is reported).
	matched map[int]int
	// problem is the last reported reason an entry matched nothing, so each
	// problem is reported once, not every poll.
	problem map[int]string
}

func newLineMapper() lineMapper {
	return lineMapper{pinned: map[int]string{}, matched: map[int]int{}, problem: map[int]string{}}
}

// resolve maps ifIndex → line for this poll and lists what changed.
func (m *lineMapper) resolve(rows []ifRow, entries []InterfaceLine) (map[int]string, []lineChange) {
	byName := map[string][]int{}
	byAlias := map[string][]int{}
	byIndex := map[int]ifRow{}
	for _, r := range rows {
		byIndex[r.index] = r
		if r.name != "" {
			byName[r.name] = append(byName[r.name], r.index)
		}
		if r.alias != "" {
			byAlias[r.alias] = append(byAlias[r.alias], r.index)
		}
	}
	unique := func(list []int, what string) (int, string) {
		switch len(list) {
		case 1:
			return list[0], ""
		case 0:
			return 0, "no interface has " + what
		}
		return 0, fmt.Sprintf("%d interfaces have %s", len(list), what)
	}
	lines := map[int]string{}
	var changes []lineChange
	for i, e := range entries {
		var idx int
		var reason, selector string
		switch {
		case e.Name != "":
			selector = "name " + e.Name
			idx, reason = unique(byName[e.Name], "this ifName")
		case e.Alias != "":
			selector = "alias " + e.Alias
			idx, reason = unique(byAlias[e.Alias], "this ifAlias")
		default:
			selector = fmt.Sprintf("index %d", e.Index)
			idx, reason = m.byIndex(i, e.Index, byIndex, byName)
		}
		if other, taken := lines[idx]; idx != 0 && taken {
			idx, reason = 0, fmt.Sprintf("ifIndex %d is already mapped to line %s", idx, other)
		}
		prev := m.matched[i]
		switch {
		case idx != 0:
			lines[idx] = e.Line
			if prev != 0 && prev != idx {
				changes = append(changes, lineChange{e.Line, selector, prev, idx, "ifIndex changed"})
			} else if m.problem[i] != "" {
				changes = append(changes, lineChange{e.Line, selector, 0, idx, "mapped again"})
			}
			m.matched[i], m.problem[i] = idx, ""
		case reason != m.problem[i]:
			changes = append(changes, lineChange{e.Line, selector, prev, 0, reason})
			m.problem[i] = reason
		}
	}
	return lines, changes
}

// byIndex resolves an index entry with its pin.
func (m *lineMapper) byIndex(entry, index int, byIndex map[int]ifRow, byName map[string][]int) (int, string) {
	row, present := byIndex[index]
	pin, pinned := m.pinned[entry]
	switch {
	case present && (!pinned || row.name == pin):
		if !pinned && row.name != "" {
			m.pinned[entry] = row.name
		}
		return index, ""
	case pinned && len(byName[pin]) == 1:
		// The index moved away from the interface first seen there; follow
		// the name rather than silently report another port as the line.
		return byName[pin][0], ""
	case pinned && present:
		return 0, fmt.Sprintf("ifIndex %d now carries %q, not %q as when first mapped", index, row.name, pin)
	case pinned:
		return 0, fmt.Sprintf("ifIndex %d and interface %q are gone", index, pin)
	}
	return 0, fmt.Sprintf("no interface has ifIndex %d", index)
}
