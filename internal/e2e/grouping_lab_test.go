package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// groupIncident is the part of GET /api/v1/incidents/{id} the grouping lab
// reads.
type groupIncident struct {
	ID         int64  `json:"id"`
	State      string `json:"state"`
	Root       string `json:"root"`
	MergedInto int64  `json:"merged_into"`
	Grouping   *struct {
		Lines   int `json:"lines"`
		Watched int `json:"watched"`
	} `json:"grouping"`
	Members []struct {
		Line          string `json:"line"`
		Role          string `json:"role"`
		Prior         string `json:"prior_state"`
		PriorIncident int64  `json:"prior_incident"`
	} `json:"lines"`
	Timeline []struct {
		Line string `json:"line"`
		What string `json:"what"`
		Note string `json:"note"`
	} `json:"timeline"`
}

// readmeGrouping is the detector.grouping block of the README's controller
// config, as printed, so the lab runs with it.
func readmeGrouping(t *testing.T) string {
	t.Helper()
	_, rest, ok := strings.Cut(readme(t), "\n  grouping:")
	if !ok {
		t.Fatal("README's controller config has no detector.grouping")
	}
	block := "  grouping:"
	for _, l := range strings.Split(rest, "\n")[1:] {
		if !strings.HasPrefix(l, "    ") {
			break
		}
		block += "\n" + l
	}
	return block
}

