package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// child is a started process; done closes when it has exited.
type child struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
}

// demo owns every process and listener it starts, so shutdown can stop them all.
type demo struct {
	dir, bin string
	log      *slog.Logger

	mu        sync.Mutex
	procs     []*child
	influxDir string
	closers   []io.Closer
	cleanups  []func() // run last at shutdown (the SNMP veth pair)
	trouble   trouble
}

func (d *demo) run(ctx context.Context, every time.Duration) error {
	if err := os.RemoveAll(d.dir); err != nil {
		return err
	}
	if err := os.MkdirAll(d.dir, 0o755); err != nil {
		return err
	}
	for _, b := range []string{"vantage-agent", "vantage-controller"} {
		if _, err := os.Stat(filepath.Join(d.bin, b)); err != nil {
			return fmt.Errorf("%s not built (run `make build`): %w", b, err)
		}
	}

	d.log.Info("starting InfluxDB 1.8.10")
	influx, err := d.startInflux()
	if err != nil {
		return err
	}

	targets, err := d.serveTargets()
	if err != nil {
		return err
	}
	snmp, err := d.startSNMP(ctx)
	if err != nil {
		return fmt.Errorf("snmp device: %w", err)
	}
	d.trouble.snmp = snmp.setDown

	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	httpAddr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	natsURL := fmt.Sprintf("nats://127.0.0.1:%d", ports[1])
	ctrlCfg := filepath.Join(d.dir, "controller.yaml")
	ctrlText := controllerYAML(httpAddr, ports[1], d.dir, influx)
	if snmp.skip == "" {
		ctrlText += snmp.controllerYAML()
	}
	mailYAML, err := d.startMail()
	if err != nil {
		return fmt.Errorf("smtp sink: %w", err)
	}
	ctrlText += mailYAML + compareYAML
	if err := os.WriteFile(ctrlCfg, []byte(ctrlText), 0o600); err != nil {
		return err
	}
	invFile := filepath.Join(d.dir, "inventory.yaml")
	if err := os.WriteFile(invFile, demoInventory, 0o600); err != nil {
		return err
	}
	invFiles := []string{invFile}
	if snmp.skip == "" {
		snmpInv := filepath.Join(d.dir, "inventory-snmp.yaml")
		if err := os.WriteFile(snmpInv, []byte(snmp.inventory()), 0o600); err != nil {
			return err
		}
		invFiles = append(invFiles, snmpInv)
	}
	for _, f := range invFiles { // one after the other: the second updates rows of the first
		d.log.Info("importing the demo inventory", "file", f)
		if out, err := exec.CommandContext(ctx, filepath.Join(d.bin, "vantage-controller"), "inventory", "import",
			"--config", ctrlCfg, f).CombinedOutput(); err != nil {
			return fmt.Errorf("inventory import %s: %v: %s", f, err, out)
		}
	}
	complaintsSummary, err := d.importComplaints(ctx, ctrlCfg)
	if err != nil {
		return err
	}
	// The API wants a bearer token: issue the demo an admin one, through
	// the same CLI an operator uses.
	out, err := exec.CommandContext(ctx, filepath.Join(d.bin, "vantage-controller"), "token", "--config", ctrlCfg,
		"create", "--name", "demo-admin", "--role", "admin").Output()
	if err != nil {
		return fmt.Errorf("token create: %v", err)
	}
	outLines := strings.Split(strings.TrimSpace(string(out)), "\n")
	token := strings.TrimSpace(outLines[len(outLines)-1])
	d.log.Info("starting controller", "config", ctrlCfg)
	if err := d.start(ctx, "controller", filepath.Join(d.bin, "vantage-controller"), "--config", ctrlCfg); err != nil {
		return err
	}
	if err := waitHTTP(ctx, "http://"+httpAddr+"/healthz", 60*time.Second); err != nil {
		return fmt.Errorf("controller did not become healthy (see %s/controller.log): %w", d.dir, err)
	}

	icmp, why := icmpAllowed()
	if !icmp {
		d.log.Warn("ping probes left out of the demo", "reason", why)
	}
	agents := append(demoAgents(natsURL, targets, icmp), stationAgent(natsURL, targets.http))
	if snmp.skip == "" {
		agents = append(agents, snmp.agent(natsURL, d.dir))
	}
	for i, a := range agents {
		port, err := freePorts(1)
		if err != nil {
			return err
		}
		path := filepath.Join(d.dir, a.id+".yaml")
		if err := d.agentConfig(ctx, ctrlCfg, a, path, fmt.Sprintf("127.0.0.1:%d", port[0])); err != nil {
			return err
		}
		d.log.Info("starting agent", "agent", a.id, "n", i+1, "config", path)
		if err := d.start(ctx, a.id, filepath.Join(d.bin, "vantage-agent"), "--config", path); err != nil {
			return err
		}
	}

	snmpField := snmp.target
	if snmp.skip != "" {
		snmpField = "skipped"
	}
	fmt.Printf("vantage demo ready: api=http://%s/api/v1/ token=%s metrics=http://%s/metrics healthz=http://%s/healthz influx=%s bucket=%s nats=%s snmp=%s logs=%s\n",
		httpAddr, token, httpAddr, httpAddr, influx.url, influx.bucket, natsURL, snmpField, d.dir)
	// The token rides in the link's #fragment, which the browser keeps to
	// itself; the login page's script submits it (controller/webui).
	fmt.Printf("vantage demo: web UI, opens logged in as admin: http://%s/ui/login#token=%s\n", httpAddr, token)
	fmt.Printf("vantage demo: snmp: %s\n", snmp.status())
	fmt.Printf("vantage demo: simulated trouble starts now; watch: curl -H 'Authorization: Bearer %s' http://%s/api/v1/incidents\n", token, httpAddr)
	fmt.Printf("vantage demo: complaints: imported a GBK call-centre export with Chinese headers (%s/complaints-gbk.csv, mapping %s/complaints-mapping.yaml): %s\n",
		d.dir, d.dir, complaintsSummary)
	fmt.Printf("vantage demo: complaint verdicts (recomputed every minute as the trouble below is seen): curl -H 'Authorization: Bearer %s' http://%s/api/v1/complaints\n", token, httpAddr)
	fmt.Printf("vantage demo: repeat place (four weak-signal calls from the station compound): curl -H 'Authorization: Bearer %s' http://%s/api/v1/complaints/repeats\n", token, httpAddr)
	fmt.Printf("vantage demo: comparison at the station hotspot (the demo's server answers our network %s later): curl -H 'Authorization: Bearer %s' 'http://%s/api/v1/compare?cell=%s&test=http_ttfb_ms'; places to fix: curl -H 'Authorization: Bearer %s' http://%s/api/v1/places\n",
		oursDelay, token, httpAddr, stationCell, token, httpAddr)
	fmt.Printf("vantage demo: notifications (emails also as .eml files under %s/mail): curl -H 'Authorization: Bearer %s' http://%s/api/v1/notifications\n", d.dir, token, httpAddr)
	fmt.Printf("vantage demo: customer-impact report of C300 this week (DL-0201's flaps, DL-0104's trouble, complaints, notifications; zh-CN, Asia/Shanghai): %s\n",
		reportCommand(d.bin, ctrlCfg, d.dir))
	window, err := announceMaintenance(ctx, httpAddr, token)
	if err != nil {
		return err
	}
	fmt.Printf("vantage demo: maintenance window planned (%s; notice sent now): curl -H 'Authorization: Bearer %s' http://%s/api/v1/maintenance\n", window, token, httpAddr)
	go d.trouble.run(ctx)
	return d.progress(ctx, progressSources{metrics: "http://" + httpAddr + "/metrics", api: "http://" + httpAddr, token: token,
		influx: influx, snmp: snmp.skip == ""}, every)
}

