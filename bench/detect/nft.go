package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// nftTable is the benchmark's nftables table in the PoP namespace: it
// counts the echo requests the PoP forwards to each mode's lines (the
// probe traffic on the wire), and its chain "loss" drops packets at random
// to and from the lossy lines while the loss run has rules in it.
const nftTable = "vantage_bench"

// nft runs an nftables script in the PoP namespace.
func (l *popLab) nft(script string) error {
	cmd := exec.Command("ip", "netns", "exec", l.pop, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("nft in %s: %v: %s\nscript:\n%s", l.pop, err, strings.TrimSpace(string(out)), script)
	}
	return nil
}

// addrSet renders addresses as an nftables set literal.
func addrSet(addrs []string) string { return "{ " + strings.Join(addrs, ", ") + " }" }

// setupNft makes the table: per mode a set of its lines' addresses and a
// counter of echo requests to them, an empty "loss" chain, and the lossy
// set (every line of the loss run). The table goes with the namespace; it
// is also deleted on clean-up for a run stopped half-way.
func (l *popLab) setupNft(cl *cleanups, perMode [][]line, modes []bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "table inet %s {\n", nftTable)
	var lossy []string
	for i, ls := range perMode {
		var addrs []string
		for _, ln := range ls {
			addrs = append(addrs, l.addrs[ln.cust])
		}
		m := modeName(modes[i])
		fmt.Fprintf(&b, "  set %s { type ipv4_addr; elements = %s }\n  counter req_%s { }\n", m, addrSet(addrs), m)
		lossy = append(lossy, addrs...)
	}
	fmt.Fprintf(&b, "  set lossy { type ipv4_addr; elements = %s }\n", addrSet(lossy))
	b.WriteString("  counter seen_to { }\n  counter lost_to { }\n  counter seen_from { }\n  counter lost_from { }\n")
	b.WriteString("  chain loss { }\n  chain probes {\n    type filter hook forward priority 0; policy accept;\n")
	for i := range perMode {
		m := modeName(modes[i])
		fmt.Fprintf(&b, "    ip daddr @%s icmp type echo-request counter name req_%s\n", m, m)
	}
	b.WriteString("    jump loss\n  }\n}\n")
	if err := l.nft(b.String()); err != nil {
		return err
	}
	cl.add(func() { _ = l.nft(fmt.Sprintf("delete table inet %s\n", nftTable)) })
	return nil
}

// startLoss drops pct percent of the packets each way to and from the
// lossy lines, counting what it saw and dropped.
func (l *popLab) startLoss(pct float64) error {
	n := int(pct*100 + 0.5) // in 1/10,000
	return l.nft(fmt.Sprintf(`add rule inet %[1]s loss ip daddr @lossy counter name seen_to
add rule inet %[1]s loss ip daddr @lossy numgen random mod 10000 < %[2]d counter name lost_to drop
add rule inet %[1]s loss ip saddr @lossy counter name seen_from
add rule inet %[1]s loss ip saddr @lossy numgen random mod 10000 < %[2]d counter name lost_from drop
`, nftTable, n))
}

// stopLoss empties the loss chain.
func (l *popLab) stopLoss() error {
	return l.nft(fmt.Sprintf("flush chain inet %s loss\n", nftTable))
}

var packetsRE = regexp.MustCompile(`packets (\d+)`)

// counter reads one named counter's packets.
func (l *popLab) counter(name string) (uint64, error) {
	out, err := exec.Command("ip", "netns", "exec", l.pop, "nft", "list", "counter", "inet", nftTable, name).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("nft list counter %s: %v: %s", name, err, strings.TrimSpace(string(out)))
	}
	m := packetsRE.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("nft list counter %s: no packet count in %q", name, out)
	}
	return strconv.ParseUint(string(m[1]), 10, 64)
}

// counters reads several counters at once (as nearly as nft allows).
func (l *popLab) counters(names ...string) (map[string]uint64, error) {
	out := map[string]uint64{}
	for _, n := range names {
		v, err := l.counter(n)
		if err != nil {
			return nil, err
		}
		out[n] = v
	}
	return out, nil
}
