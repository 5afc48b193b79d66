package result

import "time"

// Result is one probe execution's outcome as it travels from agent to controller.
//
// Time is event time: when the round started on the agent's clock, not when the
// controller received it. A CPE agent may spool results for minutes while its
// uplink is down; the controller places them where they happened.
type Result struct {
	// Time is the round's start on the agent's clock (event time).
	Time time.Time `json:"t"`
	// Measurement names the InfluxDB measurement and the Schema that applies:
	// ping, dial, http, snmp_if, snmp, ...
	Measurement string `json:"m"`
	// Probe is the configured probe name; it is not a tag (DESIGN.md fixes the
	// tag sets) but helps an operator find the config entry behind a point.
	Probe string `json:"p,omitempty"`
	// Tags hold the measurement's tag values except "agent", which the
	// controller takes from the authenticated subject. Keys must be listed in
	// the measurement's Schema.
	Tags map[string]string `json:"tags,omitempty"`
	// Fields hold numeric field values; the Schema says which are integers or
	// booleans (0/1) so InfluxDB always sees one type per field.
	Fields map[string]float64 `json:"f,omitempty"`
	// Error is the error class of a failed round ("timeout", "refused",
	// "dns", "tls", "status", ...); empty when the round succeeded. It is
	// written as the string field "error".
	Error string `json:"err,omitempty"`
	// Text holds string fields the Schema lists in Strings (the agent
	// point's version); agents' measurements have none.
	Text map[string]string `json:"s,omitempty"`
	// Detail is a human-readable error message. It is logged by the controller
	// at debug level and not stored, because free text makes bad field values.
	Detail string `json:"detail,omitempty"`
}

// Batch is the payload of one message on vantage.results.<agent_id>. Batching
// several results per message keeps both JetStream's per-message cost and the
// controller's per-ack cost small at fleet scale.
type Batch struct {
	// Agent is the sending agent's id; it must equal the subject's last token.
	Agent string `json:"agent"`
	// Results are in no particular order.
	Results []Result `json:"results"`
}
