package writebehind

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Reasons an append is refused, the reason label of
// vantage_controller_influx_queue_refused_total.
const (
	reasonFull  = "full"  // the spool holds max_bytes
	reasonError = "error" // the disk refused the write (full, read-only, I/O error)
)

type metrics struct {
	appended, written prometheus.Counter
	refused, dropped  *prometheus.CounterVec
	rejected          prometheus.Counter
	writeSeconds      prometheus.Histogram
	appendSeconds     prometheus.Histogram
	writePoints       prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer, q *Queue) *metrics {
	f := promauto.With(reg)
	m := &metrics{
		appended: f.NewCounter(prometheus.CounterOpts{
			Name: "vantage_controller_influx_queue_appended_total",
			Help: "Points appended to the write-behind queue (line health had taken their results; their messages were acked after the append).",
		}),
		written: f.NewCounter(prometheus.CounterOpts{
			Name: "vantage_controller_influx_queue_written_total",
			Help: "Points the write-behind queue wrote to InfluxDB. A round written again after a crash counts again (InfluxDB absorbs the repeat).",
		}),
		refused: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vantage_controller_influx_queue_refused_total",
			Help: "Pulls the write-behind queue refused, by reason: full (max_bytes), error (the disk refused the write). Their messages wait in JetStream and come again (back-pressure, not a loss).",
		}, []string{"reason"}),
		dropped: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vantage_controller_influx_queue_dropped_total",
			Help: "Points lost from the write-behind queue, by reason: corrupt (a record no longer reads back from disk). Logged.",
		}, []string{"reason"}),
		rejected: f.NewCounter(prometheus.CounterOpts{
			Name: "vantage_controller_influx_queue_rejected_total",
			Help: "Points InfluxDB refused on their own (field type conflict, retention), dead-lettered with reason influx_rejected.",
		}),
		writeSeconds: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "vantage_controller_influx_queue_write_seconds",
			Help:    "Time of one drain round's write to InfluxDB, retries included.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14),
		}),
		appendSeconds: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "vantage_controller_influx_queue_append_seconds",
			Help:    "Time of one append to the write-behind queue (a pull's points; what the ingest waits for instead of InfluxDB), the wait for the queue's lock included.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10),
		}),
		writePoints: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "vantage_controller_influx_queue_write_points",
			Help:    "Points per drain round (one Write, split into requests of influx.batch_size).",
			Buckets: prometheus.ExponentialBuckets(1, 4, 10),
		}),
	}
	for _, r := range []string{reasonFull, reasonError} {
		m.refused.WithLabelValues(r)
	}
	m.dropped.WithLabelValues("corrupt")
	f.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "vantage_controller_influx_queue_points",
		Help: "Points in the write-behind queue waiting for InfluxDB (InfluxDB's lag behind line health).",
	}, func() float64 { return float64(q.Points()) })
	f.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "vantage_controller_influx_queue_bytes",
		Help: "Bytes the write-behind queue holds on disk (bounded by influx_queue.max_bytes).",
	}, func() float64 { return float64(q.Bytes()) })
	f.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "vantage_controller_influx_queue_age_seconds",
		Help: "How long the oldest point in the write-behind queue has waited (0: empty).",
	}, func() float64 { return q.Age().Seconds() })
	return m
}
