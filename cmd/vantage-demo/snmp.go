package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The demo's SNMP device: a real net-snmp snmpd on 127.0.0.1 (a free UDP
// port), entered in the inventory as router pe2 below pop-east, with line
// DL-0401 on one of its interfaces. The controller derives the snmp probe
// of agent demo-pop (named by pe2: the network-side agent polling it and
// watching its lines) from that inventory, so the demo shows the controller
// deriving SNMP polls as well as the polls.
//
// The trouble schedule takes DL-0401 down for 12 s (trouble.go). As root
// the demo creates a veth pair (vdm<pid>a/b, no addresses) for that line
// and sets it down and up: snmpd reads the real oper status and the agent's
// polls see it. Without root it cannot flip an interface: DL-0401 is mapped
// to lo and the demo sends the linkDown/linkUp traps a router would send,
// with snmptrap, to the agent's trap listener.
const (
	snmpLine      = "DL-0401"
	snmpCommunity = "demo-c0mmunity" // a throwaway for this loopback-only snmpd
	snmpInterval  = "5s"
)

// demoSNMP is what the demo set up, or why not.
type demoSNMP struct {
	target   string // 127.0.0.1:port: the poll target and device tag
	ifname   string // the interface carrying snmpLine
	ifIndex  string
	trapAddr string // the demo-pop agent's trap listener
	veth     bool   // ifname is a veth pair the demo flips
	snmptrap string // path of snmptrap when events come from traps
	skip     string // why SNMP is left out; empty when it runs
	events   string // how SNMP line events are made, or why they are not
}

// status is the ready line's snmp= field.
func (s *demoSNMP) status() string {
	if s.skip != "" {
		return "skipped (" + s.skip + ")"
	}
	return fmt.Sprintf("snmpd %s polled by agent demo-pop, line %s on %s; %s", s.target, snmpLine, s.ifname, s.events)
}

// startSNMP starts snmpd when it is installed. A missing snmpd is not an
// error: the demo runs without SNMP and says so.
func (d *demo) startSNMP(ctx context.Context) (*demoSNMP, error) {
	s := &demoSNMP{}
	snmpd, err := exec.LookPath("snmpd")
	if err != nil {
		s.skip = "snmpd not installed: apt-get install snmpd snmp"
		return s, nil
	}
	ports, err := freeUDPPorts(2)
	if err != nil {
		return nil, err
	}
	s.target = fmt.Sprintf("127.0.0.1:%d", ports[0])
	s.trapAddr = fmt.Sprintf("127.0.0.1:%d", ports[1])
	if os.Geteuid() == 0 {
		base := fmt.Sprintf("vdm%d", os.Getpid()%100000)
		if out, err := exec.Command("ip", "link", "add", base+"a", "type", "veth", "peer", "name", base+"b").CombinedOutput(); err != nil {
			return nil, fmt.Errorf("ip link add %sa: %v: %s", base, err, out)
		}
		d.cleanups = append(d.cleanups, func() { _ = exec.Command("ip", "link", "del", base+"a").Run() })
		for _, end := range []string{"a", "b"} {
			if out, err := exec.Command("ip", "link", "set", base+end, "up").CombinedOutput(); err != nil {
				return nil, fmt.Errorf("ip link set %s%s up: %v: %s", base, end, err, out)
			}
		}
		s.ifname, s.veth = base+"a", true
		s.events = "the trouble schedule sets " + s.ifname + " down and up (a veth pair the demo made as root)"
	} else {
		s.ifname = "lo"
		if p, err := exec.LookPath("snmptrap"); err == nil {
			s.snmptrap = p
			s.events = "not root, so no interface is flipped: the demo sends linkDown/linkUp traps with snmptrap instead"
		} else {
			s.events = "SNMP line events skipped: not root (cannot flip an interface) and snmptrap not installed (apt-get install snmp)"
		}
	}
	idx, err := os.ReadFile("/sys/class/net/" + s.ifname + "/ifindex")
	if err != nil {
		return nil, err
	}
	s.ifIndex = strings.TrimSpace(string(idx))
	dir := filepath.Join(d.dir, "snmpd")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "snmpd.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf("agentAddress udp:%s\nrocommunity %s 127.0.0.1\n", s.target, snmpCommunity)), 0o600); err != nil {
		return nil, err
	}
	// No MIB files (Debian's snmpd installs none): numeric OIDs only.
	if err := d.startEnv(ctx, "snmpd", []string{"SNMP_PERSISTENT_DIR=" + dir}, snmpd,
		"-f", "-Lo", "-C", "-c", conf, "-M", "/nonexistent", "-m", ""); err != nil {
		return nil, err
	}
	return s, nil
}

