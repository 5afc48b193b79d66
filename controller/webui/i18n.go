package webui

import (
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/vantage-net/vantage/controller/linehealth"
)

// langCookie and zoneCookie hold the user's language (en or zh-CN) and the
// browser's IANA time zone (set by static/app.js).
const (
	langCookie = "vantage_lang"
	zoneCookie = "vantage_tz"
)

// langOf is the cookie's language, else the browser's first choice of the
// two, else English.
func langOf(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil {
		if _, ok := messages[c.Value]; ok {
			return c.Value
		}
	}
	if al := r.Header.Get("Accept-Language"); len(al) >= 2 && al[:2] == "zh" {
		return "zh-CN"
	}
	return "en"
}

// zoneOf is the user's time zone from the cookie; UTC when absent or not a
// zone this machine's tz database knows.
func zoneOf(r *http.Request) *time.Location {
	if c, err := r.Cookie(zoneCookie); err == nil && c.Value != "" && len(c.Value) < 64 {
		if loc, err := time.LoadLocation(c.Value); err == nil {
			return loc
		}
	}
	return time.UTC
}

// setLang is GET /ui/lang?to=zh-CN&next=/ui/...: it only stores a
// preference, so it needs no CSRF token, and it redirects only within /ui/.
func (u *UI) setLang(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	if _, ok := messages[to]; !ok {
		http.Error(w, "to: must be en or zh-CN", http.StatusBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: to, Path: "/ui/", MaxAge: 365 * 86400,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
}

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	// when formats t in loc, with the zone's abbreviation; "—" for zero.
	"when": func(loc *time.Location, t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(loc).Format("2006-01-02 15:04:05 MST")
	},
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	// icon is the status's symbol, so that no status is told by colour
	// alone (the text is always next to it).
	"icon":   stateIcon,
	"pct":    func(f float64) string { return fmt.Sprintf("%.3f %%", f) },
	"dur":    func(s float64) string { return (time.Duration(s * float64(time.Second))).Round(time.Second).String() },
	"tr":     func(l map[string]string, key string) string { return tr(l, key) },
	"join":   func(a []string) string { return joinComma(a) },
	"deref":  func(f *float64) float64 { return *f },
	"mul100": func(f float64) float64 { return 100 * f },
	"lt": func(v *view, lines []linehealth.LineView, key string) lineTable {
		return lineTable{V: v, Lines: lines, Key: key}
	},
}

// tr looks key up in l, falling back to the key itself (a state name the
// table does not know is still shown).
func tr(l map[string]string, key string) string {
	if s, ok := l[key]; ok {
		return s
	}
	return key
}

func joinComma(a []string) string {
	out := ""
	for i, s := range a {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

// messages are the UI's strings; both languages have the same keys
// (TestMessagesSameKeys).
var messages = map[string]map[string]string{
	"en": {
		"title": "Vantage", "overview": "Overview", "incidents": "Incidents", "customers": "Customers",
		"maintenance": "Maintenance", "agents": "Agents", "notifications": "Notifications",
		"login": "Log in", "logout": "Log out", "token": "API token", "login_help": "Paste an API token (vantage-controller token create).",
		"login_failed": "That token was not accepted.", "skip": "Skip to content", "language": "Language",
		"lines_down": "Lines down", "lines_flapping": "Lines flapping", "lines_degraded": "Lines degraded (up, with outages or flaps in 24 h)",
		"lines_total": "Lines watched", "open_incidents": "Open incidents by tier", "agents_offline": "Agents offline",
		"complaints_today": "Complaints today", "updated": "Updated", "live_note": "This page refreshes every 10 s.",
		"line": "Line", "customer": "Customer", "tier": "Tier", "state": "State", "since": "Since",
		"incident": "Incident", "kind": "Kind", "root": "Root element", "start": "Start", "end": "End",
		"timeline": "Timeline", "affected": "Affected customers and lines", "acks": "Acknowledgements",
		"ack": "Acknowledge", "acked": "Incident acknowledged.", "time": "Time", "what": "What", "note": "Note",
		"events": "Events (24 h)", "state_history": "State history (24 h)", "complaints": "Complaints",
		"availability": "Availability", "loss": "Loss", "duration": "Duration", "cause": "Cause", "final": "Final",
		"live": "live", "chart_title": "Outages and flaps over the last 24 h, with loss (from the controller's events)",
		"title_field": "Title", "elements": "Elements (comma-separated)", "lines": "Lines (comma-separated)",
		"create_window": "Plan window", "window_created": "Maintenance window planned.", "id": "ID",
		"version": "Version", "spool": "Spool depth", "clock": "Clock offset", "config_rev": "Config revision",
		"last_seen": "Last seen", "channel": "Channel", "recipient": "Recipient", "status": "Status", "due": "Due",
		"none": "None.", "not_found": "Not found", "err_not_found": "There is no such page, or it is not yours to see.",
		"forbidden": "Not allowed", "err_role": "Your role may not do this.", "error": "Error",
		"err_internal": "Something went wrong; the controller logged it.",
		"err_csrf":     "This form was not sent from your session (missing or wrong CSRF token).",
		"up":           "up", "down": "down", "flapping": "flapping", "unknown": "unknown", "open": "open", "closed": "closed",
		"outage": "outage", "flap": "flap", "degraded": "degraded", "online": "online", "offline": "offline",
		"role": "Role", "prior": "already", "report": "Report", "all_lines": "Lines",
		"member_down": "down at", "member_up": "up at", "lines_of": "lines", "more": "More",
		"verdict": "Verdict", "evidence": "Evidence", "category": "Category", "repeat": "repeat", "filter": "Filter",
		"confirmed": "confirmed", "not_observed": "not observed", "not_monitored": "not monitored",
		"line_interruption": "line interruption", "slow": "slow", "no_service": "no service", "weak_signal": "weak signal", "other": "other",
		"map_tables": "The tables below list the same sites and cells.",
		"map_title":  "Sites and grid cells (geohash) of the coverage scores and the places to fix", "site": "site", "sites": "Sites (lines down/flapping/all)", "rank": "rank", "why": "Why", "test": "Test", "is_better": "is better",
		"measurements": "RTT, loss and jitter (InfluxDB)", "series_title": "Probe results of this line from InfluxDB", "series_error": "InfluxDB did not answer; the chart is left out.", "series_values": "The values (mean per interval)",
		"places": "Places and coverage", "cell": "Cell", "score": "Coverage score", "weak": "weak", "compare": "Comparison",
		"affected_count": "Affected", "zone": "Times in", "needs_ops": "Only admin and ops tokens may plan windows.",
	},
	"zh-CN": {
		"title": "Vantage", "overview": "总览", "incidents": "故障工单", "customers": "客户",
		"maintenance": "维护窗口", "agents": "探针", "notifications": "通知",
		"login": "登录", "logout": "退出", "token": "API 令牌", "login_help": "粘贴 API 令牌（vantage-controller token create）。",
		"login_failed": "令牌无效。", "skip": "跳到正文", "language": "语言",
		"lines_down": "中断线路", "lines_flapping": "抖动线路", "lines_degraded": "劣化线路（在线，24 小时内有中断或抖动）",
		"lines_total": "监测线路", "open_incidents": "未关闭故障（按等级）", "agents_offline": "离线探针",
		"complaints_today": "今日投诉", "updated": "更新于", "live_note": "本页每 10 秒刷新。",
		"line": "线路", "customer": "客户", "tier": "等级", "state": "状态", "since": "起始",
		"incident": "故障", "kind": "类型", "root": "根因网元", "start": "开始", "end": "结束",
		"timeline": "时间线", "affected": "受影响的客户与线路", "acks": "确认记录",
		"ack": "确认处理", "acked": "已确认该故障。", "time": "时间", "what": "事件", "note": "说明",
		"events": "事件（24 小时）", "state_history": "状态历史（24 小时）", "complaints": "投诉",
		"availability": "可用率", "loss": "丢包", "duration": "时长", "cause": "原因", "final": "已定",
		"live": "实时", "chart_title": "近 24 小时的中断与抖动及丢包（来自控制器的事件）",
		"title_field": "标题", "elements": "网元（逗号分隔）", "lines": "线路（逗号分隔）",
		"create_window": "创建维护窗口", "window_created": "维护窗口已创建。", "id": "编号",
		"version": "版本", "spool": "缓存深度", "clock": "时钟偏差", "config_rev": "配置版本",
		"last_seen": "最后心跳", "channel": "渠道", "recipient": "接收人", "status": "状态", "due": "计划时间",
		"none": "无。", "not_found": "未找到", "err_not_found": "页面不存在，或您无权查看。",
		"forbidden": "不允许", "err_role": "您的角色不能执行此操作。", "error": "错误",
		"err_internal": "出错了，控制器已记录。",
		"err_csrf":     "此表单不是从您的会话提交的（CSRF 令牌缺失或错误）。",
		"up":           "正常", "down": "中断", "flapping": "抖动", "unknown": "未知", "open": "未关闭", "closed": "已关闭",
		"outage": "中断", "flap": "抖动", "degraded": "劣化", "online": "在线", "offline": "离线",
		"role": "角色", "prior": "此前已", "report": "报告", "all_lines": "线路",
		"member_down": "中断于", "member_up": "恢复于", "lines_of": "条线路", "more": "更多",
		"verdict": "结论", "evidence": "依据", "category": "类别", "repeat": "重复投诉", "filter": "筛选",
		"confirmed": "已证实", "not_observed": "未观测到", "not_monitored": "未监测",
		"line_interruption": "线路中断", "slow": "网速慢", "no_service": "无服务", "weak_signal": "信号弱", "other": "其他",
		"map_tables": "下表列出同样的站点与网格。",
		"map_title":  "站点及覆盖得分与待整改地点的网格（geohash）", "site": "站点", "sites": "站点（中断/抖动/全部线路）", "rank": "排名", "why": "原因", "test": "测试", "is_better": "为优",
		"measurements": "时延、丢包与抖动（InfluxDB）", "series_title": "本线路在 InfluxDB 中的探测结果", "series_error": "InfluxDB 无应答，图表未显示。", "series_values": "数值（每区间均值）",
		"places": "待整改地点与覆盖", "cell": "网格", "score": "覆盖得分", "weak": "弱覆盖", "compare": "对比",
		"affected_count": "受影响", "zone": "时区", "needs_ops": "只有管理员和运维令牌可以创建维护窗口。",
	},
}

// stateIcon is a state's symbol, shown beside its word so status never
// rests on colour alone.
func stateIcon(state string) string {
	switch state {
	case "down", "outage", "offline", "failed", "confirmed":
		return "✖"
	case "flapping", "flap", "degraded", "pending", "open":
		return "⚠"
	case "up", "online", "sent", "closed", "not_observed":
		return "✔"
	}
	return "?"
}
