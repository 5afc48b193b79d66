// Package result is the wire contract between agents and the controller: one
// Result per probe execution (or per interface of an SNMP poll), grouped into a
// Batch per NATS message, and a Schema per InfluxDB measurement that both sides
// check against.
//
// The controller imports only this package from probes/, so the agent's probe
// code never becomes a controller dependency and vice versa.
package result
