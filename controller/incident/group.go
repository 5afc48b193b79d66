package incident

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Why an incident roots at a shared element only for a common cause.
//
// Two ports of a 20-line card failing 20 s apart are two faults; calling
// that "the card failed" tells a customer something false. An element is
// taken as the cause only when lines below it went down within a short
// spread of each other (Rule: default two probe intervals of those lines)
// and they are a significant share of its watched lines (default at least
// half, and at least two). Otherwise each line is its own incident.
//
// The decision cannot wait: incidents open within seconds, so a line's
// failure opens its own incident at once. When a later line (or late
// evidence about an earlier one) completes a common cause, the incident
// is promoted: the oldest incident of the cluster becomes the element's
// (same id, Root moved, Grouping and a "grouped" timeline entry saying
// why), and the other incidents of the cluster are merged into it (closed,
// MergedInto naming it). Lines below the element that were already down
// before the cluster, or flapping, are listed in it as affected with the
// state they were in; their own incidents stay open for their own cause
// (a port broken before the card failed is still broken when the card is
// back) and get a "linked" entry naming the element's incident. Once an
// element incident exists, further lines below it that fail within the
// Window of its start join it.
//
// Deterministic on replay and restart: a decision reads only event times,
// the incidents open at that moment and each member's probe interval as
// stored with it (Member.IntervalMS), never the clock or arrival order
// beyond the order of the calls; the open incidents are stored with every
// change, so a restarted grouper (Restore) decides as the first one would.

// unit is one candidate of a cluster below an element: an open outage
// incident, or the line that just went down (in == nil).
type unit struct {
	in       *Incident
	t        time.Time
	n        int // its cause members still down
	interval int64
	path     []string
}

func (u unit) id() int64 {
	if u.in == nil {
		return 1<<63 - 1
	}
	return u.in.ID
}

// commonCause looks, from the line's highest element down, for one whose
// lines went down with the line within its spread and make up its share;
// it groups them (group) and reports true, or reports false.
func (g *Grouper) commonCause(c *changes, l Line, t time.Time) bool {
	if len(l.Path) == 0 {
		return false
	}
	self := unit{t: t, n: 1, interval: l.Interval.Milliseconds(), path: l.Path}
	below := g.unitsBelow(l.Path[:1], t) // everything under the line's root; each depth filters it
	for depth := 1; depth <= len(l.Path); depth++ {
		e := l.Path[depth-1]
		el, ok := g.topo[e]
		if !ok || el.Watched == 0 {
			continue
		}
		r := g.rule(el.Kind)
		units := make([]unit, 0, len(below)+1)
		all := self.n
		for _, u := range below {
			if len(commonPrefix(u.path, l.Path[:depth])) == depth && (u.in.Grouping == nil || len(u.path) > depth) {
				units = append(units, u)
				all += u.n
			}
		}
		if all < r.MinLines || float64(all) < r.Share*float64(el.Watched) {
			continue // not even every line down below it would do
		}
		units = append(units, self)
		// The spread is in probe intervals of the lines that went down
		// together: start from the line's own and widen while the cluster
		// found takes in slower lines (a bounded fixed point: it only
		// grows, up to the Window).
		allowed := g.allowedSpread(r, []unit{self})
		cluster := bestWindow(units, t, allowed)
		for {
			a := g.allowedSpread(r, cluster)
			if a <= allowed {
				break
			}
			allowed = a
			cluster = bestWindow(units, t, allowed)
		}
		// A cluster whose lines all hang below one deeper element is that
		// element's: it is judged there, against its own watched lines.
		if lca := clusterPath(cluster); len(lca) != depth {
			continue
		}
		n := 0
		for _, u := range cluster {
			n += u.n
		}
		if n < r.MinLines || float64(n) < r.Share*float64(el.Watched) {
			continue
		}
		g.group(c, l, t, l.Path[:depth], el, r, cluster, allowed)
		return true
	}
	return false
}

