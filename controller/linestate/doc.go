// Package linestate is the line-state detector: it turns evidence about a
// line (ping, dial and HTTP rounds, SNMP oper status, traps, unseen flaps,
// agent silence) into the line's state (up, down, unknown, flapping) and
// its events (outage, flap, degraded, flapping_start, flapping_end), in
// event time. It is pure: no I/O, no clock, no goroutines. The controller
// feeds it with Add (FromResult adapts an ingested result) and drives time
// with Advance, and writes what comes back to InfluxDB and the database.
//
// # The state machine (machine.go)
//
// UP → DOWN after k = Params.FailRounds consecutive failed rounds of a
// source (default 3) when every other source that can see the line agrees
// (below, "Several sources"; with one source, at once), or at once on a
// trustworthy down signal (linkDown trap, oper status down). DOWN → UP
// after m = Params.RecoverRounds consecutive successful rounds of one
// source (default 2), or on an up signal that no failing probe
// contradicts. An outage runs from the first failed evidence to the
// first recovered evidence (not the m-th); shorter than
// Params.FlapThreshold (60 s) it is a flap.
//
// Why m = 2: one stray success inside an outage (a reply slipping through a
// failing link, an ARP race) must not split it in two and count an extra
// flap in the per-line flap figure the operator is judged on. The two
// rounds are one source's: another source's failure does not reset them.
// It costs one probe interval of latency in deciding recovery, none in the
// outage's measured end, which is stamped at the first recovered round of
// any source still answering.
//
// k protects alerts; counting needs less. A 2-s interruption probed at 1 Hz
// fails at most two rounds, so it would never reach k = 3. (Two only when
// every echo request of the second round falls inside it: a round of n
// requests p apart that straddles the return gets a reply and succeeds, so
// a cut is sure to fail two rounds only if it lasts 2 intervals + (n−1)·p;
// bench/detect measured one 2-s flap in five missed at the agent's default
// 100-ms gap, and the remote config derived for lines uses a 10-ms gap.) A run of at least
// Params.MinFlapRounds (default 2) failed rounds of one source that ends
// without reaching k is therefore still counted as a flap, though the line
// was never reported down. This is safe because a round fails only when
// nothing came back: the ping probe sends 3 packets a round, so 1 % random
// packet loss fails a round with p = 10⁻⁶ and two in a row practically
// never. An SNMP unseen flap inside such a run counts it even if shorter;
// an unseen flap that no probe saw is counted on its own, with Start/End as
// bounds (Event.Unseen); one that overlaps a counted flap is not counted again.
//
// # Confirmation rounds (Evidence.Confirm)
//
// At 1 Hz, k = 3 slots put a cut down 3 s late, and a 1-s drop fails a
// single slot round: never MinFlapRounds, never counted. Probing at 5 Hz
// costs five times the traffic all the time. Instead the agent confirms:
// when a round fails it re-probes that target every confirm interval
// (default 200 ms; agent/schedule) until the target answers or has failed
// k rounds in a row, and then, for a bounded watch (default 60 s, within a
// per-agent budget spent on higher tiers first), until it answers. Each
// confirmation round is a full round (every echo request of it lost, or
// not) with its own event time, never a slot's, and the result field
// confirm. The detector takes it like any round of the same source and
// probe: it counts towards FailRounds and MinFlapRounds, sits in the
// reorder buffer by its event time, and ends an outage or a flap when it
// answers. So:
//
//   - Down: k failed rounds arrive within the slot round's timeout plus
//     (k−1) confirm intervals after the first failed slot (1 Hz, 100-ms
//     timeout: 0.5 s), not (k−1) slot intervals plus the timeout (2.8 s).
//     The down state is still stamped with that first failed slot.
//   - The end of a drop: a drop ends at the first answered round, and the
//     watch makes that a confirmation round, so the end is known to within
//     one confirm interval, not one slot interval.
//   - A 1-s drop at 1 Hz is counted when a confirmation round fails in it
//     too, so the first confirmation round must start early enough. The
//     agent starts it on suspicion (agent/schedule/suspect.go): when the
//     slot's round outlives the length its answered rounds usually take
//     (an RTO-style srtt + max(4·rttvar, 20 ms), 41 ms on a 1-ms path with
//     3 requests 10 ms apart), not when the round's timeout has declared it
//     failed. Then about 96 % of 1-s drops at random phases are counted
//     (TestConfirmOneSecondDropsRecall: 193 of 200 at the controller's
//     derived 200-ms timeout), missed only when the slot falls in the
//     drop's last ~60 ms. Waiting for the failed round instead counts 88 %
//     at a 100-ms timeout, 78 % at 200 ms and 18 % at the agent's default
//     (80 % of the interval) (TestConfirmOneSecondDropCountedOnce, blind).
//     Shortening the timeout itself to such an estimate was rejected: the
//     timeout decides what a failed round is, and a round trip rising
//     above the estimate would fail answered rounds. A lone failed slot
//     whose confirmation answers stays a run of one, and suspicion fails
//     no round: random loss (a round fails only when all its requests are
//     lost) still makes no flap (TestConfirmRandomLossNoFlap).
//   - Its start is not better known than before: the link went down
//     somewhere in the slot interval between the last answered round and
//     the first failed slot, which stamps the flap, up to one interval
//     late; the end is the first answered confirmation round, up to one
//     confirm interval late. The bound, at slot interval I and confirm
//     interval C: stored start − cut ∈ [0, I), stored end − return ∈
//     [0, C + d] (d: how late the agent runs its rounds, 0 when idle), so a
//     drop's stored duration errs by ∈ (−I, +C + d]; at 1 Hz and the
//     derived 200 ms, (−1 s, +0.2 s + d]. Uniform phases put about 37 % of
//     1-s drops within 0.3 s of the truth, mean −0.39 s (a Monte Carlo of
//     this model). bench/detect with the derived probe (docs/BENCHMARKS.md
//     §7, 334 drops of 1, 2 and 5 s) measured start − cut median +0.44 to
//     +0.52 s, max +0.98 s; end − return max +0.25 s (d ≈ 50 ms at a load
//     average of 15 on 2 cores); |duration error| median 0.34–0.47 s, p90
//     0.74–0.85 s, max 0.94 s; 30–41 % within 0.3 s. No estimator from rounds a second apart
//     meets 0.3 s for every drop: the start is uniform over the interval,
//     so the best point estimate (the midpoint, bias-corrected) still errs
//     by up to ±(I+C)/2 and is within 0.3 s for about 63 % of drops, and it
//     would move every start the API and the incident grouping already
//     rely on. Within 0.3 s always needs I + C ≤ 0.6 s with such midpoint
//     stamping, or I ≤ 0.3 s as stamped: slots at 2.5–3.3 Hz or more.
//
// Two things differ from a slot's round, because a confirmation round is
// not a sample taken on the schedule: it does not set the source's
// interval (a 60-s source would otherwise look like a 200-ms one and fall
// silent 30 s later, leaving its line unknown instead of down), and it does
// not feed degradation (rounds that follow failures would weigh losses
// more than the schedule does).
//
// # Several sources (agree.go)
//
// A line is often watched from both ends: its CPE agent and a watcher at a
// PoP (controller/cause). Each source keeps its own evidence: its own
// count of consecutive failed rounds, reset only by its own answered
// round, and in an outage its own count of answered rounds. The line is
// judged from them as multi-location monitors confirm a failure from
// another vantage point before alerting: it goes down when some source has
// failed k rounds in this run (since the last answered round of any
// source) and every other source that can see the line has failed k
// rounds too; a short run counts as a flap on the same terms with
// MinFlapRounds. A source can see the line while its latest probe round
// is within its own interval plus Params.AnswerGrace (default 500 ms,
// for its next round to be measured and delivered: the agent's
// batch_delay is 250 ms) and it is not silent. So the line is down when
// the sources that see it agree, or when the only one that sees it says
// so: a CPE that is powered off, or cut off and spooling behind the cut,
// has no say once its interval has passed, and a timer (vetoEnds) decides
// then without waiting for more evidence. Recovery needs m answered rounds
// of one source.
//
// The case this is for: a watcher whose own uplink fails sends three
// failed rounds within 0.4 s through confirmation, between two of the
// CPE's 1-Hz answers, and keeps failing every 200 ms. Under the earlier
// rule (k failures of one source with no answer from any source in
// between; m answers in a row from any source) the line went down while
// the CPE still answered, and stayed down, the watcher's failures
// resetting every recovery (TestWatcherUplinkKeepsLineUp,
// TestRecoveryPerSource). Now the CPE's answers hold the line up, and the
// watcher's failures alone (cause watcher_uplink) touch only lines no
// other source sees.
//
// The cost: on a line seen by several sources, a cut goes down only when
// each other source has failed k rounds or let its own interval plus the
// grace pass. At 1 Hz with a CPE whose results spool behind the cut that
// is up to 1.5 s after its last answer instead of about 0.5 s after the
// watcher's first failure (TestOnlySeeingSourceDecides); a slow source (a
// 60-s HTTP probe) holds a line up for up to its own interval. A short
// drop one source saw and another answered across within its interval is
// not counted. The outage still starts at the first failed round after
// the last answer of any source, as before. SNMP sources (signals, never
// probe rounds) have no say either way.
//
// Silence is not failure. A source that stays quiet longer than
// Params.SilenceAfter (or three of its own intervals) is silent; when every
// source of a line is silent the line is unknown, never down, and never
// flapping either: silence comes before dampening in the visible state. An
// open outage stays open through silence and ends at the first recovered
// evidence. The dampening penalty is a function of time, not of evidence,
// so it decays through the silence: the reuse timer still releases the
// line (flapping_end), and when a source is heard again the line shows
// flapping only if its decayed penalty is still above Reuse.
//
// Degradation (degrade.go): loss, RTT and jitter averaged over windows of
// Params.DegradeWindow aligned to the epoch, while the line is not in an
// outage; consecutive windows above a threshold make one degraded event.
//
// # Event time, lateness and latency (reorder.go, detector.go)
//
// Every line keeps a reorder buffer sorted by event time. A line's
// watermark is the later of the controller's clock (Advance) and the
// newest event time of its slowest source, minus Options.Horizon (15 min):
// evidence before it is sealed, that is fed in event-time order to the
// line's sealed machine, whose transitions and events are final
// (Transition.Final, every Event). Each source's newest event time is its
// own (an agent's clock, whatever line it came from), so an agent whose
// clock runs minutes fast (ingest accepts up to max_future, 5 min) moves no
// other agent's window, not even on a line both watch; event times count at
// all only so a replay without a clock still seals. So any
// arrival order within the horizon, duplicates included (same line, source,
// probe and time: counted once), gives exactly the same final output, and
// results a CPE agent spooled while its only uplink was down are placed
// where they happened. Evidence behind what is sealed is refused as TooLate
// and counted, not dropped silently.
//
// Waiting for the horizon would make every alert 15 minutes late, so each
// line also has a provisional machine: the sealed one plus the buffer,
// updated at once by each arrival and by clock-driven timers. Its
// transitions (Final false) come back from the very Add that decided them:
// down after the k-th failed round arrives. An arrival that lands behind
// it is applied at the view's time only if it is within
// Options.ReorderSlack and cannot change what the view decided (a failed
// round inside the failure under way, an answered round while the line is
// up and later than every failure: machine.absorbs); otherwise the view is
// rebuilt from the sealed machine at the next Advance and reports its net
// change. (A failed round that would join a run is absorbed only on a
// line with one source: with several, where it falls against the other
// sources' rounds decides whether they agreed.) The
// alternative, processing each source in order and sealing at the slowest
// source's position, would give final events within seconds and tiny
// buffers, but relies on every source delivering in order: JetStream
// redeliveries and unordered batches break that, and a wrong final event
// cannot be taken back, while a provisional one is meant to be revised.
// Cost of the choice: final events trail by the horizon, and the buffers
// hold a horizon of evidence (16 bytes each, see pend). So that counts do
// not trail it, the provisional view's flaps and outages are reported too,
// as each line's live set (live.go), until the seal makes them final; an
// outage still open is in it too, without an end.
//
// Late evidence. Applying every arrival within the slack at the view's
// time was once the rule, and it broke lines watched from both ends: the
// CPE agent's only uplink is the line, so during a cut its rounds spool
// and arrive after the network-side watcher's rounds have ended the
// outage. Applied at the view's time, the spooled failed rounds (slot and
// confirmation rounds, three or more within a second) started a new run
// after the recovery and a second provisional outage, its answered rounds
// ended it, and interleaved with the watcher's rounds a third: one 8-s cut
// made two to four live events and three penalties, so the line went
// flapping and the flap counts rose, until the horizon sealed the truth
// (TestBothEndsOneCutCountedOnce). A failed round can only be placed right
// where it happened, so anything that could start, split or end an episode
// is replayed in event-time order; what is absorbed changes nothing a
// replay would not. The cost is one rebuild per such line per Advance,
// only around failures; in steady state (answered rounds of several
// sources interleaving by a few ms) nothing is rebuilt.
//
// # Dampening (dampen.go)
//
// Every flap or outage adds Params.Penalty (1000); the penalty halves every
// HalfLife (15 min); at Suppress (2000) the line is flapping: one
// transition to flapping and one flapping_start event instead of a storm,
// its flaps still counted (Event.Suppressed); when it has decayed to Reuse
// (750) the line is released at a computed time (flapping_end). Defaults
// are route-flap dampening's (RFC 2439); profiles (per tier) override them.
//
// Zino, the link monitor, keeps a similar per-port history but
// multiplicatively: each flap doubles the value (start 2, ceiling 256) and
// aging raises it to a power (v ← v^(0.5^(Δt/300 s))), so it decays towards
// 1 in the exponent; a port is flapping above 35 and released when it ages
// below it again. That means about five quick flaps to trip, and a release
// time that depends on the history's magnitude only logarithmically. The
// additive penalty here has a release time that follows directly from the
// half-life (HalfLife·log2(P/Reuse)), a hysteresis band (suppress above
// reuse) so a line does not toggle in and out of flapping, and a ceiling
// (MaxPenalty) that bounds suppression to an hour after the last flap.
//
// # Bounds and restart
//
// Per line: a few hundred bytes of fixed state, up to Options.MaxSources
// sources, and the buffer, capped at Options.MaxPending (exceeding it seals
// the oldest early, counted). Buffered evidence is 16 bytes; a line probed
// at 1 Hz by one source holds 900 of them (14 KB) at the default horizon,
// by one source every 10 s 90 (1.4 KB). Snapshot and Restore save and
// rebuild the whole state (gob, versioned), so a restarted controller
// produces the same events as one that never stopped. Version 2 (per-source
// judgement) reads version 1 snapshots and converts their line-wide
// recovery count (machine.fromV1, TestRestoreVersion1Snapshot).
package linestate
