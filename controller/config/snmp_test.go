package config

import (
	"strings"
	"testing"
)

// TestSNMPProfiles: profiles are decoded with the snmp probe's own rules,
// each problem at its line.
func TestSNMPProfiles(t *testing.T) {
	const head = "influx: {url: http://127.0.0.1:8086, bucket: vantage/autogen}\nremote_config:\n  enabled: true\n  snmp:\n"
	c, err := Parse("c.yaml", []byte(head+`    profiles:
      pe-v3: {version: "3", v3: {user: vantage, level: authPriv, auth_protocol: SHA, auth_password: "auth-pass-1", priv_protocol: AES, priv_password: "priv-pass-1"}}
      legacy: {community: "s3cret-community", max_repetitions: 20}
`))
	if err != nil {
		t.Fatal(err)
	}
	if s := c.RemoteConfig.SNMP; s.Interval.String() != "30s" || len(s.Profiles) != 2 {
		t.Errorf("snmp %+v", s)
	}
	_, err = Parse("c.yaml", []byte(head+`    interval: 500ms
    profiles:
      short: {version: "3", v3: {user: vantage, level: authPriv, auth_protocol: SHA, auth_password: "short", priv_protocol: AES, priv_password: "priv-pass-1"}}
      nocred: {version: 2c}
      mapped: {community: "x-community", interfaces: [{name: ge-0/0/1, line: L1}]}
`))
	for _, want := range []string{
		"c.yaml:5: remote_config.snmp.interval: 500ms is shorter than 1s",
		`c.yaml:7: remote_config.snmp.profiles["short"].v3.auth_password: must be at least 8 characters`,
		`c.yaml:8: remote_config.snmp.profiles["nocred"].community: is required`,
		`c.yaml:9: remote_config.snmp.profiles["mapped"].interfaces: not a profile key`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in\n%v", want, err)
		}
	}
}

// A profile carries its make's scalars (a vendor's radio OIDs), checked
// with the snmp probe's rules, each problem at its line; they were refused
// as "not a profile key" before, so radio OIDs lived in every hotspot
// agent's own file.
func TestSNMPProfileScalars(t *testing.T) {
	const head = "influx: {url: http://127.0.0.1:8086, bucket: vantage/autogen}\nremote_config:\n  enabled: true\n  snmp:\n    profiles:\n"
	c, err := Parse("c.yaml", []byte(head+`      hotspot-vendor-a:
        community: "radio-community"
        scalars:
          - {name: rsrp, oid: 1.3.6.1.4.1.99999.1.1.0, type: gauge}
          - {name: sinr, oid: 1.3.6.1.4.1.99999.1.2.0, type: gauge, scale: 0.1}
`))
	if err != nil {
		t.Fatal(err)
	}
	if p := c.RemoteConfig.SNMP.Profiles["hotspot-vendor-a"]; len(p.Content) != 4 {
		t.Errorf("profile %+v", p)
	}
	_, err = Parse("c.yaml", []byte(head+`      hotspot-vendor-b:
        community: "radio-community"
        scalars:
          - {name: rsrp, oid: 1.3.6.1.4.1.x}
          - {name: rsrp, oid: 1.3.6.1.4.1.99999.1.2.0, type: level}
      hotspot-vendor-c:
        community: "radio-community"
        scalars:
          - {name: sinr, oid: 1.3.6.1.4.1.99999.1.2.0, type: counter}
`))
	for _, want := range []string{
		`c.yaml:9: remote_config.snmp.profiles["hotspot-vendor-b"].scalars[0].oid: "1.3.6.1.4.1.x" is not a numeric OID`,
		`c.yaml:10: remote_config.snmp.profiles["hotspot-vendor-b"].scalars[1].name: "rsrp" is already scalars[0]`,
		`c.yaml:10: remote_config.snmp.profiles["hotspot-vendor-b"].scalars[1].type: "level" is not gauge or counter`,
		`c.yaml:14: remote_config.snmp.profiles["hotspot-vendor-c"].scalars[0].type: counter, but coverage.radio_metrics reads sinr as sinr_db, a level: use gauge`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in\n%v", want, err)
		}
	}
}
