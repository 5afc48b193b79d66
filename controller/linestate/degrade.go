package linestate

// degrade averages loss, RTT and jitter over tumbling windows of
// Params.DegradeWindow aligned to the Unix epoch, and joins consecutive
// degraded windows into one degradation event. Fixed windows keep the state
// to a few sums per line and make every replay cut the same windows; a
// sliding window would need every sample of the window kept per line.
//
// Only rounds while the line is not in an outage count: an outage is its
// own event and must not also show as 100 % loss.
type degrade struct {
	WS             int64 // current window start; 0 before the first sample
	N              uint32
	Loss, RTT, Jit float64 // sums over the window
	NRTT           uint32  // rounds that had an RTT (failed rounds have none)
	Open           bool    // a degradation is in progress
	OpenStart      int64
	OpenLoss       float64
	OpenN          uint32
}

// deadline is when the current window must be closed, 0 if nothing waits.
func (g *degrade) deadline(p *Params) int64 {
	if g.N == 0 && !g.Open {
		return 0
	}
	return g.WS + int64(p.DegradeWindow)
}

// roll closes every window that ends at or before t.
func (g *degrade) roll(t int64, p *Params, em *emitter) {
	w := int64(p.DegradeWindow)
	for g.WS != 0 && t >= g.WS+w {
		if g.N == 0 && !g.Open {
			break
		}
		g.close(p, em)
		g.WS += w
	}
	if g.N == 0 && !g.Open {
		g.WS = t - floorMod(t, w)
	}
}

func floorMod(t, w int64) int64 {
	m := t % w
	if m < 0 {
		m += w
	}
	return m
}

func (g *degrade) sample(t int64, loss float64, rtt, jit float64, hasRTT bool, p *Params, em *emitter) {
	g.roll(t, p, em)
	g.N++
	g.Loss += loss
	if hasRTT {
		g.NRTT++
		g.RTT += rtt
		g.Jit += jit
	}
}

func (g *degrade) close(p *Params, em *emitter) {
	bad := false
	if g.N > 0 {
		n := float64(g.N)
		bad = p.LossPct > 0 && g.Loss/n > p.LossPct
		if g.NRTT > 0 {
			nr := float64(g.NRTT)
			bad = bad || p.RTTMs > 0 && g.RTT/nr > p.RTTMs || p.JitterMs > 0 && g.Jit/nr > p.JitterMs
		}
	}
	switch {
	case bad && !g.Open:
		g.Open, g.OpenStart, g.OpenLoss, g.OpenN = true, g.WS, g.Loss, g.N
	case bad:
		g.OpenLoss += g.Loss
		g.OpenN += g.N
	case g.Open:
		g.Open = false
		em.event(Event{Kind: Degraded, Start: unix(g.OpenStart), End: unix(g.WS),
			Duration: durNS(g.WS - g.OpenStart), LossPct: g.OpenLoss / float64(g.OpenN)})
	}
	g.N, g.NRTT, g.Loss, g.RTT, g.Jit = 0, 0, 0, 0, 0
}
