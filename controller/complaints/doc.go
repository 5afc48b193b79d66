// Package complaints takes in call-centre complaints, links each to a
// customer, its lines and a place (grid cell), and judges it against what
// line health committed: a verdict (confirmed, degraded, not_observed,
// not_monitored) with the evidence attached, recomputed while late
// evidence can still arrive. Complaints of one customer, line or cell
// that pile up (N in D days) are repeats.
//
// Files: complaint.go (the model and its checks), store.go (upserts,
// idempotent on the complaint id), link.go (customer, lines, place),
// evidence.go and verdict.go (the window and the verdict), coverage.go
// and compare.go (the place's weak coverage and where our network is
// behind a competitor), repeats.go,
// cells.go (counts per grid cell for the places-to-fix ranking),
// reevaluate.go (the loop that re-judges open and recent complaints),
// http.go (the API) and importcsv/ (call-centre exports).
//
// points.go writes one `complaint` point per complaint (n=1 at its
// received time) through the shipper's queue, in the evaluation's
// transaction. The verdict is a tag and late evidence changes it: the
// point last queued is kept (complaint_points), and a change of any tag
// queues n=0 for the old series at the same time — an overwrite in
// InfluxDB — with n=1 for the new one, so sum(n) counts each complaint once.
package complaints
