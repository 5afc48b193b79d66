package snmp

import (
	"sort"

	"github.com/gosnmp/gosnmp"
)

// IF-MIB columns a poll reads (RFC 2863).
const (
	colDescr = iota
	colAdmin
	colOper
	colLastChange
	colInOctets
	colInErrors
	colOutOctets
	colOutErrors
	colName
	colHCInOctets
	colHCOutOctets
	colHighSpeed
	colAlias
	colDiscontinuity
)

// ifColumns are walked together. ifDescr stands in for ifName on devices
// without ifXTable; ifHighSpeed lets a 32-bit wrap be told from a reset;
// ifCounterDiscontinuityTime says when counters restarted without a reboot.
var ifColumns = []column{
	{colDescr, oidIfEntry + ".2"},
	{colAdmin, oidIfEntry + ".7"},
	{colOper, oidIfEntry + ".8"},
	{colLastChange, oidIfEntry + ".9"},
	{colInOctets, oidIfEntry + ".10"},
	{colInErrors, oidIfEntry + ".14"},
	{colOutOctets, oidIfEntry + ".16"},
	{colOutErrors, oidIfEntry + ".20"},
	{colName, oidIfXEntry + ".1"},
	{colHCInOctets, oidIfXEntry + ".6"},
	{colHCOutOctets, oidIfXEntry + ".10"},
	{colHighSpeed, oidIfXEntry + ".15"},
	{colAlias, oidIfXEntry + ".18"},
	{colDiscontinuity, oidIfXEntry + ".19"},
}

// ifStatus values of ifAdminStatus / ifOperStatus that mean "up". Every other
// value (down, testing, dormant, lowerLayerDown, ...) carries no traffic for
// the customer, so it is not up.
const ifStatusUp = 1

// counter is one counter reading; bits 0 means the device did not give one.
type counter struct {
	v    uint64
	bits uint8
}

// ifRow is one interface as read by one poll.
type ifRow struct {
	index      int
	name       string // ifName, or ifDescr without ifXTable
	alias      string
	admin      int
	oper       int
	lastChange uint32 // sysUpTime ticks (1/100 s) of the last oper change
	hasLC      bool
	in, out    counter // 64-bit when the device has them, else 32-bit
	inErrors   counter
	outErrors  counter
	speedMbps  uint64 // ifHighSpeed; 0 = unknown
	disc       uint32 // ifCounterDiscontinuityTime
	hasDisc    bool
}

// label is what a line map and a trap match an interface by.
func (r ifRow) label() IfInfo { return IfInfo{Name: r.name, Alias: r.alias} }

// snapshot is one poll's reading of a device.
type snapshot struct {
	uptime    uint32 // sysUpTime ticks
	hasUptime bool
	rows      []ifRow // sorted by index
	scalars   map[string]gosnmp.SnmpPDU
	scalarErr map[string]string // scalar name → why it has no value
}

// rowsFrom turns walked cells into rows.
func rowsFrom(w *walkResult) []ifRow {
	rows := make([]ifRow, 0, len(w.cells))
	for idx, cells := range w.cells {
		r := ifRow{index: idx}
		num := func(col int) (uint64, bool) {
			v, ok := cells[col]
			if !ok {
				return 0, false
			}
			return Uint64(v)
		}
		r.name = toString(cells[colName])
		if r.name == "" {
			r.name = toString(cells[colDescr])
		}
		r.alias = toString(cells[colAlias])
		if v, ok := num(colAdmin); ok {
			r.admin = int(v)
		}
		if v, ok := num(colOper); ok {
			r.oper = int(v)
		}
		if v, ok := num(colLastChange); ok {
			r.lastChange, r.hasLC = uint32(v), true
		}
		r.in = pickCounter(cells, colHCInOctets, colInOctets)
		r.out = pickCounter(cells, colHCOutOctets, colOutOctets)
		r.inErrors = pickCounter(cells, -1, colInErrors)
		r.outErrors = pickCounter(cells, -1, colOutErrors)
		r.speedMbps, _ = num(colHighSpeed)
		if v, ok := num(colDiscontinuity); ok {
			r.disc, r.hasDisc = uint32(v), true
		}
		rows = append(rows, r)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].index < rows[j].index })
	return rows
}

// pickCounter prefers the 64-bit column and falls back to the 32-bit one;
// the width decides how a smaller reading is read (wrap or reset).
func pickCounter(cells map[int]gosnmp.SnmpPDU, hc, c32 int) counter {
	if v, ok := cells[hc]; ok && v.Type == gosnmp.Counter64 {
		if n, ok := Uint64(v); ok {
			return counter{n, 64}
		}
	}
	if v, ok := cells[c32]; ok && v.Type == gosnmp.Counter32 {
		if n, ok := Uint64(v); ok && n <= 0xffffffff {
			return counter{n, 32}
		}
	}
	return counter{}
}
