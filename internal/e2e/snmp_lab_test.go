package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// snmpLab is a real net-snmp snmpd in a namespace ("dev", the PE router)
// reachable from the host over a veth, with three more veth interfaces
// towards a second namespace: the ports that carry the customer lines.
type snmpLab struct {
	dev, peer      *lab.Netns
	hostAddr       string   // the host's end of the access link (trap listener)
	devAddr        string   // snmpd's address: the trap source
	target         string   // devAddr:port, the poll target and device tag
	ifs, ifIndexes []string // the line ports inside dev
}

// The README's placeholders are real credentials of this lab's snmpd, so
// the README's SNMP block runs with its passphrases as printed.
const (
	readmeV3User   = "vantage"
	readmeAuthPass = "AUTH-PASSPHRASE"
	readmePrivPass = "PRIV-PASSPHRASE"
	labSetter      = "lab-set-c0mmunity" // loopback-only rw community: sets ifAlias as an operator would
)

func startSNMPLab(t *testing.T) *snmpLab {
	t.Helper()
	lab.NeedBinary(t, "snmptrap", "snmp")
	lab.NeedBinary(t, "snmpset", "snmp")
	l := &snmpLab{dev: lab.NewNetns(t, "pe"), peer: lab.NewNetns(t, "cu")}
	l.hostAddr, l.devAddr = randomLink()
	lab.Veth(t, nil, l.hostAddr+"/30", l.dev, l.devAddr+"/30")
	for i := 1; i <= 3; i++ {
		ifDev, _ := lab.Veth(t, l.dev, fmt.Sprintf("198.18.%d.1/30", i), l.peer, fmt.Sprintf("198.18.%d.2/30", i))
		l.ifs = append(l.ifs, ifDev)
		l.ifIndexes = append(l.ifIndexes, strings.TrimSpace(l.dev.Run("cat", "/sys/class/net/"+ifDev+"/ifindex")))
	}
	port := strconv.Itoa(lab.FreeUDPPort(t))
	l.target = l.devAddr + ":" + port
	// The second port's description names its circuit, as the README's
	// alias example expects; snmpd answers once this set succeeds.
	lab.StartSNMPD(t, l.dev, fmt.Sprintf(`agentAddress udp:%s,udp:127.0.0.1:%s
rwcommunity %s 127.0.0.1
createUser %s SHA-256 "%s" AES "%s"
rouser %s priv
`, l.target, port, labSetter, readmeV3User, readmeAuthPass, readmePrivPass, readmeV3User), func(_ context.Context, snmpd *lab.SNMPD) error {
		c := l.dev.Command("snmpset", "-v2c", "-c", labSetter, "-M", "/nonexistent", "-m", "", "-t", "1", "-r", "0",
			"127.0.0.1:"+port, "1.3.6.1.2.1.31.1.1.1.18."+l.ifIndexes[1], "s", "CIRCUIT L-0002")
		c.Env = snmpd.Env
		if b, err := c.CombinedOutput(); err != nil {
			return fmt.Errorf("snmpset ifAlias: %v: %s", err, b)
		}
		return nil
	})
	return l
}

// trap sends a v3 linkDown (up=false) or linkUp for port i from the
// device's address, with the README's trap credentials.
func (l *snmpLab) trap(t *testing.T, dest string, i int, up bool) time.Time {
	t.Helper()
	oid, oper := "1.3.6.1.6.3.1.1.5.3", "2"
	if up {
		oid, oper = "1.3.6.1.6.3.1.1.5.4", "1"
	}
	idx := l.ifIndexes[i]
	cmd := l.dev.Command("snmptrap", "-M", "/nonexistent", "-m", "", "-v", "3", "-u", readmeV3User, "-l", "authPriv",
		"-a", "SHA-256", "-A", readmeAuthPass, "-x", "AES", "-X", readmePrivPass, "-e", "0x80001f8804766c6162",
		dest, "", oid, "1.3.6.1.2.1.2.2.1.1."+idx, "i", idx, "1.3.6.1.2.1.2.2.1.7."+idx, "i", "1", "1.3.6.1.2.1.2.2.1.8."+idx, "i", oper)
	cmd.Env = append(os.Environ(), "SNMP_PERSISTENT_DIR="+t.TempDir())
	sent := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("snmptrap: %v: %s", err, out)
	}
	return sent
}

// readmeSNMPBlock is the README's "CPE router" agent config (an snmp probe
// and the trap listener), changed only where the lab differs from the
// example: the device's address, the port's name and the listen address.
func readmeSNMPBlock(t *testing.T, l *snmpLab, trapListen string) string {
	t.Helper()
	return readmeReplaced(t, "snmp", readmeBlockWith(t, "probes:", "type: snmp", "traps:"),
		"targets: [192.0.2.1]", "targets: ["+l.target+"]",
		"    192.0.2.1:\n", "    "+l.devAddr+":\n",
		"device: 192.0.2.1 ", "device: "+l.target+" ",
		"name: ge-0/0/1,", "name: "+l.ifs[0]+",",
		"listen: 0.0.0.0:162", "listen: "+trapListen)
}

