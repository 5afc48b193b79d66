package fleetsim

import (
	"fmt"
	"math"
	"math/rand"
	"sort"
	"time"
)

// FieldFlapsPerLineMonth is the field's rate: ~510,000 flaps a month over
// ~50,000 lines (DESIGN.md).
const FieldFlapsPerLineMonth = 510_000.0 / 50_000.0

// Config is what a simulation looks like. Zero fields take the defaults.
type Config struct {
	// Lines is how many lines (rounded up to whole cards).
	Lines int
	// LinesPerCard and CardsPerPoP shape the element tree; one agent per
	// PoP watches every line below it.
	LinesPerCard, CardsPerPoP int
	// Duration is how long results are published (event time).
	Duration time.Duration
	// RateScale multiplies the field's flap rate (time compression: 1 is
	// the field, 1000 puts a month's ~17 minutes' worth into a second... of
	// per-line rate, not of wall time).
	RateScale float64
	// OutageShare is the share of line events longer than the flap threshold.
	OutageShare float64
	// GroupedFailures is how many cards fail as a whole.
	GroupedFailures int
	// SilentAgents go silent once for SilenceFor, holding their results,
	// and replay them late; SkewedAgents stamp results Skew ahead.
	SilentAgents, SkewedAgents int
	SilenceFor, Skew           time.Duration
	// FlapThreshold is the controller's detector.flap_threshold (default
	// 60 s): flaps are drawn shorter, outages longer (up to twice it), so
	// a short run with a short threshold still has both.
	FlapThreshold time.Duration
	// Quiet is the end of the run kept free of new events, so every
	// event has ended and recovered before the last result.
	Quiet time.Duration
	Seed  int64
}

func (c *Config) fill() error {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Lines, 300)
	def(&c.LinesPerCard, 10)
	def(&c.CardsPerPoP, 3)
	if c.Duration == 0 {
		c.Duration = 60 * time.Second
	}
	if c.RateScale == 0 {
		c.RateScale = 1
	}
	if c.OutageShare == 0 {
		c.OutageShare = 0.1
	}
	if c.SilenceFor == 0 {
		c.SilenceFor = 20 * time.Second
	}
	if c.Skew == 0 {
		c.Skew = 2 * time.Second
	}
	if c.FlapThreshold == 0 {
		c.FlapThreshold = 60 * time.Second
	}
	if c.Quiet == 0 {
		c.Quiet = 10 * time.Second
	}
	switch {
	case c.Lines < 1:
		return fmt.Errorf("lines: %d, want at least 1", c.Lines)
	case c.LinesPerCard < 1 || c.CardsPerPoP < 1:
		return fmt.Errorf("lines per card (%d) and cards per PoP (%d) must be at least 1", c.LinesPerCard, c.CardsPerPoP)
	case c.RateScale < 0:
		return fmt.Errorf("rate scale: %v, want ≥ 0", c.RateScale)
	case c.OutageShare < 0 || c.OutageShare > 1:
		return fmt.Errorf("outage share: %v, want 0..1", c.OutageShare)
	case c.FlapThreshold < 5*time.Second:
		return fmt.Errorf("flap threshold: %v, want at least 5s", c.FlapThreshold)
	case c.Duration < c.Quiet+10*time.Second:
		return fmt.Errorf("duration %v: want at least quiet (%v) + 10s", c.Duration, c.Quiet)
	}
	return nil
}

// Plan is a whole simulation fixed in advance: topology and ground truth.
type Plan struct {
	Config Config
	Agents []*Agent
	Lines  []*Line
	Truth  Truth
}

// Agent is one simulated agent at a PoP watching its lines.
type Agent struct {
	ID, PoP string
	Lines   []*Line
	// Skew is added to every event time the agent stamps.
	Skew time.Duration
	// Silent is [from, to) in seconds after the start: results are held
	// and published at `to` (a late replay); heartbeats stop.
	SilentFrom, SilentTo int
}

// Line is one simulated line and the seconds its pings fail.
type Line struct {
	ID, Customer, Card string
	down               []span // sorted, disjoint
}

type span struct{ from, to int } // seconds after start, [from, to)

// Down reports whether the line's pings fail in second s.
func (l *Line) Down(s int) bool {
	i := sort.Search(len(l.down), func(i int) bool { return l.down[i].to > s })
	return i < len(l.down) && l.down[i].from <= s
}

