package main

import (
	"fmt"
	"time"
)

// plan lays out the lines: -trials per latency group, the flap schedule's
// ten flap lines and its outage line, -drop-lines per drop length and
// mode, and -loss-lines per mode for the loss run and the traffic counts.
// Every line is used by one part only, so no failure count, flapping state
// or dampening penalty carries over from one part to another.
type plan struct {
	latency   []latencyGroup
	flapLines []line
	outage    line
	drops     []dropGroup
	loss      [][]line // per mode, as config.modes
	all       []line
}

// latencyGroup is one row of the latency table: a rate and a mode.
type latencyGroup struct {
	label string
	lines []line
}

// modes are the probe modes of this run: plain, and confirmation when
// -confirm says how to turn it on.
func (c config) modes() []bool {
	if !c.confirm {
		return []bool{false}
	}
	return []bool{false, true}
}

func makePlan(c config) plan {
	var p plan
	add := func(id string, interval time.Duration, confirm bool) line {
		ln := line{id: id, cust: len(p.all), interval: interval, slotTO: plainTimeout(interval), confirm: confirm}
		if confirm {
			ln.probe = c.probe
			ln.slotTO, ln.every = min(c.probe.timeout, plainTimeout(interval)), min(c.probe.every, interval)
		}
		p.all = append(p.all, ln)
		return ln
	}
	if !c.skipLatency {
		group := func(r float64, confirm bool) {
			g := latencyGroup{label: rateLabel(r) + modeSuffix(confirm)}
			for i := range c.trials {
				g.lines = append(g.lines, add(fmt.Sprintf("LAT%s%g-%02d", modeLetter(confirm), r, i+1), hz(r), confirm))
			}
			p.latency = append(p.latency, g)
		}
		for _, r := range c.rates {
			group(r, false)
		}
		for _, r := range c.confirmRates {
			group(r, true)
		}
	}
	if !c.skipFlaps {
		for i := range nFlaps {
			p.flapLines = append(p.flapLines, add(fmt.Sprintf("FLAP-%02d", i+1), hz(c.flapRate), false))
		}
		p.outage = add("OUT-01", hz(c.flapRate), false)
	}
	if !c.skipDrops {
		for _, d := range c.drops {
			for _, confirm := range c.modes() {
				g := dropGroup{length: d, confirm: confirm}
				for i := range c.dropLines {
					g.lines = append(g.lines, add(fmt.Sprintf("DROP%s-%s%02d", d, modeLetter(confirm), i+1), time.Second, confirm))
				}
				p.drops = append(p.drops, g)
			}
		}
	}
	if !c.skipLoss || !c.skipTraffic {
		for _, confirm := range c.modes() {
			var ls []line
			for i := range c.lossLines {
				ls = append(ls, add(fmt.Sprintf("LT-%s%02d", modeLetter(confirm), i+1), time.Second, confirm))
			}
			p.loss = append(p.loss, ls)
		}
	}
	return p
}

// modeSuffix and modeLetter name a mode in tables and in line ids ("P"
// plain, "C" confirmation).
func modeSuffix(confirm bool) string {
	if confirm {
		return " +confirm"
	}
	return ""
}

func modeLetter(confirm bool) string {
	if confirm {
		return "C"
	}
	return "P"
}

func modeName(confirm bool) string {
	if confirm {
		return "confirm"
	}
	return "plain"
}
