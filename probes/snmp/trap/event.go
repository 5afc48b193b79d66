package trap

import (
	"strconv"
	"strings"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/vantage-net/vantage/probes/snmp"
)

// OIDs a trap is read by (RFC 3418, RFC 2863), without the leading dot.
const (
	oidSysUpTime0    = "1.3.6.1.2.1.1.3.0"
	oidSnmpTrapOID0  = "1.3.6.1.6.3.1.1.4.1.0"
	oidSnmpTraps     = "1.3.6.1.6.3.1.1.5" // coldStart .1 … linkUp .4
	oidIfIndex       = "1.3.6.1.2.1.2.2.1.1"
	oidIfDescr       = "1.3.6.1.2.1.2.2.1.2"
	oidIfOperStatus  = "1.3.6.1.2.1.2.2.1.8"
	oidIfAdminStatus = "1.3.6.1.2.1.2.2.1.7"
	oidIfName        = "1.3.6.1.2.1.31.1.1.1.1"
	oidIfAlias       = "1.3.6.1.2.1.31.1.1.1.18"
)

// kinds maps the generic traps: SNMPv2 snmpTrapOID arcs under snmpTraps and
// SNMPv1 generic-trap numbers (RFC 3584 §3.1 lines them up: v1 n is v2 n+1).
var kinds = map[int]string{
	1: snmp.KindColdStart, 2: snmp.KindWarmStart, 3: snmp.KindLinkDown, 4: snmp.KindLinkUp,
}

// toEvent reads a generic trap into an event. ok is false for traps that are
// not one of the four kinds.
func toEvent(src *source, pkt *gosnmp.SnmpPacket, at time.Time, lookup LookupFunc) (snmp.Event, bool) {
	ev := snmp.Event{Device: src.device, Source: snmp.SourceTrap, At: at}
	var info snmp.IfInfo
	var oper int
	if pkt.PDUType == gosnmp.Trap {
		// SNMPv1: generic-trap 0..3; 6 is enterprise-specific.
		if pkt.GenericTrap < 0 || pkt.GenericTrap > 3 {
			return ev, false
		}
		ev.Kind = kinds[pkt.GenericTrap+1]
		ev.Uptime, ev.HasUptime = ticks(uint64(pkt.Timestamp)), true
	}
	for _, v := range pkt.Variables {
		name := strings.TrimPrefix(v.Name, ".")
		switch {
		case name == oidSysUpTime0:
			if n, ok := snmp.Uint64(v); ok {
				ev.Uptime, ev.HasUptime = ticks(n), true
			}
		case name == oidSnmpTrapOID0:
			oid, _ := v.Value.(string)
			arc, ok := strings.CutPrefix(strings.TrimPrefix(oid, "."), oidSnmpTraps+".")
			if !ok {
				return ev, false
			}
			n, err := strconv.Atoi(arc)
			if err != nil || kinds[n] == "" {
				return ev, false
			}
			ev.Kind = kinds[n]
		default:
			col, idx := column(name)
			if idx <= 0 {
				continue
			}
			switch col {
			case oidIfIndex, oidIfOperStatus, oidIfAdminStatus, oidIfDescr, oidIfName, oidIfAlias:
				if ev.IfIndex == 0 {
					ev.IfIndex = idx
				}
			}
			switch col {
			case oidIfIndex:
				if n, ok := snmp.Uint64(v); ok && n > 0 && n <= 1<<31-1 {
					ev.IfIndex = int(n)
				}
			case oidIfOperStatus:
				if n, ok := snmp.Uint64(v); ok {
					oper = int(n)
				}
			case oidIfName:
				info.Name = text(v)
			case oidIfDescr:
				if info.Name == "" {
					info.Name = text(v)
				}
			case oidIfAlias:
				info.Alias = text(v)
			}
		}
	}
	if ev.Kind == "" {
		return ev, false // v2 trap without snmpTrapOID
	}
	if ev.Kind == snmp.KindLinkDown || ev.Kind == snmp.KindLinkUp {
		// ifOperStatus in the trap is the state after the change; without
		// it, the trap's kind says it.
		up := ev.Kind == snmp.KindLinkUp
		if oper != 0 {
			up = oper == 1
		}
		ev.OperUp = &up
	}
	if ev.IfIndex > 0 {
		var polled snmp.IfInfo
		var known bool
		if lookup != nil {
			polled, known = lookup(src.device, ev.IfIndex)
		}
		if info.Name == "" {
			info.Name = polled.Name
		}
		if info.Alias == "" {
			info.Alias = polled.Alias
		}
		ev.IfName = info.Name
		if len(src.interfaces) > 0 {
			ev.Line = snmp.MatchLine(src.interfaces, ev.IfIndex, info)
		} else if known {
			ev.Line = polled.Line
		}
	}
	return ev, true
}

// column splits a table cell OID into its column and a single-arc index.
func column(oid string) (string, int) {
	i := strings.LastIndexByte(oid, '.')
	if i < 0 {
		return "", 0
	}
	n, err := strconv.Atoi(oid[i+1:])
	if err != nil {
		return "", 0
	}
	return oid[:i], n
}

// text reads an OCTET STRING as a printable tag value.
func text(v gosnmp.SnmpPDU) string {
	b, ok := v.Value.([]byte)
	if !ok || v.Type != gosnmp.OctetString {
		return ""
	}
	s := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return -1
		}
		return r
	}, strings.ToValidUTF8(string(b), ""))
	if len(s) > 256 {
		s = strings.ToValidUTF8(s[:256], "")
	}
	return s
}

// ticks converts sysUpTime hundredths of a second.
func ticks(n uint64) time.Duration { return time.Duration(n%(1<<32)) * 10 * time.Millisecond }
