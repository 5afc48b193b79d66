package config

import (
	"strings"
	"testing"
)

func TestEnrollValidation(t *testing.T) {
	base := "influx: {url: http://127.0.0.1:8086, bucket: vantage}\n"
	for _, tc := range []struct{ text, want string }{
		{"enroll: {listen: nowhere, cert_file: c.pem, key_file: k.pem}\n", `controller.yaml:2: enroll.listen: "nowhere" is not host:port`},
		{"enroll: {listen: \":9443\", cert_file: c.pem}\n", "controller.yaml:2: enroll: cert_file and key_file are both required"},
		{"nats: {agent_auth: false}\nenroll: {listen: \":9443\", cert_file: c.pem, key_file: k.pem}\n", "enroll: needs nats.agent_auth: true"},
	} {
		_, err := Parse("controller.yaml", []byte(base+tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.text, err, tc.want)
		}
	}
	c, err := Parse("controller.yaml", []byte(base+"enroll: {listen: \":9443\", cert_file: c.pem, key_file: k.pem}\n"))
	if err != nil || c.Enroll == nil || c.Enroll.Listen != ":9443" {
		t.Errorf("valid enroll block: %+v, %v", c, err)
	}
}
