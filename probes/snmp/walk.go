package snmp

import (
	"fmt"
	"strconv"

	"github.com/gosnmp/gosnmp"
)

// column is one table column to walk; id is the caller's name for it.
type column struct {
	id  int
	oid string
}

// walkResult is a walk's harvest: cells[ifIndex][column id].
type walkResult struct {
	uptime    uint32
	hasUptime bool
	cells     map[int]map[int]gosnmp.SnmpPDU
	varbinds  int
	requests  int
}

// maxWalkRequests stops a walk through an agent that never says "end": the
// round's deadline would too, but this fails with a reason.
const maxWalkRequests = 5000

// pduError is an error-status in a response PDU.
type pduError struct{ status gosnmp.SNMPError }

func (e *pduError) Error() string {
	return fmt.Sprintf("device answered with error-status %s", e.status)
}

// walkColumns walks several columns of a table side by side: each request
// carries the current position of every unfinished column, so one GetBulk
// with max-repetitions r returns r rows of all of them. The first request
// also carries sysUpTime as a non-repeater, so uptime and counters come from
// the same moment. With bulk false (SNMPv1) it uses GetNext, one row each.
func walkColumns(c conn, bulk bool, maxReps int, cols []column) (*walkResult, error) {
	res := &walkResult{cells: map[int]map[int]gosnmp.SnmpPDU{}}
	cursor := make([]string, len(cols))
	active := make([]int, len(cols))
	for i, col := range cols {
		cursor[i], active[i] = col.oid, i
	}
	first := true
	for len(active) > 0 {
		if res.requests >= maxWalkRequests {
			return res, fmt.Errorf("table walk did not end after %d requests", res.requests)
		}
		nr := 0
		oids := make([]string, 0, len(active)+1)
		if first {
			oids, nr = append(oids, oidSysUpTime), 1
		}
		for _, i := range active {
			oids = append(oids, cursor[i])
		}
		var pkt *gosnmp.SnmpPacket
		var err error
		res.requests++
		if bulk {
			pkt, err = c.GetBulk(oids, uint8(nr), uint32(maxReps))
		} else {
			pkt, err = c.GetNext(oids)
		}
		if err != nil {
			return res, err
		}
		if pkt.Error != gosnmp.NoError {
			switch {
			case !bulk && pkt.Error == gosnmp.NoSuchName && int(pkt.ErrorIndex) > nr && int(pkt.ErrorIndex) <= len(oids):
				// SNMPv1 says "end of MIB" for one varbind this way: drop
				// that column and ask again for the others.
				drop := int(pkt.ErrorIndex) - 1 - nr
				active = append(append([]int(nil), active[:drop]...), active[drop+1:]...)
				continue
			case !bulk && pkt.Error == gosnmp.NoSuchName && first:
				first = false // no sysUpTime: walk without it
				continue
			case bulk && pkt.Error == gosnmp.TooBig && maxReps > 1:
				maxReps /= 2
				continue
			}
			return res, &pduError{pkt.Error}
		}
		vars := pkt.Variables
		res.varbinds += len(vars)
		if first {
			first = false
			if len(vars) > 0 && normOID(vars[0].Name) == oidSysUpTime0 {
				if v, ok := Uint64(vars[0]); ok && vars[0].Type == gosnmp.TimeTicks {
					res.uptime, res.hasUptime = uint32(v), true
				}
			}
			if len(vars) < nr {
				return res, fmt.Errorf("empty response to a table walk")
			}
			vars = vars[nr:]
		}
		if len(vars) == 0 {
			return res, fmt.Errorf("empty response to a table walk")
		}
		k := len(active)
		done := make(map[int]bool, k)
		for j, v := range vars {
			ci := active[j%k]
			if done[ci] {
				continue
			}
			name := normOID(v.Name)
			inst, ok := under(name, cols[ci].oid)
			if endOfColumn(v.Type) || !ok || !oidLess(cursor[ci], name) {
				// Past the column, or an agent that does not move forward.
				done[ci] = true
				continue
			}
			cursor[ci] = name
			idx, err := strconv.Atoi(inst)
			if err != nil || idx <= 0 {
				continue // not a single-arc ifIndex: not an interface row
			}
			row := res.cells[idx]
			if row == nil {
				row = map[int]gosnmp.SnmpPDU{}
				res.cells[idx] = row
			}
			row[cols[ci].id] = v
		}
		next := active[:0]
		for _, i := range active {
			if !done[i] {
				next = append(next, i)
			}
		}
		active = next
		if !bulk && len(vars) < k {
			return res, fmt.Errorf("GetNext answered %d of %d varbinds", len(vars), k)
		}
	}
	return res, nil
}
