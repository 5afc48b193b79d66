// Package agentrun runs a built vantage-agent binary — natively, or for
// another CPU under qemu-user — against real parts on loopback: an
// in-process NATS server with the results stream, an HTTP server, a TCP
// listener and a DNS server. It reads back what the agent published and
// what the process cost (CPU, RSS). The packaging tests and
// bench/footprint use it; nothing here leaves 127.0.0.0/8.
package agentrun
