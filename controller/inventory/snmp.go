package inventory

import (
	"context"
	"sort"
)

// SNMPDevice is one SNMP device (an element with an snmp_address) a
// network-side agent polls, with the lines its interfaces carry.
type SNMPDevice struct {
	// Element is the device: its SNMPAddress is the poll target, its
	// SNMPProfile names the credentials in the controller's config.
	Element Element
	// Lines are the lines mapped to an interface of the device (SNMPIfName
	// or SNMPIfAlias set), ordered by circuit id.
	Lines []Line
}

// SNMPDeviceOf returns the element whose interface carries l: its
// snmp_device, or else the nearest element at or above its upstream
// element for which isDevice holds; "" when there is none. parent maps
// element ids to their parent ids.
func SNMPDeviceOf(l Line, parent map[string]string, isDevice func(id string) bool) string {
	if l.SNMPDevice != "" {
		return l.SNMPDevice
	}
	id := l.UpstreamElement
	for depth := 0; id != "" && depth < maxDepth; depth++ {
		if isDevice(id) {
			return id
		}
		id = parent[id]
	}
	return ""
}

// pollerOf is the agent of the nearest element at or above id that names
// one: the network-side agent at the device's PoP.
func pollerOf(id string, byID map[string]Element) string {
	for depth := 0; id != "" && depth < maxDepth; depth++ {
		e, ok := byID[id]
		if !ok {
			return ""
		}
		if e.Agent != "" {
			return e.Agent
		}
		id = e.ParentID
	}
	return ""
}

// snmpAssignments finds every polled device and its lines, by polling
// agent. Two queries whatever the size of the tree; the walk is in memory.
func (s *SQLStore) snmpAssignments(ctx context.Context) (map[string][]SNMPDevice, error) {
	elems, err := list(ctx, s.db, scanElement, `SELECT `+elementCols+` FROM upstream_elements`)
	if err != nil {
		return nil, err
	}
	lines, err := list(ctx, s.db, scanLine, `SELECT `+lineCols+` FROM lines
		WHERE snmp_ifname <> '' OR snmp_ifalias <> '' ORDER BY circuit_id`)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Element, len(elems))
	parent := make(map[string]string, len(elems))
	for _, e := range elems {
		byID[e.ID], parent[e.ID] = e, e.ParentID
	}
	isDevice := func(id string) bool { return byID[id].SNMPAddress != "" }
	carried := map[string][]Line{}
	for _, l := range lines {
		if d := SNMPDeviceOf(l, parent, isDevice); d != "" {
			carried[d] = append(carried[d], l)
		}
	}
	out := map[string][]SNMPDevice{}
	for _, e := range elems { // ordered by id: the derived config is stable
		if e.SNMPAddress == "" {
			continue
		}
		if agent := pollerOf(e.ID, byID); agent != "" {
			out[agent] = append(out[agent], SNMPDevice{Element: e, Lines: carried[e.ID]})
		}
	}
	return out, nil
}

// mergeDevices attaches each agent's devices to its first site assignment,
// or to a new assignment without a site (an agent at a PoP), keeping the
// list ordered by agent.
func mergeDevices(as []Assignment, devices map[string][]SNMPDevice) []Assignment {
	for i := range as {
		if d, ok := devices[as[i].Agent]; ok {
			as[i].Devices = d
			delete(devices, as[i].Agent)
		}
	}
	for agent, d := range devices {
		as = append(as, Assignment{Agent: agent, Devices: d})
	}
	sort.SliceStable(as, func(i, j int) bool { return as[i].Agent < as[j].Agent })
	return as
}

// networkSideQuery selects (agent, circuit_id) for every agent an element
// names: it watches the lines hanging at or below that element, and those
// whose snmp_device is at or below it. One query for every agent at once
// (WatchedLines); LinesWatchedFromNetwork filters it to one.
const networkSideQuery = `WITH RECURSIVE mine(agent, id) AS (
			SELECT agent, id FROM upstream_elements WHERE agent <> ''
			UNION SELECT mine.agent, e.id FROM upstream_elements e JOIN mine ON e.parent_id = mine.id)
		SELECT mine.agent AS agent, l.circuit_id AS circuit_id FROM lines l JOIN mine ON l.upstream_element_id = mine.id
		UNION SELECT mine.agent, l.circuit_id FROM lines l JOIN mine ON l.snmp_device = mine.id`

// LinesWatchedFromNetwork lists the lines agent watches from the network
// side (networkSideQuery), ordered by circuit id. Results an agent
// publishes about these lines (SNMP interface state, traps, pings from the
// PoP towards the CPE) are evidence the agent is entitled to give
// (controller/evidence asks WatchedLines, which holds this rule).
func (s *SQLStore) LinesWatchedFromNetwork(ctx context.Context, agent string) ([]string, error) {
	if agent == "" {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT circuit_id FROM (`+networkSideQuery+`) AS n WHERE agent = ? ORDER BY circuit_id`, agent)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