// progress prints ingest counters until ctx ends or a child dies.
func (d *demo) progress(ctx context.Context, src progressSources, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	start := time.Now()
	for {
		select {
		case <-ctx.Done():
			fmt.Println("vantage demo: stopping")
			return nil
		case <-t.C:
		}
		if p := d.deadProcess(); p != "" {
			return fmt.Errorf("%s exited; see %s/%s.log", p, d.dir, p)
		}
		m, err := scrape(src.metrics)
		if err != nil {
			fmt.Printf("vantage demo: %3.0fs controller metrics unavailable: %v\n", time.Since(start).Seconds(), err)
			continue
		}
		fmt.Printf("vantage demo: %3.0fs results_ingested=%.0f influx_write_errors=%.0f rejected=%.0f%s%s\n",
			time.Since(start).Seconds(), m["vantage_controller_results_ingested_total"],
			m["vantage_controller_influx_write_errors_total"], m["vantage_controller_results_rejected_total"],
			src.lineCounts(ctx), src.snmpCounts(ctx))
	}
}

// start runs a child with its output in DIR/name.log. Pdeathsig makes the
// kernel stop it if the demo itself dies, so nothing is left running.
func (d *demo) start(ctx context.Context, name, path string, args ...string) error {
	return d.startEnv(ctx, name, nil, path, args...)
}