// unitsBelow lists the open outage incidents below the element at path
// (single lines under it, element incidents rooted deeper) that started
// within the window of t.
func (g *Grouper) unitsBelow(path []string, t time.Time) []unit {
	var out []unit
	for _, in := range g.open {
		if in.Kind != Outage || len(commonPrefix(in.RootPath, path)) != len(path) ||
			(in.Grouping != nil && len(in.RootPath) <= len(path)) || absDur(t.Sub(in.Start)) > g.opts.Window {
			continue
		}
		u := unit{in: in, t: in.Start, path: in.RootPath}
		for _, m := range in.Members {
			if m.Role == RoleCause && !m.ended() {
				u.n++
				u.interval = max(u.interval, m.IntervalMS)
			}
		}
		if u.n > 0 {
			out = append(out, u)
		}
	}
	return out // in no order: bestWindow sorts what it considers
}

// allowedSpread is the rule's spread: fixed, or SpreadIntervals × the
// slowest probe interval among the units; never above the Window.
func (g *Grouper) allowedSpread(r Rule, units []unit) time.Duration {
	s := r.Spread
	if s <= 0 {
		slowest := time.Duration(0)
		for _, u := range units {
			iv := time.Duration(u.interval) * time.Millisecond
			if iv <= 0 {
				iv = FallbackInterval
			}
			slowest = max(slowest, iv)
		}
		s = time.Duration(r.SpreadIntervals * float64(slowest))
	}
	return min(s, g.opts.Window)
}

// bestWindow picks, among the spans of length allowed that hold t, the one
// with the most lines down (the earliest on a tie), and returns its units.
// Spans start at a unit; two pointers keep it linear in the units, which a
// PoP losing thousands of lines at once needs.
func bestWindow(units []unit, t time.Time, allowed time.Duration) []unit {
	slices.SortStableFunc(units, func(a, b unit) int { return cmp.Or(a.t.Compare(b.t), cmp.Compare(a.id(), b.id())) })
	bestI, bestJ, bestN := 0, 0, 0
	j, n := 0, 0 // units[i:j] is the span starting at units[i]; n its lines
	for i, s := range units {
		if i > 0 {
			n -= units[i-1].n
		}
		if j < i {
			j, n = i, 0
		}
		for j < len(units) && units[j].t.Sub(s.t) <= allowed {
			n += units[j].n
			j++
		}
		if s.t.After(t) || t.Sub(s.t) > allowed {
			continue
		}
		if n > bestN {
			bestI, bestJ, bestN = i, j, n
		}
	}
	return units[bestI:bestJ]
}

// clusterPath is the deepest element path every unit of the cluster shares.
func clusterPath(cluster []unit) []string {
	if len(cluster) == 0 {
		return nil
	}
	p := cluster[0].path
	for _, u := range cluster[1:] {
		p = commonPrefix(p, u.path)
	}
	return p
}

// group makes the cluster one incident rooted at the element at path: the
// oldest incident of the cluster, re-rooted, takes in the others and the
// new line, then lists the element's lines that were already down or
// flapping as affected.
func (g *Grouper) group(c *changes, l Line, t time.Time, path []string, el Element, r Rule, cluster []unit, allowed time.Duration) {
	e := path[len(path)-1]
	var target *Incident
	first, last := t, t
	n := 0
	for _, u := range cluster {
		if u.in != nil && (target == nil || u.in.ID < target.ID) {
			target = u.in
		}
		first, last = minTime(first, u.t), maxTime(last, u.t)
		n += u.n
	}
	if target == nil { // MinLines 1: the line alone is its element's cause
		target = g.newIncident(Outage, l, t)
		g.outage[l.ID] = target.ID
	}
	from := target.Root
	target.Root, target.RootPath = e, slices.Clone(path)
	target.Grouping = &Grouping{Element: e, Kind: el.Kind, Lines: n, Watched: el.Watched,
		SpreadMS: last.Sub(first).Milliseconds(), AllowedMS: allowed.Milliseconds(), Share: r.Share, MinLines: r.MinLines}
	target.note(Entry{Time: t, What: "grouped", Note: fmt.Sprintf("%d of %d watched lines on %s %s down within %s (common cause: at most %s apart, at least %g%% and %d lines)",
		n, el.Watched, kindName(el.Kind), e, fmtDur(last.Sub(first)), fmtDur(allowed), r.Share*100, r.MinLines)})
	if from != "" && from != e {
		target.note(Entry{Time: t, What: "root_moved", Note: from + " → " + e})
	}
	for _, u := range cluster {
		if u.in != nil && u.in != target {
			g.merge(c, u.in, target, t)
		}
	}
	if _, ok := g.outage[l.ID]; !ok {
		g.join(target, l, t, "completes the common cause")
	}
	g.listAffected(c, target, path)
	c.touch(target)
}

