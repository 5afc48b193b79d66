package snmp

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/gosnmp/gosnmp"
)

// OIDs used here, written without gosnmp's leading dot.
const (
	oidSysUpTime  = "1.3.6.1.2.1.1.3"   // sysUpTime; its instance is .0
	oidIfEntry    = "1.3.6.1.2.1.2.2.1" // ifTable row
	oidIfXEntry   = "1.3.6.1.2.1.31.1.1.1"
	oidSysUpTime0 = oidSysUpTime + ".0"
)

// parseOID checks a numeric OID (optionally with a leading dot) and returns
// it without the dot.
func parseOID(s string) (string, bool) {
	s = strings.TrimPrefix(s, ".")
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return "", false
	}
	for _, p := range parts {
		if p == "" || len(p) > 10 {
			return "", false
		}
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil || (len(p) > 1 && p[0] == '0') || n > math.MaxUint32 {
			return "", false
		}
	}
	return s, true
}

// normOID strips gosnmp's leading dot.
func normOID(s string) string { return strings.TrimPrefix(s, ".") }

// under reports whether oid lies strictly below prefix, and returns the rest.
func under(oid, prefix string) (string, bool) {
	if len(oid) <= len(prefix)+1 || oid[:len(prefix)] != prefix || oid[len(prefix)] != '.' {
		return "", false
	}
	return oid[len(prefix)+1:], true
}

// oidLess compares two numeric OIDs arc by arc.
func oidLess(a, b string) bool {
	for a != "" && b != "" {
		var x, y string
		x, a, _ = strings.Cut(a, ".")
		y, b, _ = strings.Cut(b, ".")
		if x == y {
			continue
		}
		if len(x) != len(y) {
			return len(x) < len(y)
		}
		return x < y
	}
	return a == "" && b != ""
}

// endOfColumn reports values that end a walk of a column.
func endOfColumn(t gosnmp.Asn1BER) bool {
	return t == gosnmp.EndOfMibView || t == gosnmp.NoSuchObject || t == gosnmp.NoSuchInstance
}

// Uint64 reads an integer-like value (counter, gauge, time ticks,
// integer); other types and negative integers are refused. The trap
// listener reads trap varbinds with it too.
func Uint64(v gosnmp.SnmpPDU) (uint64, bool) {
	switch v.Type {
	case gosnmp.Counter32, gosnmp.Counter64, gosnmp.Gauge32, gosnmp.TimeTicks, gosnmp.Integer, gosnmp.Uinteger32:
	default:
		return 0, false
	}
	b := gosnmp.ToBigInt(v.Value)
	if b == nil || b.Sign() < 0 || !b.IsUint64() {
		return 0, false
	}
	return b.Uint64(), true
}

// toFloat reads a numeric value, including numbers sent as text (many radio
// modems report "-95" or "-95 dBm" as an OCTET STRING).
func toFloat(v gosnmp.SnmpPDU) (float64, bool) {
	switch v.Type {
	case gosnmp.Counter32, gosnmp.Counter64, gosnmp.Gauge32, gosnmp.TimeTicks, gosnmp.Integer, gosnmp.Uinteger32:
		b := gosnmp.ToBigInt(v.Value)
		if b == nil {
			return 0, false
		}
		f, _ := new(big.Float).SetInt(b).Float64()
		return f, true
	case gosnmp.OpaqueFloat:
		f, ok := v.Value.(float32)
		return float64(f), ok
	case gosnmp.OpaqueDouble:
		f, ok := v.Value.(float64)
		return f, ok
	case gosnmp.OctetString:
		b, ok := v.Value.([]byte)
		if !ok {
			return 0, false
		}
		field := strings.Fields(string(b))
		if len(field) == 0 {
			return 0, false
		}
		f, err := strconv.ParseFloat(field[0], 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

// toString reads an OCTET STRING as printable text (control bytes dropped,
// so a tag value stays valid).
func toString(v gosnmp.SnmpPDU) string {
	b, ok := v.Value.([]byte)
	if !ok || v.Type != gosnmp.OctetString {
		return ""
	}
	s := strings.ToValidUTF8(string(b), "")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return -1
		}
		return r
	}, s)
	if len(s) > 256 {
		s = s[:256]
		s = strings.ToValidUTF8(s, "")
	}
	return s
}
