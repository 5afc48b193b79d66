package trap

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
	"gopkg.in/yaml.v3"
)

// Test credentials: the config below accepts them from 127.0.0.1.
const (
	testCommunity = "tr4p-c0mmunity"
	testUser      = "vantage"
	testAuth      = "auth-pass-123"
	testPriv      = "priv-pass-456"
	testEngineID  = "\x80\x00\x1f\x88\x04vantage-test"
)

const testConfig = `
listen: 127.0.0.1:0
queue: 8
community: tr4p-c0mmunity
v3: {user: vantage, level: authPriv, auth_protocol: SHA, auth_password: auth-pass-123, priv_protocol: AES, priv_password: priv-pass-456}
devices:
  127.0.0.1:
    device: 198.18.0.2:161
    interfaces:
      - {name: eth1, line: L-0001}
      - {index: 7, line: L-0007}
`

func testCfg(t testing.TB) *Config {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(testConfig), &n); err != nil {
		t.Fatal(err)
	}
	c, err := DecodeConfig("test.yaml", &n)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// linkTrap is a v2 linkDown/linkUp as net-snmp and most routers send it:
// ifIndex, ifAdminStatus, ifOperStatus, and here also ifName.
func linkTrap(up bool, ifIndex int, ifName string) gosnmp.SnmpTrap {
	oid, oper := ".1.3.6.1.6.3.1.1.5.3", 2
	if up {
		oid, oper = ".1.3.6.1.6.3.1.1.5.4", 1
	}
	idx := ".1.3.6.1.2.1.2.2.1.1." + strconv.Itoa(ifIndex)
	vars := []gosnmp.SnmpPDU{
		{Name: ".1.3.6.1.2.1.1.3.0", Type: gosnmp.TimeTicks, Value: uint32(123456)},
		{Name: ".1.3.6.1.6.3.1.1.4.1.0", Type: gosnmp.ObjectIdentifier, Value: oid},
		{Name: idx, Type: gosnmp.Integer, Value: ifIndex},
		{Name: ".1.3.6.1.2.1.2.2.1.7." + strconv.Itoa(ifIndex), Type: gosnmp.Integer, Value: 1},
		{Name: ".1.3.6.1.2.1.2.2.1.8." + strconv.Itoa(ifIndex), Type: gosnmp.Integer, Value: oper},
	}
	if ifName != "" {
		vars = append(vars, gosnmp.SnmpPDU{Name: ".1.3.6.1.2.1.31.1.1.1.1." + strconv.Itoa(ifIndex), Type: gosnmp.OctetString, Value: []byte(ifName)})
	}
	return gosnmp.SnmpTrap{Variables: vars}
}

func v2c(community string) *gosnmp.GoSNMP {
	return &gosnmp.GoSNMP{Version: gosnmp.Version2c, Community: community}
}

func v1(community string) *gosnmp.GoSNMP {
	return &gosnmp.GoSNMP{Version: gosnmp.Version1, Community: community}
}

func v3(level gosnmp.SnmpV3MsgFlags, authPass, privPass string) *gosnmp.GoSNMP {
	sp := &gosnmp.UsmSecurityParameters{UserName: testUser, AuthoritativeEngineID: testEngineID,
		AuthoritativeEngineBoots: 1, AuthoritativeEngineTime: 100,
		AuthenticationProtocol: gosnmp.NoAuth, PrivacyProtocol: gosnmp.NoPriv}
	if level&gosnmp.AuthNoPriv != 0 {
		sp.AuthenticationProtocol, sp.AuthenticationPassphrase = gosnmp.SHA, authPass
	}
	if level&gosnmp.AuthPriv == gosnmp.AuthPriv {
		sp.PrivacyProtocol, sp.PrivacyPassphrase = gosnmp.AES, privPass
	}
	return &gosnmp.GoSNMP{Version: gosnmp.Version3, SecurityModel: gosnmp.UserSecurityModel, MsgFlags: level, SecurityParameters: sp}
}

// sendTo sends trap with g's settings to addr.
func sendTo(t testing.TB, g *gosnmp.GoSNMP, addr *net.UDPAddr, trap gosnmp.SnmpTrap) {
	t.Helper()
	g.Target, g.Port, g.Transport, g.Timeout, g.Retries = addr.IP.String(), uint16(addr.Port), "udp", time.Second, 0
	if err := g.Connect(); err != nil {
		t.Fatal(err)
	}
	defer g.Conn.Close()
	if _, err := g.SendTrap(trap); err != nil {
		t.Fatal(err)
	}
}

// encode returns the datagram g would send for trap.
func encode(t testing.TB, g *gosnmp.GoSNMP, trap gosnmp.SnmpTrap) []byte {
	t.Helper()
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	sendTo(t, g, pc.LocalAddr().(*net.UDPAddr), trap)
	buf := make([]byte, 65536)
	_ = pc.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf[:n]
}
