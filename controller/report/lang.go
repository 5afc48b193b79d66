package report

import "strings"

// normLang is zh-CN (the default) or en.
func normLang(l string) string {
	if strings.HasPrefix(strings.ToLower(l), "en") {
		return "en"
	}
	return "zh-CN"
}

// labels are the words of the rendered reports, by language.
var labels = map[string]map[string]string{
	"zh-CN": {
		"title": "客户影响报告", "customer": "客户", "tier": "等级", "manager": "客户经理", "period": "报告期",
		"zone": "时区", "summary": "概要", "lines": "专线", "line": "专线", "target": "SLA 目标", "avail": "可用率",
		"met": "达标", "missed": "未达标", "shortfall": "差额", "outages": "中断", "outage_min": "中断分钟",
		"longest_min": "最长(分钟)", "flaps": "闪断", "flapping": "频繁闪断", "degradations": "劣化",
		"degraded_min": "劣化分钟", "mttr_min": "MTTR(分钟)", "incidents": "故障", "kind": "类型", "start": "开始",
		"end": "结束", "minutes": "分钟", "cause": "原因", "timeline": "过程", "complaints": "投诉", "received": "受理时间",
		"category": "类别", "verdict": "判定", "repeat": "重复", "notifications": "通知", "sent": "已发送",
		"proactive": "主动告知率", "impacts": "影响次数", "told_first": "先于投诉告知", "tree": "指标体系 KEI → KQI → KPI → PI",
		"layer": "层", "indicator": "指标", "value": "值", "definition": "定义", "from": "来源", "none": "无",
		"ongoing": "进行中", "chart": "各专线可用率与 SLA 目标", "portfolio": "客户组合（按影响排序）", "rank": "排名",
		"generated": "生成时间", "lines_missed": "未达标专线", "provisional": "含临时事件", "daily": "每日中断（红）与劣化（黄）分钟数",
	},
	"en": {
		"title": "Customer impact report", "customer": "Customer", "tier": "Tier", "manager": "Account manager",
		"period": "Period", "zone": "Time zone", "summary": "Summary", "lines": "Lines", "line": "Line",
		"target": "SLA target", "avail": "Availability", "met": "met", "missed": "missed", "shortfall": "Shortfall",
		"outages": "Outages", "outage_min": "Outage min", "longest_min": "Longest min", "flaps": "Flaps",
		"flapping": "Flapping periods", "degradations": "Degradations", "degraded_min": "Degraded min",
		"mttr_min": "MTTR min", "incidents": "Incidents", "kind": "Kind", "start": "Start", "end": "End",
		"minutes": "Minutes", "cause": "Cause", "timeline": "Timeline", "complaints": "Complaints",
		"received": "Received", "category": "Category", "verdict": "Verdict", "repeat": "Repeat",
		"notifications": "Notifications", "sent": "Sent", "proactive": "Proactive ratio", "impacts": "Impacts",
		"told_first": "Told before complaint", "tree": "Indicators KEI → KQI → KPI → PI", "layer": "Layer",
		"indicator": "Indicator", "value": "Value", "definition": "Definition", "from": "Traced to", "none": "none",
		"ongoing": "ongoing", "chart": "Availability per line against its SLA target",
		"portfolio": "Portfolio (by impact)", "rank": "Rank", "generated": "Generated",
		"lines_missed": "Lines missing SLA", "provisional": "incl. provisional events",
		"daily": "Minutes down (red) and degraded (amber) per day",
	},
}

// t is label k in language lang.
func t(lang, k string) string { return labels[normLang(lang)][k] }
