package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

const agentHTTP = "127.0.0.1:19100"

// runAgent runs the real vantage-agent binary with one ping probe over all
// targets, publishing to the benchmark's NATS, and reads its own counters
// for the probe count and loss.
func runAgent(ctx context.Context, ns *namespace, bin, natsURL, engine string, addrs []string, snmp bool, w window) (row, error) {
	dir, err := os.MkdirTemp("", "pingfanout-agent")
	if err != nil {
		return row{}, err
	}
	defer os.RemoveAll(dir)
	cfg := dir + "/agent.yaml"
	if err := os.WriteFile(cfg, []byte(agentConfig(natsURL, engine, addrs, snmp)), 0o600); err != nil {
		return row{}, err
	}
	cmd := ns.command(bin, "--config", cfg)
	logf, err := os.Create(dir + "/agent.log")
	if err != nil {
		return row{}, err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return row{}, err
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()

	var probes float64
	var m0, m1 map[string]float64
	metric := "vantage_agent_ping_requests_sent_total"
	if engine == "pro-bing" {
		metric = "vantage_agent_results_total" // one request per result at count: 1
	}
	label := fmt.Sprintf("agent/%s %d", engine, len(addrs))
	first := true
	var loads []float64
	cpu, probes, rss, err := measure(ctx, cmd, label, w, func() (float64, error) {
		loads = append(loads, load1())
		m, err := scrape(ns)
		if err != nil {
			return 0, err
		}
		if m[rawDropsKey], err = rawDrops(cmd.Process.Pid); err != nil {
			return 0, err
		}
		if !first {
			m1 = m
		} else {
			m0 = m
		}
		first = false
		return m[metric], nil
	})
	if err != nil {
		log, _ := os.ReadFile(dir + "/agent.log")
		return row{}, fmt.Errorf("%w; agent log: %s", err, tail(string(log)))
	}
	r := row{name: "vantage-agent " + engine, targets: len(addrs), probes: probes, cpu: cpu, rssMB: rss, seconds: w.length.Seconds()}
	r.load0, r.load1 = loads[0], loads[1]
	r.late50, r.late99 = lateness(m0, m1, 0.5), lateness(m0, m1, 0.99)
	r.skipped = m1["vantage_agent_rounds_skipped_total"] - m0["vantage_agent_rounds_skipped_total"]
	if snmp {
		r.varbinds = m1["vantage_agent_snmp_varbinds_total"] - m0["vantage_agent_snmp_varbinds_total"]
	}
	if probes > 0 {
		r.cpuPer1000 = cpu / probes * 1000
		if engine != "pro-bing" {
			r.lossPct = lossPct(m0, m1)
			r.lost = m1[unansweredMetric] - m0[unansweredMetric]
			r.late = m1["vantage_agent_ping_late_replies_total"] - m0["vantage_agent_ping_late_replies_total"]
			r.drops = m1[rawDropsKey] - m0[rawDropsKey]
			// What the bench used to call lost: requests in flight at
			// the final scrape (sent minus every kind of answer).
			r.inflight = m1[sentMetric] - m1["vantage_agent_ping_replies_total"] - m1[unansweredMetric] - m1["vantage_agent_ping_unreachable_total"]
		}
	}
	if engine == "pro-bing" {
		r.lossPct = -1 // pro-bing rounds are not counted by the engine's counters
	}
	return r, nil
}

func agentConfig(natsURL, engine string, addrs []string, snmp bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "agent_id: bench-fanout\nhttp_listen: %s\nnats:\n  urls: [%s]\nprobes:\n", agentHTTP, natsURL)
	fmt.Fprintf(&b, "  - name: fanout\n    type: ping\n    interval: 1s\n    timeout: 900ms\n")
	fmt.Fprintf(&b, "    options: {count: 1, engine: %s}\n    targets:\n", engine)
	for _, a := range addrs {
		fmt.Fprintf(&b, "      - %s\n", a)
	}
	if snmp {
		// Every interface of the device, as snmpbulkwalk reads them.
		fmt.Fprintf(&b, "  - name: ifaces\n    type: snmp\n    interval: %s\n    timeout: 8s\n    targets: [\"%s\"]\n", snmpInterval, snmpTarget)
		fmt.Fprintf(&b, "    options: {community: %s, max_repetitions: 10, request_timeout: 2s}\n", snmpCommunity)
	}
	return b.String()
}

// scrape reads the agent's /metrics from inside the namespace (its HTTP port
// is on the namespace's loopback) by running this program's scrape mode there.
func scrape(ns *namespace) (map[string]float64, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	out, err := ns.command(self, "scrape", "http://"+agentHTTP+"/metrics").Output()
	if err != nil {
		return nil, fmt.Errorf("scrape agent metrics: %w", err)
	}
	m := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if i := strings.IndexByte(name, '{'); i >= 0 && !strings.Contains(name, "le=") {
			name = name[:i]
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err == nil {
			m[name] += v
		}
	}
	return m, nil
}

// scrapeMain is the scrape mode: print a URL's body.
func scrapeMain(url string) {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		fatal("scrape: %v", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(os.Stdout, resp.Body)
}

// lateness is the q-quantile of the agent's round lateness histogram over
// the window (bucket deltas between the scrapes m0 and m1), as the upper
// bound of the bucket it falls in: the histogram's resolution.
func lateness(m0, m1 map[string]float64, q float64) float64 {
	const prefix = `vantage_agent_round_lateness_seconds_bucket{le="`
	type bucket struct{ le, n float64 }
	var bs []bucket
	for k, v := range m1 {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		le, err := strconv.ParseFloat(strings.TrimSuffix(k[len(prefix):], `"}`), 64)
		if err != nil {
			le = math.Inf(1)
		}
		bs = append(bs, bucket{le, v - m0[k]})
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].le < bs[j].le })
	if len(bs) == 0 || bs[len(bs)-1].n == 0 {
		return math.NaN()
	}
	total := bs[len(bs)-1].n
	for _, b := range bs {
		if b.n >= q*total {
			return b.le
		}
	}
	return math.Inf(1)
}
