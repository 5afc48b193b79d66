package e2e

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/agent/publish"
	"github.com/vantage-net/vantage/agent/spool"
	"github.com/vantage-net/vantage/probes/result"
)

// Helpers of TestFaultAgentKilled: the agent as a process, /metrics
// scrapes, spool fingerprints, the relay that cuts NATS, and the tap that
// sees every message the agent sends.

type agentKillProcess struct {
	cmd     *exec.Cmd
	logFile string
}

func (p *agentKillProcess) logTail() string {
	b, _ := os.ReadFile(p.logFile)
	return tailString(string(b), 3000)
}

func agentKillStartProcess(t *testing.T, bin, cfg string) *agentKillProcess {
	t.Helper()
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "agent.yaml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &agentKillProcess{logFile: filepath.Join(dir, "agent.log")}
	log, err := os.Create(p.logFile)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(bin, "--config", cfgFile)
	p.cmd.Stdout, p.cmd.Stderr = log, log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill() // also ends a stopped process
		_ = p.cmd.Wait()
		log.Close()
	})
	return p
}

// agentKillWait polls cond like lab.WaitFor, showing the agent's log if it
// never holds.
func agentKillWait(t *testing.T, p *agentKillProcess, max time.Duration, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(max)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s: %v\nagent log (tail):\n%s", max, err, p.logTail())
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// agentKillMetrics is one scrape of /metrics: sums by metric name, and each
// series as written.
type agentKillMetrics struct {
	sum    map[string]float64
	series map[string]float64
}

func (m agentKillMetrics) dropReasons() string {
	var parts []string
	for k, v := range m.series {
		if strings.HasPrefix(k, "vantage_agent_spool_dropped_total{") && v != 0 {
			parts = append(parts, fmt.Sprintf("%s %.0f", strings.TrimPrefix(k, "vantage_agent_spool_dropped_total"), v))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

var agentKillHTTP = &http.Client{Timeout: 3 * time.Second}

// agentKillScrape reads the Prometheus text format.
func agentKillScrape(url string) (agentKillMetrics, error) {
	m := agentKillMetrics{sum: map[string]float64{}, series: map[string]float64{}}
	resp, err := agentKillHTTP.Get(url)
	if err != nil {
		return m, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return m, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			return m, fmt.Errorf("bad metrics line %q", line)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return m, fmt.Errorf("bad metrics line %q: %v", line, err)
		}
		key := line[:i]
		name := key
		if j := strings.IndexByte(key, '{'); j >= 0 {
			name = key[:j]
		}
		m.series[key] = v
		m.sum[name] += v
	}
	return m, sc.Err()
}

// agentKillFrozenKeys are the agent's figures about its spool and
// publishing; equal in two scrapes in a row, nothing moved in between.
var agentKillFrozenKeys = []string{"vantage_agent_spool_depth", "vantage_agent_spool_bytes",
	"vantage_agent_spool_dropped_total", "vantage_agent_results_dropped_total", "vantage_agent_results_published_total"}

// agentKillFreeze stops the agent with SIGSTOP at a moment its /metrics
// describe the spool directory as it then is. It reads the directory's
// bytes (F0), scrapes twice (A0, A), stops the agent and reads the directory
// again (F1). Every push to the spool appends to a segment file, so F0 == F1
// proves no push happened around the scrapes, and A0 == A that no counter
// moved between them (drops reach results_dropped_total just after the
// spool's lock is released). Otherwise it resumes the agent (SIGCONT) and
// tries again. The agent is left stopped.
//
// Then the spool package reopens a copy of the directory, as the next start
// will: it must hold exactly the depth and bytes the agent reported. That
// comparison is not retried: a difference is a spool that loses or
// resurrects records across a kill.
func agentKillFreeze(t *testing.T, p *agentKillProcess, metricsURL, dir string) (agentKillMetrics, agentKillSpool) {
	t.Helper()
	for attempt := 1; attempt <= 50; attempt++ {
		f0 := agentKillFingerprint(t, dir)
		a0, err := agentKillScrape(metricsURL)
		if err != nil {
			t.Fatal(err)
		}
		a, err := agentKillScrape(metricsURL)
		if err != nil {
			t.Fatal(err)
		}
		same := a.sum["vantage_agent_spool_dropped_total"] == a.sum["vantage_agent_results_dropped_total"]
		for _, k := range agentKillFrozenKeys {
			same = same && a0.sum[k] == a.sum[k]
		}
		if !same {
			time.Sleep(17 * time.Millisecond)
			continue
		}
		if err := p.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		if f1 := agentKillFingerprint(t, dir); f1 != f0 {
			if err := p.cmd.Process.Signal(syscall.SIGCONT); err != nil {
				t.Fatal(err)
			}
			time.Sleep(17 * time.Millisecond)
			continue
		}
		t.Logf("first agent stopped (SIGSTOP) at a quiet moment of its spool, attempt %d", attempt)
		sp := agentKillReadSpool(t, dir)
		if float64(sp.results) != a.sum["vantage_agent_spool_depth"] || float64(sp.bytes) != a.sum["vantage_agent_spool_bytes"] {
			t.Fatalf("the agent reported %.0f results in %.0f bytes spooled; reopened, its spool directory holds %d results in %d bytes",
				a.sum["vantage_agent_spool_depth"], a.sum["vantage_agent_spool_bytes"], sp.results, sp.bytes)
		}
		return a, sp
	}
	t.Fatal("could not stop the agent at a quiet moment of its spool (50 attempts)")
	return agentKillMetrics{}, agentKillSpool{}
}

// agentKillFingerprint hashes the names and contents of dir's files.
func agentKillFingerprint(t *testing.T, dir string) [32]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if os.IsNotExist(err) {
			fmt.Fprintf(h, "%s gone\n", e.Name()) // removed while listing
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s %d\n", e.Name(), len(b))
		h.Write(b)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// agentKillSpool is what a spool directory holds for the next start.
type agentKillSpool struct {
	results       int
	bytes         int64
	msgs          []agentKillSpoolMsg
	torn, corrupt float64
}

type agentKillSpoolMsg struct {
	id      string
	results int
}

// agentKillReadSpool opens a copy of dir with the spool package, as the next
// agent start would, and lists the waiting messages oldest first. The copy
// keeps dir untouched (opening repairs and rewrites the cursor).
func agentKillReadSpool(t *testing.T, dir string) agentKillSpool {
	t.Helper()
	cp := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cp, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	reg := prometheus.NewRegistry()
	sp, err := spool.Open(spool.Options{Dir: cp, MaxBytes: 2 << 20, MaxAge: 7 * 24 * time.Hour, Fsync: spool.FsyncNever, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	out := agentKillSpool{results: sp.Results(), bytes: sp.Bytes()}
	for {
		m, ok := sp.Peek()
		if !ok {
			break
		}
		out.msgs = append(out.msgs, agentKillSpoolMsg{id: m.ID, results: m.Results})
		sp.Pop()
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "vantage_agent_spool_damaged_records_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				switch l.GetValue() {
				case "torn":
					out.torn += m.GetCounter().GetValue()
				case "corrupt":
					out.corrupt += m.GetCounter().GetValue()
				}
			}
		}
	}
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

// agentKillGate is a TCP relay in front of NATS: closed, it drops every
// connection, as a cut line would, while the server, the controller and the
// tap stay up.
type agentKillGate struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	open   bool
	conns  map[net.Conn]struct{}
}

func agentKillStartGate(t *testing.T, target string) *agentKillGate {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &agentKillGate{l: l, target: target, open: true, conns: map[net.Conn]struct{}{}}
	t.Cleanup(func() { l.Close(); g.set(false) })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go g.relay(c)
		}
	}()
	return g
}

func (g *agentKillGate) addr() string { return g.l.Addr().String() }

func (g *agentKillGate) relay(c net.Conn) {
	g.mu.Lock()
	open := g.open
	g.mu.Unlock()
	if !open {
		c.Close()
		return
	}
	s, err := net.DialTimeout("tcp", g.target, 2*time.Second)
	if err != nil {
		c.Close()
		return
	}
	g.mu.Lock()
	if !g.open {
		g.mu.Unlock()
		c.Close()
		s.Close()
		return
	}
	g.conns[c], g.conns[s] = struct{}{}, struct{}{}
	g.mu.Unlock()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(s, c)
	go pipe(c, s)
	<-done
	c.Close()
	s.Close()
	g.mu.Lock()
	delete(g.conns, c)
	delete(g.conns, s)
	g.mu.Unlock()
}

// set opens or closes the gate; closing cuts every relayed connection.
func (g *agentKillGate) set(open bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open = open
	if !open {
		for c := range g.conns {
			c.Close()
		}
	}
}

// agentKillTap records every message published on vantage.results.*, by
// message id, from a core-NATS subscription on the server itself (it sees
// every resend, each of which JetStream stores again).
type agentKillTap struct {
	js jetstream.JetStream

	mu      sync.Mutex
	msgs    map[string]agentKillTapMsg // by Vantage-Msg-Id
	resends int
	keys    map[string]string // result identity → message id
	faults  []string
}

type agentKillTapMsg struct {
	sum     [32]byte
	results int
}

func agentKillStartTap(t *testing.T, url string) *agentKillTap {
	t.Helper()
	nc, err := nats.Connect(url, nats.MaxReconnects(-1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	tap := &agentKillTap{js: js, msgs: map[string]agentKillTapMsg{}, keys: map[string]string{}}
	sub, err := nc.Subscribe("vantage.results.>", tap.record)
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return tap
}

func (tap *agentKillTap) record(m *nats.Msg) {
	tap.mu.Lock()
	defer tap.mu.Unlock()
	id := m.Header.Get(publish.MsgIDHeader)
	sum := sha256.Sum256(m.Data)
	if prev, ok := tap.msgs[id]; ok {
		tap.resends++
		if prev.sum != sum {
			tap.faults = append(tap.faults, fmt.Sprintf("message %s resent with different content", id))
		}
		return
	}
	b, err := result.Decode(m.Data)
	if err != nil {
		tap.faults = append(tap.faults, fmt.Sprintf("message %s: %v", id, err))
		return
	}
	tap.msgs[id] = agentKillTapMsg{sum: sum, results: len(b.Results)}
	for _, r := range b.Results {
		k := agentKillResultKey(m.Subject, &r)
		if other, ok := tap.keys[k]; ok {
			tap.faults = append(tap.faults, fmt.Sprintf("result %s in messages %s and %s", k, other, id))
			continue
		}
		tap.keys[k] = id
	}
}

// agentKillResultKey is a result's InfluxDB point identity: measurement,
// tags (agent from the subject) and timestamp.
func agentKillResultKey(subject string, r *result.Result) string {
	tags := []string{"agent=" + strings.TrimPrefix(subject, "vantage.results.")}
	for k, v := range r.Tags {
		tags = append(tags, k+"="+v)
	}
	sort.Strings(tags)
	return fmt.Sprintf("%s,%s %d", r.Measurement, strings.Join(tags, ","), r.Time.UnixNano())
}

// check compares what went over NATS with what the agents counted.
func (tap *agentKillTap) check(t *testing.T, delivered float64, atKill agentKillSpool, dropped2 float64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := tap.js.Stream(ctx, "VANTAGE_RESULTS")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tap.mu.Lock()
	defer tap.mu.Unlock()
	for i, f := range tap.faults {
		if i == 10 {
			t.Errorf("… %d more", len(tap.faults)-10)
			break
		}
		t.Error(f)
	}
	results := 0
	for _, m := range tap.msgs {
		results += m.results
	}
	// The spooled-at-kill messages the second agent delivered; the others
	// it dropped to stay within the bound, oldest first (the head is never
	// dropped: it may be in flight).
	sent, sentResults, notSentResults := 0, 0, 0
	for _, m := range atKill.msgs {
		if _, ok := tap.msgs[m.id]; ok {
			sent++
			sentResults += m.results
		} else {
			notSentResults += m.results
		}
	}
	t.Logf("over NATS: %d messages (%d results), %d resends of an id already seen; JetStream stored %d messages; of the %d messages spooled at the kill %d were delivered (%d results), %d results dropped",
		len(tap.msgs), results, tap.resends, info.State.LastSeq, len(atKill.msgs), sent, sentResults, notSentResults)
	if float64(results) != delivered {
		t.Errorf("%d distinct results went over NATS, the agents counted %.0f published", results, delivered)
	}
	// JetStream does no de-duplication for agents (any agent could use
	// it against another's ids): every resend is stored, and the ingest
	// skips it by (agent, id) or writes the same points again.
	if info.State.LastSeq != uint64(len(tap.msgs)+tap.resends) {
		t.Errorf("JetStream stored %d messages for %d distinct message ids and %d resends", info.State.LastSeq, len(tap.msgs), tap.resends)
	}
	// Delivered: the head, then everything after the dropped ones.
	for i, m := range atKill.msgs {
		_, ok := tap.msgs[m.id]
		switch {
		case i == 0 && !ok:
			t.Errorf("the spool's head at the kill (%s) was never delivered", m.id)
		case i > 0 && !ok && i > len(atKill.msgs)-sent:
			t.Errorf("spooled message %d of %d (%s) was not delivered, but a newer one was: not oldest-first", i, len(atKill.msgs), m.id)
		}
	}
	if float64(notSentResults) > dropped2 {
		t.Errorf("%d results spooled at the kill were never delivered, but the second agent counted only %.0f dropped",
			notSentResults, dropped2)
	}
}
