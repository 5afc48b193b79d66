package snmp

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/gosnmp/gosnmp"
)

// fakeAgent is an SNMP agent in memory: Get, GetNext and GetBulk over a
// sorted MIB, with the end-of-view rules of RFC 3416. It is the conn seam's
// test double.
type fakeAgent struct {
	mu       sync.Mutex
	mib      map[string]gosnmp.SnmpPDU
	sorted   []string
	v1       bool  // answer the end of the MIB with noSuchName, as SNMPv1 does
	err      error // returned by every request when set
	requests int
	block    chan struct{} // when set, requests wait for it or for ctx
	ctx      context.Context
}

func newFakeAgent() *fakeAgent { return &fakeAgent{mib: map[string]gosnmp.SnmpPDU{}} }

func (f *fakeAgent) set(oid string, t gosnmp.Asn1BER, v any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.mib[oid]; !ok {
		f.sorted = append(f.sorted, oid)
		sort.Slice(f.sorted, func(i, j int) bool { return oidLess(f.sorted[i], f.sorted[j]) })
	}
	f.mib[oid] = gosnmp.SnmpPDU{Name: "." + oid, Type: t, Value: v}
}

func (f *fakeAgent) next(oid string) gosnmp.SnmpPDU {
	oid = normOID(oid)
	i := sort.Search(len(f.sorted), func(i int) bool { return oidLess(oid, f.sorted[i]) })
	if i == len(f.sorted) {
		return gosnmp.SnmpPDU{Name: "." + oid, Type: gosnmp.EndOfMibView}
	}
	return f.mib[f.sorted[i]]
}

func (f *fakeAgent) start() error {
	f.mu.Lock()
	f.requests++
	block, ctx, err := f.block, f.ctx, f.err
	f.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return fmt.Errorf("request timeout (after 0 retries): %w", gosnmp.ErrMaxRetriesExceeded)
		}
	}
	return err
}

func (f *fakeAgent) Get(oids []string) (*gosnmp.SnmpPacket, error) {
	if err := f.start(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	pkt := &gosnmp.SnmpPacket{}
	for i, o := range oids {
		v, ok := f.mib[normOID(o)]
		if !ok {
			if f.v1 {
				return &gosnmp.SnmpPacket{Error: gosnmp.NoSuchName, ErrorIndex: uint8(i + 1)}, nil
			}
			v = gosnmp.SnmpPDU{Name: "." + normOID(o), Type: gosnmp.NoSuchObject}
		}
		pkt.Variables = append(pkt.Variables, v)
	}
	return pkt, nil
}

func (f *fakeAgent) GetNext(oids []string) (*gosnmp.SnmpPacket, error) {
	if err := f.start(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	pkt := &gosnmp.SnmpPacket{}
	for i, o := range oids {
		v := f.next(o)
		if v.Type == gosnmp.EndOfMibView && f.v1 {
			return &gosnmp.SnmpPacket{Error: gosnmp.NoSuchName, ErrorIndex: uint8(i + 1)}, nil
		}
		pkt.Variables = append(pkt.Variables, v)
	}
	return pkt, nil
}

func (f *fakeAgent) GetBulk(oids []string, nonRepeaters uint8, maxReps uint32) (*gosnmp.SnmpPacket, error) {
	if err := f.start(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	pkt := &gosnmp.SnmpPacket{}
	nr := int(nonRepeaters)
	for i := 0; i < nr && i < len(oids); i++ {
		pkt.Variables = append(pkt.Variables, f.next(oids[i]))
	}
	cursor := append([]string(nil), oids[nr:]...)
	for r := 0; r < int(maxReps); r++ {
		allEnd := true
		for j := range cursor {
			v := f.next(cursor[j])
			cursor[j] = normOID(v.Name)
			if v.Type != gosnmp.EndOfMibView {
				allEnd = false
			}
			pkt.Variables = append(pkt.Variables, v)
		}
		if allEnd {
			break
		}
	}
	return pkt, nil
}

func (f *fakeAgent) bind(ctx context.Context) {
	f.mu.Lock()
	f.ctx = ctx
	f.mu.Unlock()
}

func (f *fakeAgent) Close() error { return nil }

// fakeIf is one interface of a fake device.
type fakeIf struct {
	index       int
	name, alias string
	up          bool
	lastChange  uint32
	in, out     uint64 // octets
	inErr       uint32
	no64        bool // only 32-bit counters
	speedMbps   uint32
}

// load writes a device's sysUpTime and interface tables into the MIB,
// replacing what was there.
func (f *fakeAgent) load(uptime uint32, ifs []fakeIf) {
	f.mu.Lock()
	f.mib, f.sorted = map[string]gosnmp.SnmpPDU{}, nil
	f.mu.Unlock()
	f.set(oidSysUpTime0, gosnmp.TimeTicks, uptime)
	status := func(up bool) int {
		if up {
			return 1
		}
		return 2
	}
	for _, i := range ifs {
		e := func(col int) string { return fmt.Sprintf("%s.%d.%d", oidIfEntry, col, i.index) }
		x := func(col int) string { return fmt.Sprintf("%s.%d.%d", oidIfXEntry, col, i.index) }
		f.set(e(2), gosnmp.OctetString, []byte(i.name))
		f.set(e(7), gosnmp.Integer, 1)
		f.set(e(8), gosnmp.Integer, status(i.up))
		f.set(e(9), gosnmp.TimeTicks, i.lastChange)
		f.set(e(10), gosnmp.Counter32, uint(uint32(i.in)))
		f.set(e(14), gosnmp.Counter32, uint(i.inErr))
		f.set(e(16), gosnmp.Counter32, uint(uint32(i.out)))
		f.set(e(20), gosnmp.Counter32, uint(0))
		f.set(x(1), gosnmp.OctetString, []byte(i.name))
		if !i.no64 {
			f.set(x(6), gosnmp.Counter64, i.in)
			f.set(x(10), gosnmp.Counter64, i.out)
		}
		f.set(x(15), gosnmp.Gauge32, uint(i.speedMbps))
		f.set(x(18), gosnmp.OctetString, []byte(i.alias))
	}
}