// merge moves from's lines into target and closes from as merged.
func (g *Grouper) merge(c *changes, from, target *Incident, t time.Time) {
	var lines []string
	for _, m := range from.Members {
		if tm := target.member(m.Line); tm != nil {
			if m.Role == RoleCause && tm.Role == RoleAffected {
				*tm = m
				g.unaffect(m.Line, target.ID)
				g.outage[m.Line] = target.ID
			}
			continue
		}
		target.Members = append(target.Members, m)
		if m.Role == RoleCause && m.Moved.IsZero() {
			g.outage[m.Line] = target.ID
			lines = append(lines, m.Line)
		} else if !m.ended() {
			g.unaffect(m.Line, from.ID)
			g.affected[m.Line] = append(g.affected[m.Line], target.ID)
		}
	}
	if from.Start.Before(target.Start) {
		target.Start = from.Start
	}
	// A line's name is shown only to whoever may see that line (the API's
	// scope filters entries by line), so a merge of several lines counts them.
	if len(lines) == 1 {
		target.note(Entry{Time: t, Line: lines[0], What: "merged", Note: fmt.Sprintf("#%d: same cause", from.ID)})
	} else {
		target.note(Entry{Time: t, What: "merged", Note: fmt.Sprintf("#%d (%d lines): same cause", from.ID, len(lines))})
	}
	from.MergedInto = target.ID
	from.End = maxTime(t, from.Start)
	from.note(Entry{Time: from.End, What: "merged_into", Note: fmt.Sprintf("#%d: %s", target.ID, target.Root)})
	delete(g.open, from.ID)
	c.touch(from)
}

// listAffected adds, as affected, the lines below the element at path that
// are down in other open incidents or flapping, and links those incidents.
func (g *Grouper) listAffected(c *changes, target *Incident, path []string) {
	ids := make([]int64, 0, len(g.open))
	for id := range g.open {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		in := g.open[id]
		if in == target || len(commonPrefix(in.RootPath, path)) != len(path) {
			continue
		}
		for _, m := range in.Members {
			if m.Role != RoleCause || m.ended() || target.member(m.Line) != nil {
				continue
			}
			prior := "down"
			if in.Kind == Flapping {
				prior = "flapping"
			}
			target.Members = append(target.Members, Member{Line: m.Line, Customer: m.Customer, Tier: m.Tier, Down: m.Down,
				Role: RoleAffected, Prior: prior, PriorIncident: in.ID, IntervalMS: m.IntervalMS})
			g.affected[m.Line] = append(g.affected[m.Line], target.ID)
			target.note(Entry{Time: m.Down, Line: m.Line, What: "affected",
				Note: fmt.Sprintf("already %s since %s (incident #%d), listed as affected", prior, stamp(m.Down), in.ID)})
			in.note(Entry{Time: target.Start, Line: m.Line, What: "linked",
				Note: fmt.Sprintf("#%d: %s %s failed; this line is listed there as affected", target.ID, kindName(target.Grouping.Kind), target.Root)})
			c.touch(in)
		}
	}
}

func kindName(k string) string {
	if k == "" {
		return "element"
	}
	return k
}

// fmtDur writes a spread to the tenth of a second ("1.2s").
func fmtDur(d time.Duration) string { return d.Round(100 * time.Millisecond).String() }

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
