package agent

import (
	"github.com/vantage-net/vantage/probes/probe"
	"github.com/vantage-net/vantage/probes/result"
	"github.com/vantage-net/vantage/probes/snmp"
	"github.com/vantage-net/vantage/probes/snmp/trap"
)

// trapProbe is the Probe name trap results carry, so an operator finds the
// `traps:` block behind a point as for any probe.
const trapProbe = "traps"

// startTraps starts the SNMP trap listener when the config has a traps
// block, and returns the function that stops it. It must be stopped before
// a.results is closed: a trap arriving later would send on a closed channel.
// Accepted traps go straight into a.results, the channel the scheduled rounds
// use, so they reach the batcher at once instead of on the next probe tick.
func (a *Agent) startTraps() (stop func(), err error) {
	if a.cfg.Traps.Kind == 0 {
		return func() {}, nil
	}
	// Load already validated the block; decoding again is cheap and keeps
	// the agent from depending on a decoded copy kept since then.
	tc, err := trap.DecodeConfig(a.cfg.File(), &a.cfg.Traps)
	if err != nil {
		return nil, err
	}
	l, err := trap.Listen(trap.Options{
		Config: tc, Forward: a.emitTrap, Lookup: a.trapLookup(),
		Logger: a.log.With("component", "snmp_traps"), Registerer: a.trapReg, Now: a.clock.Now,
	})
	if err != nil {
		return nil, err
	}
	return func() { _ = l.Close() }, nil
}

// emitTrap turns a trap sample into a result. The sample's time is the
// trap's arrival (event time); its tags are the snmp_event tags already.
func (a *Agent) emitTrap(s probe.Sample) {
	a.m.produced.WithLabelValues(trapProbe).Inc()
	a.Emit(result.Result{Time: s.Time, Measurement: s.Measurement, Probe: trapProbe, Tags: s.Tags, Fields: s.Fields})
}

// trapLookup asks every snmp prober what its last poll knew about an
// interface, so a trap carrying only an ifIndex still gets a name and the
// poller's line (renumbering-safe) when its source has no line map.
func (a *Agent) trapLookup() trap.LookupFunc {
	type looker interface {
		Lookup(device string, ifIndex int) (snmp.IfInfo, bool)
	}
	// The probers are looked up per trap: a remote config reload replaces them.
	return func(device string, ifIndex int) (snmp.IfInfo, bool) {
		for _, p := range a.currentProbers() {
			if l, ok := p.(looker); ok {
				if i, ok := l.Lookup(device, ifIndex); ok {
					return i, true
				}
			}
		}
		return snmp.IfInfo{}, false
	}
}
