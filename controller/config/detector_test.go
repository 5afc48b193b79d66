package config

import (
	"strings"
	"testing"
	"time"
)

const base = "influx: {url: http://127.0.0.1:8086, bucket: vantage/autogen}\n"

func TestDetectorDefaults(t *testing.T) {
	c, err := Parse("c.yaml", []byte(base+"data_dir: /var/lib/vantage\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Database.Path != "/var/lib/vantage/vantage.db" || c.Detector.Horizon != 15*time.Minute || c.Detector.GroupWindow != 30*time.Second {
		t.Fatalf("%+v %+v", c.Database, c.Detector)
	}
	o := c.Detector.LineState()
	if o.Default.FailRounds != 3 || o.Default.RecoverRounds != 2 || o.Default.FlapThreshold != time.Minute || o.Profiles != nil {
		t.Fatalf("%+v", o)
	}
}

func TestDetectorSettings(t *testing.T) {
	c, err := Parse("c.yaml", []byte(base+`database: {path: /tmp/x.db}
detector:
  k: 2
  m: 1
  flap_threshold: 30s
  horizon: 5s
  tiers:
    diamond: {k: 1, loss_pct: 1}
`))
	if err != nil {
		t.Fatal(err)
	}
	o := c.Detector.LineState()
	if o.Horizon != 5*time.Second || o.Default.FailRounds != 2 || o.Default.MinFlapRounds != 2 || o.Default.RecoverRounds != 1 {
		t.Fatalf("default %+v", o)
	}
	d := o.Profiles["diamond"]
	if d.FailRounds != 1 || d.MinFlapRounds != 1 || d.LossPct != 1 || d.FlapThreshold != 30*time.Second {
		t.Fatalf("diamond %+v", d)
	}
}

func TestDetectorInvalid(t *testing.T) {
	_, err := Parse("bad.yaml", []byte(base+`detector:
  k: -1
  min_flap_rounds: 5
  horizon: 48h
  snapshot_interval: 10ms
  tiers:
    platinum: {k: 2}
    gold:
      reuse: 5000
`))
	for _, w := range []string{
		"bad.yaml:3: detector.k: -1 must not be negative",
		"bad.yaml:5: detector.horizon: 48h0m0s is outside 0..24h",
		"bad.yaml:6: detector.snapshot_interval: 10ms is shorter than 1s",
		"bad.yaml:8: detector.tiers.platinum: unknown tier",
		"bad.yaml:9: detector.tiers.gold: ",
		"reuse/suppress/max_penalty: 5000/2000/12000 must satisfy",
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in\n%v", w, err)
		}
	}
	_, err = Parse("bad.yaml", []byte(base+"detector: {k: 2, min_flap_rounds: 3}\n"))
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:2: detector.min_flap_rounds: 3 is more than k (2)") {
		t.Errorf("got %v", err)
	}
	_, err = Parse("bad.yaml", []byte(base+"detector:\n  answer_grace: -1s\n  tiers:\n    gold: {answer_grace: 1m}\n"))
	for _, w := range []string{
		"bad.yaml:3: detector.answer_grace: -1e+09 must not be negative",
		"bad.yaml:5: detector.tiers.gold: answer_grace: 1m0s must be between 0 and silence_after",
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in\n%v", w, err)
		}
	}
	c, err := Parse("c.yaml", []byte(base+"detector: {answer_grace: 2s}\n"))
	if err != nil || c.Detector.LineState().Default.AnswerGrace != 2*time.Second {
		t.Errorf("answer_grace: 2s: %v", err)
	}
	_, err = Parse("bad.yaml", []byte(base+"detector: {kk: 2}\n"))
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:2: detector.kk: unknown key") {
		t.Errorf("got %v", err)
	}
}
