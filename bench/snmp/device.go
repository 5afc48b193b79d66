package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

const community = "bench-community"

// device is the namespace with snmpd and its veth interfaces. Every address
// lies in 198.18.0.0/15, inside the namespace and its access link.
type device struct {
	ns     string
	target string
	dir    string
	snmpd  *exec.Cmd
}

func sh(args ...string) error {
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

func startDevice(interfaces int) (*device, error) {
	tag := make([]byte, 3)
	_, _ = rand.Read(tag)
	// The access link's /30 is random in 198.19.0.0/16: the host namespace
	// is shared with other lab runs, and a fixed subnet would collide.
	sub := fmt.Sprintf("198.19.%d.%d", tag[0], tag[1]&0xfc)
	hostAddr, devAddr := addrPlus(sub, 1), addrPlus(sub, 2)
	d := &device{ns: "vbsnmp" + hex.EncodeToString(tag), target: devAddr + ":1161"}
	if err := sh("ip", "netns", "add", d.ns); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			d.close()
		}
	}()
	host, peer := "vbh"+hex.EncodeToString(tag), "vbd"+hex.EncodeToString(tag)
	// The device's interfaces: veth pairs with both ends in the namespace,
	// added in one batch (there is no dummy module on the lab machines).
	var batch strings.Builder
	fmt.Fprintf(&batch, "link set lo up\n")
	for i := 0; i < interfaces/2; i++ {
		fmt.Fprintf(&batch, "link add b%da type veth peer name b%db\nlink set b%da up\nlink set b%db up\n", i, i, i, i)
	}
	cmd := exec.Command("ip", "-n", d.ns, "-batch", "-")
	cmd.Stdin = strings.NewReader(batch.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ip -batch: %v: %s", err, out)
	}
	for _, c := range [][]string{
		{"ip", "link", "add", host, "type", "veth", "peer", "name", peer},
		{"ip", "link", "set", peer, "netns", d.ns},
		{"ip", "addr", "add", hostAddr + "/30", "dev", host},
		{"ip", "link", "set", host, "up"},
		{"ip", "-n", d.ns, "addr", "add", devAddr + "/30", "dev", peer},
		{"ip", "-n", d.ns, "link", "set", peer, "up"},
	} {
		if err := sh(c...); err != nil {
			return nil, err
		}
	}
	var err error
	if d.dir, err = os.MkdirTemp("", "bench-snmpd-"); err != nil {
		return nil, err
	}
	conf := filepath.Join(d.dir, "snmpd.conf")
	if err := os.WriteFile(conf, []byte("agentAddress udp:"+d.target+"\nrocommunity "+community+" 198.18.0.0/15\n"), 0o600); err != nil {
		return nil, err
	}
	d.snmpd = exec.Command("ip", "netns", "exec", d.ns, "snmpd", "-f", "-Lf", filepath.Join(d.dir, "snmpd.log"), "-C", "-c", conf, "-M", "/nonexistent", "-m", "")
	d.snmpd.Env = append(os.Environ(), "SNMP_PERSISTENT_DIR="+d.dir)
	if err := d.snmpd.Start(); err != nil {
		return nil, fmt.Errorf("snmpd: %w", err)
	}
	// Ready when it answers a get of sysUpTime.
	for deadline := time.Now().Add(15 * time.Second); ; {
		if exec.Command("snmpget", "-v2c", "-c", community, "-t", "0.5", "-r", "0", "-M", "/nonexistent", "-m", "", d.target, "1.3.6.1.2.1.1.3.0").Run() == nil {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("snmpd did not answer within 15s (log in %s)", d.dir)
		}
		time.Sleep(200 * time.Millisecond)
	}
	ok = true
	return d, nil
}

// addrPlus adds n to the last octet of a dotted IPv4 address.
func addrPlus(base string, n int) string {
	i := strings.LastIndexByte(base, '.')
	var last int
	fmt.Sscan(base[i+1:], &last)
	return fmt.Sprintf("%s.%d", base[:i], last+n)
}

// close stops snmpd and deletes the namespace (and with it every veth).
func (d *device) close() {
	if d.snmpd != nil && d.snmpd.Process != nil {
		_ = d.snmpd.Process.Kill()
		_ = d.snmpd.Wait()
	}
	_ = exec.Command("ip", "netns", "del", d.ns).Run()
	if d.dir != "" {
		_ = os.RemoveAll(d.dir)
	}
}
