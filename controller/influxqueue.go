package controller

import (
	"github.com/vantage-net/vantage/agent/spool"
	"github.com/vantage-net/vantage/controller/ingest"
	"github.com/vantage-net/vantage/controller/writebehind"
)

// openInfluxQueue returns the ingest's Store: the write-behind queue in
// front of the InfluxDB writer (config influx_queue, controller/writebehind),
// or the writer itself when the queue is off or in cluster mode, whose
// partitions write InfluxDB before they ack.
func openInfluxQueue(c *Controller) (ingest.Store, error) {
	q := c.cfg.InfluxQueue
	if !*q.Enabled || c.cfg.Cluster != nil {
		return c.writer, nil
	}
	wq, err := writebehind.Open(c.writer, writebehind.Options{
		Dir: q.Dir, MaxBytes: q.MaxBytes, Fsync: spool.Fsync(q.Fsync), Linger: q.Linger, MaxPoints: q.MaxPoints,
		JetStream: c.js, Logger: c.log.With("component", "influx_queue"), Registerer: c.reg,
	})
	if err != nil {
		return nil, err
	}
	c.queue = wq
	return wq, nil
}

// influxQueueComponents drain the queue; they stop in the last stage,
// after the ingest stopped appending (what is left waits on disk).
func (c *Controller) influxQueueComponents() []component {
	if c.queue == nil {
		return nil
	}
	return []component{{"influx_queue", c.queue.Run}}
}

// influxQueueHealth adds the queue's depth and age to /healthz's details.
func (c *Controller) influxQueueHealth(d map[string]any) {
	if c.queue == nil {
		return
	}
	d["influx_queue_points"] = c.queue.Points()
	d["influx_queue_age_seconds"] = c.queue.Age().Seconds()
}

// closeInfluxQueue syncs the queue's files; Close calls it once Run's
// stages returned.
func (c *Controller) closeInfluxQueue() {
	if c.queue != nil {
		if err := c.queue.Close(); err != nil {
			c.log.Error("influx queue close", "err", err)
		}
	}
}
