package snmp

import (
	"fmt"

	"github.com/gosnmp/gosnmp"

	"github.com/vantage-net/vantage/probes/probe"
)

// getScalars reads the configured OIDs with as few Gets as gosnmp allows.
// A missing OID costs only its own value: SNMPv2 marks it noSuchObject, and
// for SNMPv1's all-or-nothing noSuchName the rest is asked again without it.
// A transport error (timeout, auth) fails the whole read.
func getScalars(c conn, list []Scalar) (map[string]gosnmp.SnmpPDU, map[string]string, error) {
	vals := map[string]gosnmp.SnmpPDU{}
	errs := map[string]string{}
	pending := append([]Scalar(nil), list...)
	for len(pending) > 0 {
		n := min(len(pending), gosnmp.MaxOids)
		batch := pending[:n]
		oids := make([]string, n)
		for i, s := range batch {
			oids[i], _ = parseOID(s.OID)
		}
		pkt, err := c.Get(oids)
		if err != nil {
			return nil, nil, err
		}
		if pkt.Error == gosnmp.NoSuchName && pkt.ErrorIndex >= 1 && int(pkt.ErrorIndex) <= n {
			bad := int(pkt.ErrorIndex) - 1
			errs[batch[bad].Name] = "the device has no object at " + oids[bad]
			pending = append(append([]Scalar(nil), pending[:bad]...), pending[bad+1:]...)
			continue
		}
		if pkt.Error != gosnmp.NoError {
			return nil, nil, &pduError{pkt.Error}
		}
		for i, s := range batch {
			switch {
			case i >= len(pkt.Variables):
				errs[s.Name] = "the device returned no value"
			case endOfColumn(pkt.Variables[i].Type):
				errs[s.Name] = "the device has no object at " + oids[i]
			default:
				vals[s.Name] = pkt.Variables[i]
			}
		}
		pending = pending[n:]
	}
	return vals, errs, nil
}

// scalarSamples renders the configured scalars of one poll. A counter becomes
// a per-second rate against the previous poll, with the same wrap and reset
// rules as interface counters; its first poll (and the first after a reboot)
// has no value.
func (s *deviceState) scalarSamples(device string, snap snapshot, cont bool, seconds float64, cfg Device) []probe.Sample {
	var out []probe.Sample
	next := map[string]counter{}
	for _, sc := range cfg.Scalars {
		tags := map[string]string{"device": device, "metric": sc.Name}
		if why, bad := snap.scalarErr[sc.Name]; bad {
			out = append(out, probe.Sample{Measurement: MeasurementScalar, Tags: tags, Error: probe.ErrProtocol, Detail: why})
			continue
		}
		v, ok := snap.scalars[sc.Name]
		if !ok {
			continue
		}
		if sc.Type != "counter" {
			f, ok := toFloat(v)
			if !ok {
				out = append(out, probe.Sample{Measurement: MeasurementScalar, Tags: tags, Error: probe.ErrProtocol,
					Detail: fmt.Sprintf("value of type %s at %s is not a number", v.Type, sc.OID)})
				continue
			}
			out = append(out, probe.Sample{Measurement: MeasurementScalar, Tags: tags, Fields: map[string]float64{"value": f * sc.Scale}})
			continue
		}
		n, ok := Uint64(v)
		if !ok {
			out = append(out, probe.Sample{Measurement: MeasurementScalar, Tags: tags, Error: probe.ErrProtocol,
				Detail: fmt.Sprintf("value of type %s at %s is not a counter", v.Type, sc.OID)})
			continue
		}
		cur := counter{n, 64}
		if v.Type == gosnmp.Counter32 {
			cur.bits = 32
		}
		next[sc.Name] = cur
		if !cont || seconds <= 0 {
			continue
		}
		if d, _, ok := counterDelta(s.scalars[sc.Name], cur); ok {
			out = append(out, probe.Sample{Measurement: MeasurementScalar, Tags: tags,
				Fields: map[string]float64{"value": float64(d) / seconds * sc.Scale}})
		}
	}
	s.scalars = next
	return out
}
