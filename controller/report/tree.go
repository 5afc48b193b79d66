package report

// The KEI → KQI → KPI → PI tree: what the customer experiences (KEI),
// the service quality behind it (KQI), the network figures behind that
// (KPI) and the raw evidence they are counted from (PI). Every node says
// how it is computed; its From names the nodes one layer down.

type def struct{ layer, unit, zh, en, zhDef, enDef string }

var defs = map[string]def{
	"kei.availability": {"KEI", "%", "感知可用率", "Availability as felt",
		"全部专线在报告期内有业务的时间占比：1 − 中断秒数之和 ÷ (专线数 × 报告期秒数)。",
		"Share of the period the customer's lines had service: 1 − sum of seconds down ÷ (lines × seconds in the period)."},
	"kei.interruptions": {"KEI", "", "感知中断次数", "Interruptions felt",
		"报告期内的中断与闪断次数之和。", "Outages plus flaps in the period."},
	"kei.complaints": {"KEI", "", "投诉数", "Complaints",
		"报告期内关联到该客户的投诉单数。", "Complaints linked to the customer received in the period."},
	"kqi.downtime": {"KQI", "min", "无业务时长", "Time without service",
		"中断与闪断与报告期重叠的分钟数之和。", "Minutes of outages and flaps inside the period, all lines."},
	"kqi.mttr": {"KQI", "min", "平均恢复时长 (MTTR)", "Mean time to restore (MTTR)",
		"报告期内恢复的中断从开始到恢复的平均分钟数。", "Mean minutes from start to recovery of the outages that recovered in the period."},
	"kqi.degraded": {"KQI", "min", "质量劣化时长", "Degraded time",
		"丢包、时延或抖动超过门限的分钟数。", "Minutes with loss, RTT or jitter over the line's thresholds."},
	"kqi.confirmed": {"KQI", "", "网络证实的投诉", "Complaints confirmed by the network",
		"判定为 confirmed（投诉时段内有中断证据）的投诉数。", "Complaints judged confirmed: an outage was measured when the customer complained."},
	"kpi.outages": {"KPI", "", "中断次数", "Outages",
		"持续时间达到闪断门限的中断事件数。", "Outage events (down at least the flap threshold) touching the period."},
	"kpi.longest": {"KPI", "min", "最长中断", "Longest outage",
		"报告期内最长一次中断的分钟数。", "Minutes of the longest outage inside the period."},
	"kpi.flaps": {"KPI", "", "闪断次数", "Flaps",
		"短于闪断门限的中断事件数。", "Outages shorter than the flap threshold."},
	"kpi.flapping": {"KPI", "", "频繁闪断时段", "Flapping periods",
		"专线因闪断被抑制 (dampening) 的时段数。", "Periods a line was dampened for flapping (flapping incidents)."},
	"kpi.incidents": {"KPI", "", "故障单", "Incidents",
		"涉及该客户专线的故障（共同原因的归为一个）。", "Incidents with a line of the customer (lines failing together by one cause are one)."},
	"kpi.degradations": {"KPI", "", "劣化次数", "Degradations",
		"质量劣化事件数。", "Degradation events touching the period."},
	"pi.loss": {"PI", "%", "劣化期间平均丢包", "Mean loss while degraded",
		"劣化事件的平均丢包率（按时长加权）。", "Mean probe loss over the degradations, weighted by their length."},
	"pi.rtt": {"PI", "ms", "劣化期间平均时延", "Mean RTT while degraded",
		"劣化事件的平均往返时延（按时长加权）。", "Mean probe round-trip time over the degradations, weighted by length."},
	"pi.jitter": {"PI", "ms", "劣化期间平均抖动", "Mean jitter while degraded",
		"劣化事件的平均抖动（按时长加权）。", "Mean probe jitter over the degradations, weighted by length."},
	"pi.down_seconds": {"PI", "s", "探测失败秒数", "Seconds of failed probes",
		"探测结果判定为中断或闪断的秒数（事件起止为首个失败与首个恢复的探测）。",
		"Seconds the probes found the lines down: each event runs from the first failed to the first recovered probe."},
	"pi.events": {"PI", "", "探测事件数", "Detector events",
		"检测器由探测结果得出的事件数（中断、闪断、劣化；未终结的临时事件也计入）。",
		"Events the detector drew from probe results (outages, flaps, degradations; provisional ones included)."},
}

