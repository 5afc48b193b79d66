// Package snmp is the "snmp" probe type: it polls network devices over SNMP
// v1, v2c or v3 and turns IF-MIB interface tables into snmp_if samples,
// configured scalar OIDs (a hotspot router's RSRP, SINR, RSSI) into snmp
// samples, and changes it can infer between polls into snmp_event samples.
//
// # One round
//
// The agent calls Probe(ctx, target) with target the device address
// (host[:port], default port 161). A round walks ifTable and ifXTable with
// multi-column GetBulk requests (GetNext for v1), reading sysUpTime in the
// same first request, then gets the configured scalars. Counter rates come
// from the difference to the previous round of the same device, so the first
// round after start (or after a device reboot) carries states but no rates.
//
// # What a poll can infer
//
//   - link_down / link_up: ifOperStatus differs from the previous round.
//   - unseen_flap: ifOperStatus reads the same but ifLastChange moved, so the
//     port changed at least twice between the rounds. ifLastChange, turned
//     into wall time through sysUpTime, bounds the end; the previous round
//     bounds the start. This is how a 30 s poll still counts a 2 s flap on a
//     router that keeps ifLastChange exact.
//   - reboot: sysUpTime went backwards. Counter baselines are dropped, so a
//     reboot never shows as a traffic spike.
//
// # Lines
//
// Interfaces map to a customer's line by ifName, ifAlias or ifIndex. Names and
// aliases survive ifIndex renumbering; an index mapping remembers the name it
// first saw and refuses to follow a renumbered index silently: it follows the
// name if it can and always logs and counts the change.
//
// # Sessions and concurrency
//
// gosnmp's GoSNMP is not safe for concurrent use, so each device owns its own
// session, used by at most one round at a time (the agent never polls one
// target twice at once; a per-device lock makes sure). Rounds of different
// devices run in parallel up to options.max_parallel, so a dead device only
// ever holds its own slot until its round times out.
//
// Credentials (community, v3 passwords) are Secret values: they print as
// "<redacted>", and error texts are scrubbed of them before they leave the
// package.
package snmp
