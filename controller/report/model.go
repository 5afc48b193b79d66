package report

import "time"

// Report is one customer's report over [From, To).
type Report struct {
	Customer Customer  `json:"customer"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	// Zone is the IANA zone times are shown in; Language zh-CN or en.
	Zone     string    `json:"zone"`
	Language string    `json:"language"`
	Made     time.Time `json:"generated_at"`
	Summary  Summary   `json:"summary"`
	Lines    []Line    `json:"lines"`
	// Incidents touching the period with a line of the customer.
	Incidents  []Incident  `json:"incidents"`
	Complaints []Complaint `json:"complaints"`
	// Notifications is nil when the controller has no notifier: the
	// section is left out rather than shown as zero.
	Notifications *Notifications `json:"notifications,omitempty"`
	Tree          []Indicator    `json:"indicators"`
	// Days are the customer's seconds down and degraded per day of the
	// period (days begin at midnight in Zone), all lines together.
	Days []Day `json:"days"`
}

// Day is one day's figures.
type Day struct {
	Date            string  `json:"date"` // 2006-01-02 in the report's zone
	DownSeconds     float64 `json:"down_seconds"`
	DegradedSeconds float64 `json:"degraded_seconds"`
}

// Customer is who the report is about.
type Customer struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Tier           string `json:"tier"`
	AccountManager string `json:"account_manager"`
}

// Line is one line's figures over the period.
type Line struct {
	ID   string `json:"id"`
	ZEnd string `json:"z_end,omitempty"`
	// TargetPct is the SLA availability target (the line's own, else its
	// tier's); AvailabilityPct what was measured.
	TargetPct       float64 `json:"sla_target_pct"`
	AvailabilityPct float64 `json:"availability_pct"`
	Met             bool    `json:"sla_met"`
	// ShortfallPct is target − availability when missed, 0 when met.
	ShortfallPct float64 `json:"shortfall_pct"`
	// DownSeconds is the time without service inside the period
	// (outages and flaps, clipped to the period).
	DownSeconds      float64 `json:"down_seconds"`
	Outages          int     `json:"outages"`
	OutageSeconds    float64 `json:"outage_seconds"`
	LongestSeconds   float64 `json:"longest_outage_seconds"`
	Flaps            int     `json:"flaps"`
	FlapSeconds      float64 `json:"flap_seconds"`
	FlappingPeriods  int     `json:"flapping_periods"`
	Degradations     int     `json:"degradations"`
	DegradedSeconds  float64 `json:"degraded_seconds"`
	Restored         int     `json:"restored"`
	MTTRSeconds      float64 `json:"mttr_seconds"`
	Provisional      int     `json:"provisional_events"`
	MeanLossPct      float64 `json:"degraded_mean_loss_pct"`
	MeanRTTMs        float64 `json:"degraded_mean_rtt_ms"`
	MeanJitterMs     float64 `json:"degraded_mean_jitter_ms"`
	repairTotal      float64
	lossW, rttW, jtW float64
}

// Summary is the customer's figures over all its lines.
type Summary struct {
	Lines           int     `json:"lines"`
	LinesMissed     int     `json:"lines_sla_missed"`
	AvailabilityPct float64 `json:"availability_pct"`
	ShortfallPct    float64 `json:"shortfall_pct"` // sum over lines
	Outages         int     `json:"outages"`
	OutageSeconds   float64 `json:"outage_seconds"`
	LongestSeconds  float64 `json:"longest_outage_seconds"`
	Flaps           int     `json:"flaps"`
	FlappingPeriods int     `json:"flapping_periods"`
	Degradations    int     `json:"degradations"`
	DegradedSeconds float64 `json:"degraded_seconds"`
	MTTRSeconds     float64 `json:"mttr_seconds"`
	Incidents       int     `json:"incidents"`
	Complaints      int     `json:"complaints"`
	Confirmed       int     `json:"complaints_confirmed"`
	Repeats         int     `json:"complaints_repeat"`
}

// Incident is one incident as the customer saw it.
type Incident struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end,omitzero"`
	Seconds   float64   `json:"seconds"`
	Root      string    `json:"root_element,omitempty"`
	Cause     string    `json:"cause,omitempty"`
	CauseNote string    `json:"cause_note,omitempty"`
	Lines     []string  `json:"lines"`
	Timeline  []Entry   `json:"timeline"`
}

// Entry is one step of an incident's short timeline.
type Entry struct {
	Time time.Time `json:"time"`
	Line string    `json:"line,omitempty"`
	What string    `json:"what"`
	Note string    `json:"note,omitempty"`
}

// Complaint is one complaint linked to the customer in the period.
type Complaint struct {
	ID       string    `json:"id"`
	Received time.Time `json:"received"`
	Category string    `json:"category"`
	Verdict  string    `json:"verdict"`
	Repeat   bool      `json:"repeat"`
	Lines    []string  `json:"lines"`
}

// Notifications are the messages sent to the customer's recipients.
type Notifications struct {
	Sent      int            `json:"sent"`
	ByChannel map[string]int `json:"by_channel"`
	// Impacts, ToldFirst and ProactiveRatio are controller/notify's
	// proactive ratio for the customer (1 with no impacts).
	Impacts        int     `json:"impacts"`
	ToldFirst      int     `json:"told_first"`
	ProactiveRatio float64 `json:"proactive_ratio"`
}

// Indicator is one node of the KEI → KQI → KPI → PI tree.
type Indicator struct {
	ID     string  `json:"id"`
	Layer  string  `json:"layer"` // KEI, KQI, KPI or PI
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	Name   string  `json:"name"`
	Define string  `json:"definition"`
	// From are the ids of the indicators one layer down it is traced to.
	From []string `json:"from,omitempty"`
}
