package config

import (
	"testing"
	"time"
)

func TestSpoolDefaultsAndSizes(t *testing.T) {
	const base = "agent_id: a1\nnats: {urls: [nats://127.0.0.1:4222]}\n"
	c, err := Parse("a.yaml", []byte(base+"spool: {dir: /var/lib/vantage/spool}\n"), fakeTypes{})
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Spool; s.MaxBytes != 256<<20 || s.MaxAge != 7*24*time.Hour || s.Fsync != "interval" || s.FsyncInterval != time.Second {
		t.Errorf("defaults %+v", s)
	}
	c, err = Parse("a.yaml", []byte(base), fakeTypes{})
	if err != nil || c.Spool.Dir != "" || c.Spool.MaxBytes != 0 {
		t.Errorf("no spool block: %+v %v", c.Spool, err)
	}
	for text, want := range map[string]ByteSize{"1GiB": 1 << 30, "64MiB": 64 << 20, "3000000": 3e6, "5 MB": 5e6} {
		c, err := Parse("a.yaml", []byte(base+"spool: {dir: /s, max_bytes: "+text+", fsync: always}\n"), fakeTypes{})
		if err != nil || c.Spool.MaxBytes != want {
			t.Errorf("%s: %v %v", text, c, err)
		}
	}
}