// startEnv is start with variables added to the child's environment.
func (d *demo) startEnv(ctx context.Context, name string, env []string, path string, args ...string) error {
	logf, err := os.Create(filepath.Join(d.dir, name+".log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); _ = logf.Close(); close(c.done) }()
	d.mu.Lock()
	d.procs = append(d.procs, c)
	d.mu.Unlock()
	return nil
}

func (d *demo) deadProcess() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.procs {
		select {
		case <-c.done:
			return c.name
		default:
		}
	}
	return ""
}

// shutdown stops agents first (they flush), then the controller, then InfluxDB.
func (d *demo) shutdown() {
	d.mu.Lock()
	procs := d.procs
	d.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		c := procs[i]
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
			<-c.done
		}
	}
	for _, c := range d.closers {
		_ = c.Close()
	}
	for _, f := range d.cleanups {
		f()
	}
	if d.influxDir != "" {
		out, err := exec.Command("scripts/influxdb.sh", "stop", d.influxDir).CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "vantage demo: stopping InfluxDB: %v: %s\n", err, out)
		}
	}
}

type influxInfo struct{ url, bucket, token string }

func (d *demo) startInflux() (influxInfo, error) {
	d.influxDir = filepath.Join(d.dir, "influxdb")
	out, err := exec.Command("scripts/influxdb.sh", "start", d.influxDir).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		return influxInfo{}, fmt.Errorf("scripts/influxdb.sh start: %v: %s", err, stderr)
	}
	env := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "="); ok {
			env[k] = strings.Trim(v, `"'`)
		}
	}
	info := influxInfo{url: env["INFLUX_URL"], bucket: env["INFLUX_BUCKET"], token: env["INFLUX_TOKEN"]}
	if info.url == "" || info.bucket == "" {
		return info, fmt.Errorf("scripts/influxdb.sh start printed no INFLUX_URL/INFLUX_BUCKET: %s", out)
	}
	return info, nil
}

// serveTargets starts the loopback HTTP server and TCP listener the demo
// agents probe.
func (d *demo) serveTargets() (demoTargets, error) {
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return demoTargets{}, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "vantage demo target: ok")
	})
	mux.HandleFunc("/line/{id}", d.trouble.serveLine)
	mux.HandleFunc("/compare", serveCompare)
	mux.HandleFunc("/download", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(256<<10))
		_, _ = w.Write(bytes.Repeat([]byte("v"), 256<<10))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(hl) }()
	tl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return demoTargets{}, err
	}
	go func() {
		for {
			c, err := tl.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	d.closers = append(d.closers, srv, tl)
	return demoTargets{http: "http://" + hl.Addr().String(), tcp: tl.Addr().String()}, nil
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func waitHTTP(ctx context.Context, url string, max time.Duration) error {
	deadline := time.Now().Add(max)
	var last error
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
			last = fmt.Errorf("status %d", resp.StatusCode)
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return last
}

// scrape reads unlabelled counters from a Prometheus text page (labelled
// series are summed under their name).
func scrape(url string) (map[string]float64, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	m := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if i := strings.IndexByte(name, '{'); i >= 0 {
			if j := strings.LastIndexByte(line, '}'); j > 0 {
				rest = strings.TrimSpace(line[j+1:])
			}
			name = name[:i]
		}
		v, err := strconv.ParseFloat(strings.Fields(rest)[0], 64)
		if err == nil {
			m[name] += v
		}
	}
	return m, sc.Err()
}

// icmpAllowed reports whether the agents may send pings: as root (raw
// socket) or when net.ipv4.ping_group_range covers our group.
func icmpAllowed() (bool, string) {
	if os.Geteuid() == 0 {
		return true, ""
	}
	data, err := os.ReadFile("/proc/sys/net/ipv4/ping_group_range")
	if err == nil {
		f := strings.Fields(string(data))
		if len(f) == 2 {
			lo, _ := strconv.Atoi(f[0])
			hi, _ := strconv.Atoi(f[1])
			if g := os.Getgid(); g >= lo && g <= hi {
				return true, ""
			}
		}
	}
	return false, `not root and net.ipv4.ping_group_range excludes this group (sysctl -w net.ipv4.ping_group_range="0 2147483647")`
}

// agentConfig issues the agent its NATS credentials with the operator's
// command (the embedded server admits no agent without them) and appends
// the demo's site and probes to the config that command writes.
func (d *demo) agentConfig(ctx context.Context, ctrlCfg string, a demoAgent, path, httpListen string) error {
	if out, err := exec.CommandContext(ctx, filepath.Join(d.bin, "vantage-controller"), "agent", "--config", ctrlCfg,
		"add", a.id, "--nats-url", a.natsURL, "--out", path).CombinedOutput(); err != nil {
		return fmt.Errorf("agent add %s: %v: %s", a.id, err, out)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(a.yaml(httpListen))
	return errors.Join(err, f.Close())
}

// reportCommand is the `vantage-controller report` the demo prints: this
// week's PDF of C300, whose DL-0201 flaps in the simulated trouble.
func reportCommand(bin, ctrlCfg, dir string) string {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return fmt.Sprintf("%s report --config %s --customer C300 --period week --from %s --format pdf -o %s",
		filepath.Join(bin, "vantage-controller"), ctrlCfg, time.Now().In(loc).Format("2006-01-02"), filepath.Join(dir, "report-C300.pdf"))
}
