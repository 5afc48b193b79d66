package schedule

import "time"

// Confirmation on suspicion.
//
// A round fails only when nothing came back, and that is known only when
// its timeout has run out. Waiting for it before the first confirmation
// round wastes most of a short drop: at 1 Hz with a 200-ms timeout a 1-s
// drop whose first failed slot came more than about 0.78 s after the cut
// ends before any confirmation round is sent, so it stays a single failed
// round and is never counted (78 % of 1-s drops counted).
//
// A healthy round ends with its last reply, after (count−1)·gap plus the
// round trip; the job learns how long that takes from its own answered
// rounds (srtt and rttvar of their lengths, smoothed as TCP's RTO is,
// RFC 6298: gains 1/8 and 1/4). A slot round still running at
// srtt + max(4·rttvar, suspectGrain) after it started is missing a reply
// its target normally sends by then, so the first confirmation round
// starts at that moment, alongside the slot's round, instead of after its
// timeout. On a 1-ms path with 3 requests 10 ms apart that is about 40 ms
// after the slot instead of 200 ms: a 1-s drop is counted unless the slot
// falls in its last ~6 %.
//
// Why not shorten the round's timeout to that estimate instead (an RTO-like
// derived timeout): the timeout decides what a failed round is. A round
// trip that rises above the estimate (a congested uplink, a busy CPE)
// would fail rounds whose replies were merely late, and three such rounds
// are a false outage. Suspicion only costs a confirmation round (paid from
// the budget): whether a round failed, and the loss and RTT it reports, are
// still decided by the whole timeout, so 1 % random loss still fails a
// round only when all its requests are lost. Its price is that a slot
// round missing one reply (about 3 % of rounds at 1 % loss each way with
// 3 requests) also buys one early confirmation round.
//
// A round that ran to its timeout waited for a reply that never came; its
// length is not a round trip and is not sampled (Karn's rule). Before the
// first answered round there is no estimate and confirmation waits for the
// slot's round to fail, as it does when the estimate reaches the timeout
// and when the job's timeout is not known (JobSpec.Timeout zero).

// suspectGrain is the least margin over the smoothed round length: the
// runner starts rounds in steps of its Tick (5 ms in the agent) and
// goroutine wake-ups on a busy agent jitter by several ms more, which a
// 1-ms path's rttvar does not cover; a suspicion it misses costs a round.
// 20 ms keeps 1-s drops at 1 Hz counted about 96 % of the time (the first
// confirmation round's 3 requests must fall in the drop).
const suspectGrain = 20 * time.Millisecond

// rtt is a job's estimate of how long an answered round takes.
type rtt struct {
	srtt, rttvar time.Duration
}

// sample feeds the length d of an answered round whose timeout was
// timeout; rounds that ran to their timeout are left out.
func (r *rtt) sample(d, timeout time.Duration) {
	if d <= 0 || timeout > 0 && d >= timeout {
		return
	}
	if r.srtt == 0 {
		r.srtt, r.rttvar = d, d/2
		return
	}
	dev := r.srtt - d
	if dev < 0 {
		dev = -dev
	}
	r.rttvar += (dev - r.rttvar) / 4
	r.srtt += (d - r.srtt) / 8
}

// suspectAfter is how long after its start a round that has not ended is
// suspected of failing (0: no estimate yet).
func (r *rtt) suspectAfter() time.Duration {
	if r.srtt == 0 {
		return 0
	}
	return r.srtt + max(4*r.rttvar, suspectGrain)
}

// roundTimeout is the bound of e's slot round, or of its confirmation
// round (0: unknown).
func (e *entry) roundTimeout(confirm bool) time.Duration {
	if confirm && (e.timeout == 0 || e.conf.Interval < e.timeout) {
		return e.conf.Interval
	}
	return e.timeout
}

// suspect schedules e's first confirmation round for when its slot round,
// started at now, outlives the job's estimate, unless a sequence already
// runs or the round's own timeout would come first.
func (p *Plan) suspect(e *entry, now time.Time) {
	after := e.suspectAfter()
	if !e.conf.enabled() || e.seq || e.confRunning || after == 0 || e.timeout == 0 || after >= e.timeout {
		return
	}
	e.at = p.offSlot(e, now.Add(after))
}
