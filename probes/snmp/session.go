package snmp

import (
	"context"

	"github.com/gosnmp/gosnmp"
)

// conn is the part of gosnmp a poll uses. Tests swap in a fake agent that
// serves a table from memory, so walk, counter and flap logic run without
// root or a network.
type conn interface {
	Get(oids []string) (*gosnmp.SnmpPacket, error)
	GetNext(oids []string) (*gosnmp.SnmpPacket, error)
	GetBulk(oids []string, nonRepeaters uint8, maxRepetitions uint32) (*gosnmp.SnmpPacket, error)
}

// session is one device's connection. It belongs to that device and is used
// by one round at a time: gosnmp's GoSNMP is not safe for concurrent use.
type session interface {
	conn
	// bind makes the next requests give up when ctx ends.
	bind(ctx context.Context)
	Close() error
}

// dialFunc opens a session to target with d's settings (defaults applied).
type dialFunc func(ctx context.Context, target string, d Device) (session, error)

// gosnmpSession is the production session.
type gosnmpSession struct{ *gosnmp.GoSNMP }

func (s gosnmpSession) bind(ctx context.Context) { s.Context = ctx }

func (s gosnmpSession) Close() error { return s.GoSNMP.Close() }

// dialGoSNMP opens a UDP "connection" (a connected socket: ICMP port
// unreachable then surfaces as "refused" instead of a timeout). For v3 the
// engine discovery happens on the first request and is kept for later
// rounds, which saves one round trip per poll.
func dialGoSNMP(ctx context.Context, target string, d Device) (session, error) {
	host, port, err := splitTarget(target)
	if err != nil {
		return nil, err
	}
	version, _ := snmpVersion(d.Version)
	g := &gosnmp.GoSNMP{
		Target:         host,
		Port:           port,
		Transport:      "udp",
		Version:        version,
		Community:      string(d.Community),
		Timeout:        d.RequestTimeout,
		Retries:        *d.Retries,
		MaxOids:        gosnmp.MaxOids,
		MaxRepetitions: uint32(d.MaxRepetitions),
		Context:        ctx,
	}
	if version == gosnmp.Version3 {
		sp, flags, err := d.V3.USM()
		if err != nil {
			return nil, err
		}
		g.SecurityModel = gosnmp.UserSecurityModel
		g.MsgFlags = flags
		g.SecurityParameters = sp
		g.ContextName = d.V3.Context
	}
	if err := g.Connect(); err != nil {
		return nil, err
	}
	return gosnmpSession{g}, nil
}
