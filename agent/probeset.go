package agent

import (
	"context"
	"crypto/sha256"
	"fmt"
	mrand "math/rand"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/agent/schedule"
	"github.com/vantage-net/vantage/probes"
	"github.com/vantage-net/vantage/probes/probe"
	"github.com/vantage-net/vantage/probes/result"
)

// probeRun is one configured probe with its own schedule.Runner. Each probe
// has its own runner so that a reload can leave an unchanged probe's runner
// alone: its targets keep their phase and no round is interrupted. The cost
// is one timer goroutine per probe instead of one per agent; probes are tens,
// targets (which share their probe's runner) are thousands.
type probeRun struct {
	name    string
	key     string         // everything that shapes the probe's rounds; equal key = unchanged
	probers []probe.Prober // one, or one per network the probe runs over
	jobs    []job
	cancel  context.CancelFunc
	done    chan struct{} // closed when the runner stopped and its rounds finished
}

// buildProbes returns the probe set for c: probes whose key is unchanged are
// taken from old as they run; the others get a new prober. fresh lists the
// new ones, which the caller starts. On error no prober built here is left
// open and old is untouched.
func (a *Agent) buildProbes(c *config.Config, old map[string]*probeRun) (next map[string]*probeRun, fresh []*probeRun, err error) {
	next = make(map[string]*probeRun, len(c.Probes))
	jobs := c.Jobs()
	defer func() {
		if err == nil {
			a.budget.SetMaxPriority(maxPriority(c))
		}
	}()
	for i := range c.Probes {
		pc := &c.Probes[i]
		key := probeKey(pc, jobs)
		if r, ok := old[pc.Name]; ok && r.key == key {
			next[pc.Name] = r
			continue
		}
		r := &probeRun{name: pc.Name, key: key}
		fresh = append(fresh, r) // closed with the others on error
		networks := pc.Networks
		if len(networks) == 0 {
			networks = []string{""}
		}
		for _, nw := range networks {
			src := probe.Source{Network: nw}
			if n, ok := c.Network(nw); ok {
				src.Interface, src.Address = n.SourceInterface, n.Address()
			}
			p, d, err := probes.New(probe.Spec{
				Name: pc.Name, Type: pc.Type, Interval: pc.Interval, Timeout: pc.Timeout,
				Options: pc.Options, File: c.File(), Source: src,
				Logger: a.log.With("probe", pc.Name), Registerer: a.reg,
			})
			if err != nil {
				closeProbers(fresh)
				return nil, nil, fmt.Errorf("%s:%d: probes[%d] (%s): %w", c.File(), pc.Line(), i, pc.Name, err)
			}
			r.probers = append(r.probers, p)
			for _, j := range jobs {
				if j.Probe == pc && j.Network == nw {
					r.jobs = append(r.jobs, job{probe: pc.Name, prober: p, meas: d.Measurement,
						schema: result.Schemas[d.Measurement], target: j.Target, labels: j.Labels,
						network: nw, interval: pc.Interval, timeout: pc.Timeout, confirm: confirmSpec(pc, j.Priority)})
				}
			}
		}
		next[pc.Name] = r
	}
	return next, fresh, nil
}

// probeKey renders what makes two versions of a probe run identically:
// type, timing, options and every target with its effective labels (the
// agent's site included), hashed as it is written: a string grown per
// target was quadratic, 0.56 GB of garbage at 5,000 targets, and set the
// agent's peak RSS (TestProbeKeyMemoryLinear).
func probeKey(p *config.Probe, jobs []config.Job) string {
	h := sha256.New()
	opts, _ := yaml.Marshal(&p.Options)
	fmt.Fprintf(h, "%s|%s|%s|%s|%+v|", p.Type, p.Interval, p.Timeout, opts, confirmSpec(p, 0))
	for _, j := range jobs {
		if j.Probe == p {
			fmt.Fprintf(h, "%s|%+v|%d|%s|", j.Target, j.Labels, j.Priority, j.Network)
		}
	}
	return string(h.Sum(nil))
}

// startProbe runs r's schedule until ctx ends or r.cancel is called. rng
// gives the probe its random phase offset.
func (a *Agent) startProbe(ctx context.Context, r *probeRun, rng *mrand.Rand) {
	specs := make([]schedule.JobSpec, len(r.jobs))
	for i, j := range r.jobs {
		specs[i] = schedule.JobSpec{Interval: j.interval, Timeout: j.timeout, Confirm: j.confirm}
		if j.network != "" {
			// The target's networks share a slot: measured at the same moments.
			specs[i].Moment = j.target
		}
	}
	runner := &schedule.Runner{
		Plan:  schedule.NewPlan(a.clock.Now(), specs, rng, a.budget),
		Clock: a.clock,
		Run:   func(_ context.Context, rd schedule.Round) bool { return a.round(&r.jobs[rd.Job], rd) },
		Begin: func(rd schedule.Round, end func(func() bool)) bool { return a.begin(&r.jobs[rd.Job], rd, end) },
		Tick:  runnerTick,
		Skipped: func(rd schedule.Round) {
			if rd.Skip == schedule.SkipBudget {
				a.m.confirmRefused.WithLabelValues(r.name).Inc()
				return
			}
			reason := "busy"
			if rd.Skip == schedule.SkipStall {
				reason = "stall"
			}
			a.m.skipped.WithLabelValues(r.name, reason).Inc()
		},
	}
	ctx, r.cancel = context.WithCancel(ctx)
	r.done = make(chan struct{})
	go func() {
		defer close(r.done)
		runner.Start(ctx) // returns after running rounds finished
	}()
}

// stopProbes stops runners and waits for their rounds, all at once so a
// reload waits for the slowest round, not the sum; then closes the probers.
func stopProbes(rs []*probeRun) {
	for _, r := range rs {
		if r.cancel != nil {
			r.cancel()
		}
	}
	for _, r := range rs {
		if r.done != nil {
			<-r.done
		}
	}
	closeProbers(rs)
}

func closeProbers(rs []*probeRun) {
	for _, r := range rs {
		for _, p := range r.probers {
			if c, ok := p.(probe.Closer); ok {
				_ = c.Close()
			}
		}
	}
}

// confirmSpec is the scheduler's view of p's confirm block for a target of
// the given priority (zero: no confirmation).
func confirmSpec(p *config.Probe, priority int) schedule.Confirm {
	c := p.Confirm
	if c == nil || c.Rounds == nil || c.Watch == nil {
		return schedule.Confirm{}
	}
	return schedule.Confirm{Interval: c.Interval, Rounds: *c.Rounds, Watch: *c.Watch, Priority: priority}
}

// maxPriority is the highest confirmation priority among c's jobs.
func maxPriority(c *config.Config) int {
	top := 0
	for _, j := range c.Jobs() {
		if j.Probe.Confirm != nil {
			top = max(top, j.Priority)
		}
	}
	return top
}
