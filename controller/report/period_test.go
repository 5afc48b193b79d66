package report

import (
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/report/reporttest"
)

func TestPeriod(t *testing.T) {
	loc := reporttest.Shanghai
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, loc) // a Tuesday
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	for _, c := range []struct {
		period, from, to string
		f, t             time.Time
	}{
		{"week", "", "", day(2026, 11, 23), day(2026, 11, 30)},
		{"week", "2026-11-18", "", day(2026, 11, 16), day(2026, 11, 23)},
		{"month", "", "", day(2026, 11, 1), day(2026, 12, 1)},
		{"month", "2026-02-10", "", day(2026, 2, 1), day(2026, 3, 1)},
		{"", "2026-11-16", "2026-11-16T12:30", day(2026, 11, 16), day(2026, 11, 16).Add(12*time.Hour + 30*time.Minute)},
		{"", "2026-11-15T16:00:00Z", "2026-11-16", day(2026, 11, 16), day(2026, 11, 16)},
	} {
		f, to, err := Period(c.period, c.from, c.to, loc, now)
		if c.f.Equal(c.t) {
			if err == nil {
				t.Errorf("%+v: no error for an empty period", c)
			}
			continue
		}
		if err != nil || !f.Equal(c.f) || !to.Equal(c.t) {
			t.Errorf("%s %q %q: %s .. %s, %v; want %s .. %s", c.period, c.from, c.to, f, to, err, c.f, c.t)
		}
	}
	for _, bad := range [][3]string{{"day", "", ""}, {"", "2026-11-16", ""}, {"", "16/11/2026", "2026-11-17"}} {
		if _, _, err := Period(bad[0], bad[1], bad[2], loc, now); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