// TestSNMPThroughAgentBinary runs issue 9's SNMP path end to end with the
// shipped vantage-agent binary and a real snmpd:
//
//  1. The agent starts with the README's SNMP example as its config and
//     its snmp_if points reach InfluxDB with the line tags of the README's
//     name and alias mappings.
//  2. An import names the agent at the PoP above the router: the
//     controller derives the agent's snmp probe from the inventory (device,
//     credentials profile, the three lines' interfaces) and the agent
//     applies it; the API shows it with the passphrases redacted. Only now
//     is the agent's word line evidence (network-side watching): before,
//     the lines stay unknown.
//  3. A port set down makes its line down in /api/v1/lines (SNMP oper
//     status is evidence), and up again; the flap is among the line's events.
//  4. A linkDown/linkUp trap through the agent's trap listener (the README's
//     traps block) reaches InfluxDB as snmp_event and the line's events.
func TestSNMPThroughAgentBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("lab test")
	}
	lab.NeedRoot(t)
	t.Parallel()
	l := startSNMPLab(t)
	bin := buildBinary(t, "vantage-agent")
	influx := testinflux.Start(t)
	dataDir := t.TempDir()
	inv := fmt.Sprintf(`customers:
  - {id: C1, name: One, tier: gold}
elements:
  - {id: pop-e2e, kind: pop%%s}
  - {id: pe1, parent: pop-e2e, kind: router, snmp_address: "%s", snmp_profile: pe-v3}
lines:
  - {circuit_id: L-0001, customer: C1, upstream_element: pe1, snmp_ifname: %s}
  - {circuit_id: L-0002, customer: C1, upstream_element: pe1, snmp_ifalias: "CIRCUIT L-0002"}
  - {circuit_id: L-0003, customer: C1, upstream_element: pe1, snmp_ifname: %s}
`, l.target, l.ifs[0], l.ifs[2])
	importInventory(t, dataDir, fmt.Sprintf(inv, ""))
	ctrl := startControllerWith(t, influx, dataDir, fmt.Sprintf(`detector: {horizon: 5s}
remote_config:
  enabled: true
  refresh: 1s
  snmp:
    interval: 2s
    profiles:
      pe-v3: {version: "3", v3: {user: %s, level: authPriv, auth_protocol: SHA-256, auth_password: "%s", priv_protocol: AES, priv_password: "%s"}}
`, readmeV3User, readmeAuthPass, readmePrivPass))

	trapListen := fmt.Sprintf("%s:%d", l.hostAddr, lab.FreeUDPPort(t))
	agentCfg := fmt.Sprintf(`agent_id: pop-e2e
site: {id: POP-E2E}
http_listen: 127.0.0.1:0
nats: {urls: [%s]}
heartbeat_interval: 1s
publish: {batch_delay: 50ms}
remote_config: {enabled: true, cache_file: %s}
`, ctrl.NATSURL(), filepath.Join(t.TempDir(), "remote.yaml")) + readmeSNMPBlock(t, l, trapListen)
	p := agentKillStartProcess(t, bin, agentCfg)
	ctx := lab.Deadline(t, 4*time.Minute)
	wait := func(max time.Duration, cond func() error) { t.Helper(); agentKillWait(t, p, max, cond) }

	// countIf counts snmp_if points of a line since start, from the agent.
	countIf := func(line string, since time.Time) (int, error) {
		rows, err := influx.Query(ctx, fmt.Sprintf(`from(bucket: "%s") |> range(start: %s)
			|> filter(fn: (r) => r._measurement == "snmp_if" and r._field == "oper_up" and r.agent == "pop-e2e" and r.line == "%s")
			|> group() |> count()`, influx.Bucket, since.UTC().Format(time.RFC3339Nano), line))
		if err != nil || len(rows) == 0 {
			return 0, err
		}
		n, _ := rows[0]["_value"].(int64)
		return int(n), nil
	}

	lineState := func(id string) (string, error) {
		var body struct{ Lines []apiLine }
		if err := getJSON(ctx, ctrl, "/api/v1/lines", &body); err != nil {
			return "", err
		}
		for _, ln := range body.Lines {
			if ln.ID == id {
				return ln.State, nil
			}
		}
		return "", fmt.Errorf("line %s not in /api/v1/lines", id)
	}
	// 1. The README's own config: L-0001 by ifName, L-0002 by ifAlias.
	start := time.Now().Add(-time.Minute)
	wait(90*time.Second, func() error {
		for _, line := range []string{"L-0001", "L-0002"} {
			if n, err := countIf(line, start); err != nil || n == 0 {
				return fmt.Errorf("no snmp_if point of %s from the README config yet (%v)", line, err)
			}
		}
		return nil
	})
	if n, _ := countIf("L-0003", start); n != 0 {
		t.Fatalf("L-0003 has %d snmp_if points before the controller derived it", n)
	}
	// Until the inventory names pop-e2e at an element above the router, it
	// is not entitled to these lines: its points are stored, but they are
	// no evidence (controller/evidence), and the lines stay unknown.
	if st, err := lineState("L-0001"); err != nil || st != "unknown" {
		t.Errorf("L-0001 is %q (%v) on the word of an agent no element names, want unknown", st, err)
	}

	// 2. The inventory names the agent at the PoP: the derived probe
	// replaces the local one and maps all three lines.
	importInventory(t, dataDir, fmt.Sprintf(inv, ", agent: pop-e2e"))
	wait(60*time.Second, func() error {
		var v struct {
			Revision uint64 `json:"revision"`
			Config   string `json:"config"`
			Status   *struct {
				Applied bool   `json:"applied"`
				Running uint64 `json:"running"`
			} `json:"status"`
		}
		if err := getJSON(ctx, ctrl, "/api/v1/agents/pop-e2e/config", &v); err != nil {
			return err
		}
		if v.Status == nil || !v.Status.Applied || v.Status.Running != v.Revision {
			return fmt.Errorf("derived config revision %d, status %+v", v.Revision, v.Status)
		}
		if strings.Contains(v.Config, readmeAuthPass) || strings.Contains(v.Config, readmePrivPass) || !strings.Contains(v.Config, "<redacted>") {
			t.Errorf("API shows the derived config's credentials:\n%s", v.Config)
		}
		if !strings.Contains(v.Config, "line: L-0003") {
			return fmt.Errorf("derived config lacks L-0003:\n%s", v.Config)
		}
		return nil
	})
	derivedAt := time.Now()
	wait(60*time.Second, func() error {
		if n, err := countIf("L-0003", derivedAt.Add(-5*time.Second)); err != nil || n == 0 {
			return fmt.Errorf("no snmp_if point of L-0003 from the derived probe yet (%v)", err)
		}
		return nil
	})
	waitState := func(id, want string, max time.Duration) {
		t.Helper()
		wait(max, func() error {
			st, err := lineState(id)
			if err != nil || st != want {
				return fmt.Errorf("line %s is %q (%v), want %s", id, st, err, want)
			}
			return nil
		})
	}
	for _, id := range []string{"L-0001", "L-0002", "L-0003"} {
		waitState(id, "up", 30*time.Second)
	}

	// 3. L-0002's port down: snmpd sees it within ~3 s, the next 2-s poll
	// reports oper down, the line goes down; 8 s later up again.
	type event struct {
		Kind      string    `json:"kind"`
		Start     time.Time `json:"start"`
		DurationS float64   `json:"duration_s"`
	}
	events := func(id string) ([]event, error) {
		var d struct {
			Events []event `json:"events"`
		}
		err := getJSON(ctx, ctrl, "/api/v1/lines/"+id, &d)
		return d.Events, err
	}
	down := time.Now()
	lab.SetLink(t, l.dev, l.ifs[1], false)
	waitState("L-0002", "down", 20*time.Second)
	if st, _ := lineState("L-0001"); st != "up" {
		t.Errorf("L-0001 is %q while only L-0002's port is down", st)
	}
	time.Sleep(time.Until(down.Add(8 * time.Second))) // a flap snmpd's 3-s refresh cannot miss
	lab.SetLink(t, l.dev, l.ifs[1], true)
	waitState("L-0002", "up", 20*time.Second)
	wait(30*time.Second, func() error {
		evs, err := events("L-0002")
		if err != nil {
			return err
		}
		for _, e := range evs {
			// Seen at the first poll after snmpd's refresh: within a
			// refresh (3 s) plus a poll interval (2 s) and slack.
			if e.Kind == "flap" && e.Start.After(down.Add(-time.Second)) && e.Start.Before(down.Add(7*time.Second)) {
				return nil
			}
		}
		return fmt.Errorf("L-0002 events %+v: no flap starting after %s", evs, down.Format(time.StampMilli))
	})

	// 4. Traps: linkDown then linkUp for L-0003's port (the port itself
	// stays up; the trap alone is the evidence).
	sent := l.trap(t, trapListen, 2, false)
	time.Sleep(time.Second)
	l.trap(t, trapListen, 2, true)
	wait(30*time.Second, func() error {
		rows, err := influx.Query(ctx, fmt.Sprintf(`from(bucket: "%s") |> range(start: -10m)
			|> filter(fn: (r) => r._measurement == "snmp_event" and r._field == "oper_up" and r.source == "trap" and r.line == "L-0003" and r.device == "%s")
			|> group() |> count()`, influx.Bucket, l.target))
		if err != nil || len(rows) == 0 {
			return fmt.Errorf("no trap events of L-0003 in InfluxDB (%v)", err)
		}
		if n, _ := rows[0]["_value"].(int64); n != 2 {
			return fmt.Errorf("%d trap events of L-0003 in InfluxDB, want linkDown and linkUp", n)
		}
		return nil
	})
	wait(30*time.Second, func() error {
		evs, err := events("L-0003")
		if err != nil {
			return err
		}
		for _, e := range evs {
			if d := e.Start.Sub(sent); d > -time.Second && d < 2*time.Second {
				return nil
			}
		}
		return fmt.Errorf("L-0003 events %+v: none starting at the linkDown trap (%s)", evs, sent.Format(time.StampMilli))
	})
}
