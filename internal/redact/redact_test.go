package redact

import "testing"

func TestURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"http://influx:8086", "http://influx:8086"},
		{"http://admin:s3cret@influx:8086", "http://influx:8086"},
		{"https://admin:p@ss@w0rd@influx:8086/api/v2/write?org=a@b", "https://influx:8086/api/v2/write?org=a@b"},
		{"http://only-user@influx:8086/", "http://influx:8086/"},
		{"nats://u:p@n1:4222,nats://n2:4222,tls://x:y@n3:4222", "nats://n1:4222,nats://n2:4222,tls://n3:4222"},
		{"u:p@n1:4222", "n1:4222"},
		{"http://bad%zz:pass word@host:1/p", "http://host:1/p"}, // does not parse; still stripped
		{"http://host/path@not-userinfo", "http://host/path@not-userinfo"},
		{"", ""},
	}
	for _, c := range cases {
		if got := URL(c.in); got != c.want {
			t.Errorf("URL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := URLs([]string{"nats://a:b@h:1", "nats://h:2"}); got[0] != "nats://h:1" || got[1] != "nats://h:2" {
		t.Errorf("URLs: %v", got)
	}
}
