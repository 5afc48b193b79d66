package complaints

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	intake   *prometheus.CounterVec
	rejected *prometheus.CounterVec
	verdicts *prometheus.CounterVec
	evalErrs prometheus.Counter
}

// newMetrics registers on reg when it is not nil.
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		intake: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vantage_controller_complaints_intake_total",
			Help: "Complaints taken in (API and import), by outcome: created, updated, unchanged.",
		}, []string{"outcome"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vantage_controller_complaints_rejected_total",
			Help: "Complaints refused by the API, by reason: body (undecodable JSON), field (a bad field).",
		}, []string{"reason"}),
		verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vantage_controller_complaint_verdict_changes_total",
			Help: "Complaint evaluations that set a new verdict, by the verdict set.",
		}, []string{"verdict"}),
		evalErrs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vantage_controller_complaints_reevaluate_errors_total",
			Help: "Periodic complaint re-evaluations that failed (retried at the next interval).",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.intake, m.rejected, m.verdicts, m.evalErrs)
	}
	return m
}