// TestLineHealthGroupingLab is issue 11's grouping, through the shipped
// controller and agent binaries on the PoP lab (6 lines behind one card,
// the bridge, pinged every second as the derived probes are, default
// detector and the README's grouping rules):
//
//  1. two ports failing independently 20 s apart are two incidents, each
//     about its own port;
//  2. a third line flaps until it is flapping; then the card fails: one
//     incident rooted at the card with every line, the three that failed
//     with it as its cause and the two already down and the flapping one
//     listed as affected with the state each was in, and a timeline that
//     says why.
func TestLineHealthGroupingLab(t *testing.T) {
	if testing.Short() {
		t.Skip("lab test (about a minute)")
	}
	t.Parallel()
	lab.NeedRoot(t)
	lab.NeedBinary(t, "ip", "iproute2")
	lab.NeedBinary(t, "sysctl", "procps")
	ctrlBin, agentBin := buildBinary(t, "vantage-controller"), buildBinary(t, "vantage-agent")
	const nLines = 6
	influx := testinflux.Start(t)
	l := newPopLab(t, nLines)

	dataDir := t.TempDir()
	importInventory(t, dataDir, popLabInventory(nLines, "e2e-group-lab", "gold"))
	natsPort, httpPort := lab.FreePort(t), lab.FreePort(t)
	cfgFile := writeControllerConfig(t, fmt.Sprintf(`http_listen: 127.0.0.1:%d
data_dir: %s
api_auth: false
nats: {listen: "127.0.0.1:%d", agent_auth: false}
influx: {url: %s, bucket: %s}
detector:
%s
`, httpPort, dataDir, natsPort, influx.URL, influx.Bucket, readmeGrouping(t)))
	startDurableController(t, ctrlBin, cfgFile)
	api := fmt.Sprintf("http://127.0.0.1:%d", httpPort)

	var probes strings.Builder
	for i, addr := range l.addrs {
		fmt.Fprintf(&probes, `  - name: pop-L%02d
    type: ping
    interval: 1s
    timeout: 800ms
    labels: {line: L%02d}
    targets: [%s]
    options: {count: 3, packet_interval: 10ms}
`, i+1, i+1, addr)
	}
	agent := agentKillStartProcess(t, agentBin, fmt.Sprintf(`agent_id: e2e-group-lab
site: {id: S-POP}
http_listen: 127.0.0.1:0
nats: {urls: [nats://127.0.0.1:%d]}
probes:
%s`, natsPort, probes.String()))

	// Each wait below gives up well before ctx, so a failure shows what
	// was seen instead of a cancelled request.
	ctx := lab.Deadline(t, 4*time.Minute)
	const wait = 75 * time.Second
	lines := func() (map[string]string, error) {
		var body struct{ Lines []apiLine }
		if err := getAPI(ctx, api, "/api/v1/lines", &body); err != nil {
			return nil, err
		}
		m := map[string]string{}
		for _, ln := range body.Lines {
			m[ln.ID] = ln.State
		}
		return m, nil
	}
	waitState := func(what string, want map[string]string) {
		t.Helper()
		agentKillWait(t, agent, wait, func() error {
			got, err := lines()
			if err != nil {
				return err
			}
			for id, st := range want {
				if got[id] != st {
					return fmt.Errorf("%s: %s is %q, want %q (all: %v)", what, id, got[id], st, got)
				}
			}
			return nil
		})
	}
	all := func(st string) map[string]string {
		m := map[string]string{}
		for i := range nLines {
			m[fmt.Sprintf("L%02d", i+1)] = st
		}
		return m
	}
	waitState("start", all("up"))
	port := func(i int, up bool) { lab.SetLink(t, l.pop, l.portIf[i], up) }

	// 1. L01's port fails; L03 flaps three times (3 s down, 3 s up: the
	// third flap makes it flapping); 20 s after L01, L02's port fails.
	start := time.Now()
	at := func(d time.Duration) { time.Sleep(time.Until(start.Add(d))) }
	port(0, false)
	for _, f := range []time.Duration{3 * time.Second, 9 * time.Second, 15 * time.Second} {
		at(f)
		port(2, false)
		at(f + 3*time.Second)
		port(2, true)
	}
	at(20 * time.Second)
	port(1, false)
	waitState("ports down, L03 flapping", map[string]string{"L01": "down", "L02": "down", "L03": "flapping", "L04": "up"})

	incidents := func() ([]apiIncident, error) {
		var body struct{ Incidents []apiIncident }
		err := getAPI(ctx, api, "/api/v1/incidents?state=open", &body)
		return body.Incidents, err
	}
	byRoot := map[string]apiIncident{}
	agentKillWait(t, agent, wait, func() error {
		open, err := incidents()
		if err != nil {
			return err
		}
		clear(byRoot)
		for _, in := range open {
			byRoot[in.Root+"/"+in.Kind] = in
		}
		for _, k := range []string{"p01/outage", "p02/outage", "p03/flapping"} {
			if in, ok := byRoot[k]; !ok || in.Lines != 1 {
				return fmt.Errorf("no one-line incident %s among the open ones: %+v", k, open)
			}
		}
		if len(open) != 3 {
			return fmt.Errorf("%d open incidents, want L01's, L02's and L03's flapping one: %+v", len(open), open)
		}
		return nil
	})
	t.Logf("two ports 20 s apart: incidents %d and %d, L03 flapping: %d", byRoot["p01/outage"].ID, byRoot["p02/outage"].ID, byRoot["p03/flapping"].ID)

	// 2. The card fails.
	l.pop.Run("ip", "link", "set", "br0", "down")
	t.Cleanup(func() { l.pop.Run("ip", "link", "set", "br0", "up") })
	var card groupIncident
	agentKillWait(t, agent, wait, func() error {
		open, err := incidents()
		if err != nil {
			return err
		}
		for _, in := range open {
			if in.Root == "br" {
				if err := getAPI(ctx, api, fmt.Sprintf("/api/v1/incidents/%d", in.ID), &card); err != nil {
					return err
				}
				if len(card.Members) == nLines {
					return nil
				}
			}
		}
		return fmt.Errorf("no incident rooted at the card with all %d lines yet: %+v", nLines, open)
	})
	want := map[string]string{
		"L01": fmt.Sprintf("affected/down/#%d", byRoot["p01/outage"].ID),
		"L02": fmt.Sprintf("affected/down/#%d", byRoot["p02/outage"].ID),
		"L03": fmt.Sprintf("affected/flapping/#%d", byRoot["p03/flapping"].ID),
		"L04": "//#0", "L05": "//#0", "L06": "//#0",
	}
	got := map[string]string{}
	for _, m := range card.Members {
		got[m.Line] = fmt.Sprintf("%s/%s/#%d", m.Role, m.Prior, m.PriorIncident)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("card incident members %v, want %v", got, want)
	}
	if card.Grouping == nil || card.Grouping.Lines != 3 || card.Grouping.Watched != nLines {
		t.Errorf("card incident grouping %+v, want 3 of %d lines", card.Grouping, nLines)
	}
	var notes []string
	for _, e := range card.Timeline {
		notes = append(notes, e.What+" "+e.Line+": "+e.Note)
	}
	text := strings.Join(notes, "\n")
	for _, w := range []string{"grouped : 3 of 6 watched lines on card br down within ", "affected L01: already down since ",
		"affected L02: already down since ", "affected L03: already flapping since "} {
		if !strings.Contains(text, w) {
			t.Errorf("card incident timeline lacks %q:\n%s", w, text)
		}
	}
	t.Logf("card incident %d:\n%s", card.ID, text)
	// The ports' own incidents stay open for their own cause, linked.
	for _, k := range []string{"p01/outage", "p02/outage"} {
		var own groupIncident
		if err := getAPI(ctx, api, fmt.Sprintf("/api/v1/incidents/%d", byRoot[k].ID), &own); err != nil {
			t.Fatal(err)
		}
		if last := own.Timeline[len(own.Timeline)-1]; own.State != "open" || last.What != "linked" || !strings.Contains(last.Note, fmt.Sprintf("#%d: card br failed", card.ID)) {
			t.Errorf("incident %d (%s): %s, last entry %+v; want open and linked to #%d", own.ID, k, own.State, last, card.ID)
		}
	}
}
