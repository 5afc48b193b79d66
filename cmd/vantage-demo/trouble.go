package main

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// The demo's simulated trouble. Each demo line is watched by an HTTP probe
// of its own path on the demo's target server (/line/DL-0101); while the
// schedule has a line "down", requests for it hang until the probe gives
// up, so the round fails with a timeout, exactly as if the line dropped
// the traffic. (A closed port would not do: a refused connection proves the
// far end answered, which line state counts as the line working.) No root
// needed; with root the lab tests do the same with real links.
//
// The schedule repeats every troubleCycle, starting when the demo is ready:
//   - 15 s:  DL-0101..0104 down 8 s together — one incident rooted at card pe1-c1
//   - 30, 50, 70 s: DL-0201 flaps 4 s each — three flaps, then "flapping"
//     (dampening: penalty 1000 per flap, suppress at 2000)
//   - 40 s:  DL-0301 flaps 5 s — a lone line, its own incident
//   - 90 s:  DL-0202 out for 70 s — an outage (longer than the 60-s flap threshold)
//   - 125 s: DL-0401 down 12 s, seen by SNMP only (snmp.go): its port set
//     down (root) or a linkDown/linkUp trap pair — a flap on a line no
//     probe watches
//
// Steps are kept apart so each shows on its own; only the card's four
// lines going down together are a common cause (controller/incident: all of
// its watched lines within two probe intervals), the others are each their
// line's own incident.
type troubleStep struct {
	lines      []string
	start, dur time.Duration
}

const troubleCycle = 10 * time.Minute

var troubleSchedule = []troubleStep{
	{[]string{"DL-0101", "DL-0102", "DL-0103", "DL-0104"}, 15 * time.Second, 8 * time.Second},
	{[]string{"DL-0201"}, 30 * time.Second, 4 * time.Second},
	{[]string{"DL-0301"}, 40 * time.Second, 5 * time.Second},
	{[]string{"DL-0201"}, 50 * time.Second, 4 * time.Second},
	{[]string{"DL-0201"}, 70 * time.Second, 4 * time.Second},
	{[]string{"DL-0202"}, 90 * time.Second, 70 * time.Second},
	{[]string{snmpLine}, 125 * time.Second, 12 * time.Second},
}

// troubleAt is the set of lines down at offset since the schedule began.
func troubleAt(offset time.Duration) []string {
	if offset < 0 {
		return nil
	}
	at := offset % troubleCycle
	var down []string
	for _, s := range troubleSchedule {
		if at >= s.start && at < s.start+s.dur {
			down = append(down, s.lines...)
		}
	}
	slices.Sort(down)
	return slices.Compact(down)
}

// trouble serves /line/{id} and switches lines off and on.
type trouble struct {
	mu   sync.Mutex
	down []string
	// snmp sets snmpLine's interface down or up; nil without SNMP.
	snmp func(down bool) error
}

func (tr *trouble) isDown(line string) bool {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return slices.Contains(tr.down, line)
}

func (tr *trouble) serveLine(w http.ResponseWriter, r *http.Request) {
	if tr.isDown(r.PathValue("id")) {
		select { // hang until the probe's timeout cancels the request
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
		return
	}
	fmt.Fprintln(w, "vantage demo line: ok")
}

// run follows the schedule until ctx ends, printing each change.
func (tr *trouble) run(ctx context.Context) {
	start := time.Now()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		down := troubleAt(time.Since(start))
		tr.mu.Lock()
		prev := tr.down
		tr.down = down
		tr.mu.Unlock()
		if !slices.Equal(prev, down) {
			fmt.Printf("vantage demo: %3.0fs simulated trouble: lines down %v\n", time.Since(start).Seconds(), down)
		}
		if was, is := slices.Contains(prev, snmpLine), slices.Contains(down, snmpLine); was != is && tr.snmp != nil {
			if err := tr.snmp(is); err != nil {
				fmt.Printf("vantage demo: %s: %v\n", snmpLine, err)
			}
		}
	}
}

// demoInventory is imported before the controller starts: five customers
// of different tiers, their sites and contacts, and seven lines below one
// PoP (two PE cards and an OLT).
//
//go:embed inventory.yaml
var demoInventory []byte