// treeOrder is the order nodes are shown in, top layer first.
var treeOrder = []string{"kei.availability", "kei.interruptions", "kei.complaints",
	"kqi.downtime", "kqi.mttr", "kqi.degraded", "kqi.confirmed",
	"kpi.outages", "kpi.longest", "kpi.flaps", "kpi.flapping", "kpi.incidents", "kpi.degradations",
	"pi.down_seconds", "pi.events", "pi.loss", "pi.rtt", "pi.jitter"}

var treeFrom = map[string][]string{
	"kei.availability":  {"kqi.downtime"},
	"kei.interruptions": {"kqi.downtime", "kqi.mttr"},
	"kei.complaints":    {"kqi.confirmed"},
	"kqi.downtime":      {"kpi.outages", "kpi.flaps", "kpi.longest"},
	"kqi.mttr":          {"kpi.outages", "kpi.incidents"},
	"kqi.degraded":      {"kpi.degradations"},
	"kqi.confirmed":     {"kpi.incidents", "kpi.outages"},
	"kpi.outages":       {"pi.down_seconds", "pi.events"},
	"kpi.longest":       {"pi.down_seconds"},
	"kpi.flaps":         {"pi.down_seconds", "pi.events"},
	"kpi.flapping":      {"pi.events"},
	"kpi.incidents":     {"pi.events"},
	"kpi.degradations":  {"pi.loss", "pi.rtt", "pi.jitter", "pi.events"},
}

// tree builds the customer's indicator tree from its figures.
func tree(r *Report) []Indicator {
	s := r.Summary
	var lossW, rttW, jtW, events float64
	for _, l := range r.Lines {
		lossW += l.MeanLossPct * l.DegradedSeconds
		rttW += l.MeanRTTMs * l.DegradedSeconds
		jtW += l.MeanJitterMs * l.DegradedSeconds
		events += float64(l.Outages + l.Flaps + l.Degradations)
	}
	mean := func(w float64) float64 {
		if s.DegradedSeconds == 0 {
			return 0
		}
		return w / s.DegradedSeconds
	}
	var flapSeconds float64
	for _, l := range r.Lines {
		flapSeconds += l.FlapSeconds
	}
	down := s.OutageSeconds + flapSeconds
	values := map[string]float64{
		"kei.availability": s.AvailabilityPct, "kei.interruptions": float64(s.Outages + s.Flaps),
		"kei.complaints": float64(s.Complaints), "kqi.downtime": down / 60, "kqi.mttr": s.MTTRSeconds / 60,
		"kqi.degraded": s.DegradedSeconds / 60, "kqi.confirmed": float64(s.Confirmed),
		"kpi.outages": float64(s.Outages), "kpi.longest": s.LongestSeconds / 60, "kpi.flaps": float64(s.Flaps),
		"kpi.flapping": float64(s.FlappingPeriods), "kpi.incidents": float64(s.Incidents),
		"kpi.degradations": float64(s.Degradations), "pi.down_seconds": down, "pi.events": events,
		"pi.loss": mean(lossW), "pi.rtt": mean(rttW), "pi.jitter": mean(jtW),
	}
	out := make([]Indicator, 0, len(treeOrder))
	for _, id := range treeOrder {
		d := defs[id]
		in := Indicator{ID: id, Layer: d.layer, Unit: d.unit, Value: values[id], From: treeFrom[id], Name: d.en, Define: d.enDef}
		if r.Language == "zh-CN" {
			in.Name, in.Define = d.zh, d.zhDef
		}
		out = append(out, in)
	}
	return out
}