// inventory is the demo inventory's SNMP part, imported after the main
// file: router pe2 (the snmpd) naming the network-side agent demo-pop, with
// its port and line. It adds rows only: an import replaces a row whole.
func (s *demoSNMP) inventory() string {
	return fmt.Sprintf(`# written by vantage-demo: the SNMP device it started
elements:
  - {id: pe2, parent: pop-east, kind: router, name: PE router 2 (snmpd), agent: demo-pop, snmp_address: "%s", snmp_profile: demo}
  - {id: pe2-p1, parent: pe2, kind: port, name: PE2 %s}
lines:
  - {circuit_id: %s, customer: C200, a_end_site: S200-HQ, z_end: pop-east, upstream_element: pe2-p1, snmp_ifname: %s}
`, s.target, s.ifname, snmpLine, s.ifname)
}

// controllerYAML is the controller config's remote_config block: derive
// demo-pop's snmp probe, with the device's credentials by profile name.
func (s *demoSNMP) controllerYAML() string {
	return fmt.Sprintf(`remote_config:
  enabled: true
  refresh: 2s
  snmp:
    interval: %s
    profiles:
      demo: {version: 2c, community: %q}
`, snmpInterval, snmpCommunity)
}

// agent is demo-pop: no local probes (the controller sends its snmp probe)
// and the trap listener, which only a local file can configure.
func (s *demoSNMP) agent(natsURL, dir string) demoAgent {
	return demoAgent{id: "demo-pop", site: "S-POP-EAST", natsURL: natsURL, extra: fmt.Sprintf(`remote_config: {enabled: true, cache_file: %s}
traps:
  listen: %s
  devices:
    127.0.0.1: {device: "%s", community: %q}
`, filepath.Join(dir, "demo-pop-remote.yaml"), s.trapAddr, s.target, snmpCommunity)}
}

// setDown makes snmpLine's interface go down or come up, as the trouble
// schedule says: the real link as root, a trap otherwise.
func (s *demoSNMP) setDown(down bool) error {
	switch {
	case s.skip != "":
		return nil
	case s.veth:
		state := "up"
		if down {
			state = "down"
		}
		if out, err := exec.Command("ip", "link", "set", s.ifname, state).CombinedOutput(); err != nil {
			return fmt.Errorf("ip link set %s %s: %v: %s", s.ifname, state, err, out)
		}
	case s.snmptrap != "":
		oid, oper := "1.3.6.1.6.3.1.1.5.4", "1" // linkUp
		if down {
			oid, oper = "1.3.6.1.6.3.1.1.5.3", "2" // linkDown
		}
		cmd := exec.Command(s.snmptrap, "-M", "/nonexistent", "-m", "", "-v", "2c", "-c", snmpCommunity, s.trapAddr, "", oid,
			"1.3.6.1.2.1.2.2.1.1."+s.ifIndex, "i", s.ifIndex, "1.3.6.1.2.1.2.2.1.8."+s.ifIndex, "i", oper)
		cmd.Env = append(os.Environ(), "SNMP_PERSISTENT_DIR="+os.TempDir())
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("snmptrap: %v: %s", err, out)
		}
	}
	return nil
}

func freeUDPPorts(n int) ([]int, error) {
	var ports []int
	var conns []net.PacketConn
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for i := 0; i < n; i++ {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		conns = append(conns, c)
		_, p, _ := net.SplitHostPort(c.LocalAddr().String())
		port, _ := strconv.Atoi(p)
		ports = append(ports, port)
	}
	return ports, nil
}

// progressSources are where the progress line's figures come from.
type progressSources struct {
	metrics, api, token string
	influx              influxInfo
	snmp                bool
}

// snmpCounts is the progress line's SNMP part: snmp_if points in InfluxDB
// and the events of the SNMP-watched line, or "" without SNMP.
func (p progressSources) snmpCounts(ctx context.Context) string {
	if !p.snmp {
		return ""
	}
	db, _, _ := strings.Cut(p.influx.bucket, "/")
	var q struct {
		Results []struct {
			Series []struct {
				Values [][]any `json:"values"`
			} `json:"series"`
		} `json:"results"`
	}
	points := "?"
	if err := getJSON(ctx, p.influx.url+"/query?db="+url.QueryEscape(db)+"&q="+url.QueryEscape("SELECT count(oper_up) FROM snmp_if"),
		influxAuth(p.influx.token), &q); err == nil {
		points = "0"
		if len(q.Results) > 0 && len(q.Results[0].Series) > 0 && len(q.Results[0].Series[0].Values) > 0 {
			points = fmt.Sprint(q.Results[0].Series[0].Values[0][1])
		}
	}
	var line struct {
		State  string `json:"state"`
		Events []struct {
			Kind string `json:"kind"`
		} `json:"events"`
	}
	events := "?"
	if err := getJSON(ctx, p.api+"/api/v1/lines/"+snmpLine, "Bearer "+p.token, &line); err == nil {
		events = strconv.Itoa(len(line.Events))
	}
	return fmt.Sprintf(" snmp_if_points=%s %s_state=%s %s_events=%s", points, snmpLine, line.State, snmpLine, events)
}

func influxAuth(token string) string {
	if token == "" {
		return ""
	}
	return "Token " + token
}

// getJSON GETs url with an Authorization header (if any) into v.
func getJSON(ctx context.Context, url, auth string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", req.URL.Path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
