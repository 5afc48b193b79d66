package notify

import (
	"fmt"
	"time"
)

// QuietHours is a daily span in which non-urgent messages wait.
type QuietHours struct {
	From, To time.Duration // since local midnight; To < From wraps midnight
}

// ParseQuietHours reads "HH:MM-HH:MM" ("" is none).
func ParseQuietHours(s string) (QuietHours, bool, error) {
	if s == "" {
		return QuietHours{}, false, nil
	}
	var h1, m1, h2, m2 int
	if n, err := fmt.Sscanf(s, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); err != nil || n != 4 ||
		h1 < 0 || h1 > 23 || h2 < 0 || h2 > 23 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59 {
		return QuietHours{}, false, fmt.Errorf("%q is not HH:MM-HH:MM", s)
	}
	q := QuietHours{From: time.Duration(h1)*time.Hour + time.Duration(m1)*time.Minute,
		To: time.Duration(h2)*time.Hour + time.Duration(m2)*time.Minute}
	if q.From == q.To {
		return QuietHours{}, false, fmt.Errorf("%q is an empty span", s)
	}
	return q, true, nil
}

// After returns t, or the end of the quiet span t falls in (in loc).
func (q QuietHours) After(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	midnight := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
	since := lt.Sub(midnight)
	switch {
	case q.From < q.To && since >= q.From && since < q.To:
		return midnight.Add(q.To)
	case q.From > q.To && since >= q.From:
		return midnight.AddDate(0, 0, 1).Add(q.To)
	case q.From > q.To && since < q.To:
		return midnight.Add(q.To)
	}
	return t
}
