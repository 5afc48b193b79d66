package cellsamples

import "github.com/vantage-net/vantage/probes/result"

// Value is one measurement of one test or quantity taken from a result.
type Value struct {
	// Test is a comparison test (ping_rtt_ms, ping_loss_pct, dns_ok,
	// dns_ms, http_ok, http_ttfb_ms, http_total_ms, throughput_kbps) or a
	// radio quantity (rsrp_dbm, sinr_db, rssi_dbm).
	Test  string
	Value float64
}

// Extract returns what r contributes. radio maps an snmp metric tag to its
// radio quantity. Radio metrics and throughput are kept with or without a
// network tag (coverage reads them); the other tests only with one (a
// comparison is between named networks). Failed rounds give their success
// test (0) and, for ping, their loss, never timings.
func Extract(r result.Result, radio map[string]string) []Value {
	f := r.Fields
	network := r.Tags["network"]
	var out []Value
	add := func(test, field string) {
		if v, ok := f[field]; ok {
			out = append(out, Value{test, v})
		}
	}
	switch r.Measurement {
	case "snmp":
		if q, ok := radio[r.Tags["metric"]]; ok && r.Error == "" {
			add(q, "value")
		}
	case "http":
		if r.Error == "" {
			add("throughput_kbps", "throughput_kbps")
		}
		if network == "" {
			return out
		}
		add("http_ok", "ok")
		if f["ok"] == 1 {
			add("http_ttfb_ms", "ttfb_ms")
			add("http_total_ms", "total_ms")
		}
	case "ping":
		if network == "" {
			return nil
		}
		if _, ok := f["sent"]; ok && f["sent"] > 0 {
			add("ping_loss_pct", "loss_pct")
		}
		if f["recv"] > 0 {
			add("ping_rtt_ms", "rtt_avg_ms")
		}
	case "dial":
		if network == "" || r.Tags["kind"] != "dns" {
			return nil
		}
		add("dns_ok", "ok")
		if f["ok"] == 1 {
			add("dns_ms", "dns_ms")
		}
	}
	return out
}