// free reports whether [from, to) keeps 10 s clear of the line's other spans
// (recovery rounds between two events).
func (l *Line) free(from, to int) bool {
	for _, d := range l.down {
		if from < d.to+10 && d.from < to+10 {
			return false
		}
	}
	return true
}

func (l *Line) add(from, to int) {
	l.down = append(l.down, span{from, to})
	sort.Slice(l.down, func(i, j int) bool { return l.down[i].from < l.down[j].from })
}

// NewPlan draws a simulation from c with its seed.
func NewPlan(c Config) (*Plan, error) {
	if err := c.fill(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewSource(c.Seed))
	p := &Plan{Config: c}
	perPoP := c.LinesPerCard * c.CardsPerPoP
	pops := (c.Lines + perPoP - 1) / perPoP
	var cards []string
	cardLines := map[string][]*Line{}
	for pi := 0; pi < pops; pi++ {
		a := &Agent{ID: fmt.Sprintf("sim-%05d", pi), PoP: fmt.Sprintf("pop%05d", pi), SilentFrom: -1, SilentTo: -1}
		for ci := 0; ci < c.CardsPerPoP; ci++ {
			card := fmt.Sprintf("%s-c%d", a.PoP, ci)
			cards = append(cards, card)
			for li := 0; li < c.LinesPerCard; li++ {
				n := len(p.Lines)
				l := &Line{ID: fmt.Sprintf("SL%06d", n), Customer: fmt.Sprintf("SC%05d", n/5), Card: card}
				p.Lines = append(p.Lines, l)
				a.Lines = append(a.Lines, l)
				cardLines[card] = append(cardLines[card], l)
			}
		}
		p.Agents = append(p.Agents, a)
	}
	thr := int(c.FlapThreshold / time.Second)
	secs := int(c.Duration / time.Second)
	last := secs - int(c.Quiet/time.Second) // every event ends before this
	// Grouped failures first: a card fails, its lines go down within a
	// 3-s spread and come back together (a reboot).
	for g := 0; g < c.GroupedFailures && len(cards) > 0; g++ {
		card := cards[rng.Intn(len(cards))]
		dur := 5 + rng.Intn(min(40, 2*thr))
		from := 15 + rng.Intn(max(1, last-dur-20))
		ls := cardLines[card]
		ok := true
		for _, l := range ls {
			ok = ok && l.free(from, from+dur+3)
		}
		if !ok || from+dur+3 >= last {
			continue
		}
		gf := GroupTruth{Element: card, Start: from}
		for _, l := range ls {
			s := from + rng.Intn(3)
			l.add(s, from+dur)
			gf.Lines = append(gf.Lines, l.ID)
		}
		p.Truth.Groups = append(p.Truth.Groups, gf)
	}
	// Single-line events: Poisson per line at the scaled field rate.
	perSec := FieldFlapsPerLineMonth * c.RateScale / (30 * 86400)
	for _, l := range p.Lines {
		t := 5.0
		for {
			t += rng.ExpFloat64() / perSec
			if math.IsInf(t, 0) || t >= float64(last) {
				break
			}
			from := int(t)
			// A flap lasts at least k = 3 rounds and stays under the
			// threshold (at most 47 s); an outage up to twice it.
			dur := 3 + rng.Intn(min(45, thr-3))
			if rng.Float64() < c.OutageShare {
				dur = thr + 1 + rng.Intn(thr)
			}
			if from+dur >= last || !l.free(from, from+dur) {
				continue
			}
			l.add(from, from+dur)
		}
	}
	// Silent and skewed agents: distinct, drawn from the shuffled agents.
	order := rng.Perm(len(p.Agents))
	for i := 0; i < c.SilentAgents && i < len(order); i++ {
		a := p.Agents[order[i]]
		a.SilentFrom = 10 + rng.Intn(max(1, last-int(c.SilenceFor/time.Second)-10))
		a.SilentTo = a.SilentFrom + int(c.SilenceFor/time.Second)
	}
	for i := c.SilentAgents; i < c.SilentAgents+c.SkewedAgents && i < len(order); i++ {
		p.Agents[order[i]].Skew = c.Skew
	}
	p.Truth.fill(p)
	return p, nil
}
