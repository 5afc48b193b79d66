// Package trap is the agent's SNMP trap listener. It receives v1, v2c and v3
// traps (and informs) on one UDP address and turns linkDown, linkUp,
// coldStart and warmStart into snmp_event samples (source=trap), handed to
// the agent at once instead of waiting for the next poll.
//
// # Trust
//
// A trap is accepted only from a source address listed in the config, and
// only with that source's community (v1/v2c) or v3 user, whose digest and
// encryption gosnmp checks. gosnmp's decoder does not look at the community
// at all, so the listener compares it itself, in constant time. Everything
// refused is counted by reason (vantage_agent_snmp_traps_dropped_total) and
// logged at most once per reason every few seconds, with the source address
// but never the community or a v3 password.
//
// # Why not gosnmp.TrapListener
//
// TrapListener decodes inside its read loop, logs and swallows every decode
// error (so wrong credentials and malformed packets cannot be counted apart),
// and holds one set of credentials for all sources. This package owns the
// UDP socket instead: the read loop only copies each datagram into a bounded
// queue (a full queue drops and counts, it never blocks the socket), and one
// worker decodes with gosnmp's own UnmarshalTrap using the credentials of the
// datagram's source, then forwards. A flap storm therefore waits in the
// queue, not in the kernel's socket buffer behind a slow publish.
//
// # Mapping
//
// The device tag is the source's configured device name (by default its
// address), so trap events land on the same series as the poller's. The
// interface comes from the ifIndex varbind; its name from ifName/ifDescr
// varbinds when the device sends them, else from the poller's last view of
// the device; its line from the source's interfaces map (the snmp probe's
// format) or, if the source has none, from the poller's line map.
package trap
