package report

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/vantage-net/vantage/controller/notify"
)

// DefaultTargets are the SLA availability targets by tier a line without
// its own (inventory sla_availability_pct) is held to.
var DefaultTargets = map[string]float64{
	"ab_group": 99.99, "diamond": 99.95, "gold": 99.9, "silver": 99.5, "standard": 99.0,
}

// Options configure a Builder.
type Options struct {
	// DB is the controller's database.
	DB *sql.DB
	// Location is where times are shown and weeks and months begin
	// (default Asia/Shanghai).
	Location *time.Location
	// Targets by tier (default DefaultTargets); a line's own target wins.
	Targets map[string]float64
	// Proactive is controller/notify's proactive ratio (Notifier.Proactive);
	// nil leaves the notifications section out.
	Proactive func(ctx context.Context, from, to time.Time) ([]notify.ProactiveRow, []notify.ProactiveRow, error)
	// Now is the clock: open events count up to it. Default time.Now.
	Now func() time.Time
	// TimelineMax bounds an incident's short timeline (default 6).
	TimelineMax int
}

// Builder computes reports from the database.
type Builder struct{ o Options }

// New checks the options.
func New(o Options) (*Builder, error) {
	if o.DB == nil {
		return nil, errors.New("report: DB is required")
	}
	if o.Location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			loc = time.FixedZone("CST", 8*3600)
		}
		o.Location = loc
	}
	if o.Targets == nil {
		o.Targets = DefaultTargets
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.TimelineMax <= 0 {
		o.TimelineMax = 6
	}
	return &Builder{o: o}, nil
}

// Location is where the builder shows times.
func (b *Builder) Location() *time.Location { return b.o.Location }

// manager is customer id's account manager ("" when none or unknown).
func (b *Builder) manager(ctx context.Context, id string) string {
	var m string
	b.o.DB.QueryRowContext(ctx, `SELECT account_manager FROM customers WHERE id = ?`, id).Scan(&m)
	return m
}
