// Package ping is the "ping" probe type: each round sends count ICMP echo
// requests to one target and reports min / avg / max RTT, jitter (the
// standard deviation of the RTTs), packets sent and received, and loss.
//
// # Engines
//
// Two engines send the packets, and the choice is about fan-out:
//
//   - shared (the default for IPv4): one ICMP socket per agent process, one
//     receive goroutine matching replies to requests by (address, sequence),
//     and one timer loop for every round's later requests and deadline: a
//     round is a record, not a goroutine (the agent starts it through
//     probe.Starter). With CAP_NET_RAW it is a raw
//     socket; without, an unprivileged ICMP datagram socket (needs the agent's
//     group inside net.ipv4.ping_group_range). One socket means one reader no
//     matter how many targets: 5,000 targets at 1 Hz cost about as much CPU
//     as fping (docs/BENCHMARKS.md).
//   - pro-bing: one github.com/prometheus-community/pro-bing Pinger per
//     round. Used for IPv6 targets and when a probe sets engine: pro-bing.
//     With privileged raw sockets it does not scale: the kernel hands every
//     echo reply to every raw socket, so N concurrent Pingers do N² work
//     (measured: 2 cores busy and 23% loss near 3,000 targets). Unprivileged
//     it scales to a few thousand targets at about 6x the shared engine's CPU.
//
// Which socket is used is decided once, when the first ping probe is built:
// raw if the process may open one, otherwise unprivileged, otherwise the agent
// refuses to start with an error naming the capability and the sysctl.
//
// A round is bounded by the probe's timeout, judged by the kernel's receive
// time: a reply received later is late, not received; one received in time
// but not yet read (the reader waiting for a CPU) still counts, the round
// waiting for the reader up to readerGrace more.
package ping
