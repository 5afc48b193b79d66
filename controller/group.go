package controller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"golang.org/x/sync/errgroup"
)

// component is one long-running part of the controller: it runs until its
// context ends, then finishes its own work and returns.
type component struct {
	name string
	run  func(ctx context.Context) error
}

// runStages runs every component of every stage at once and stops them in
// stage order: stage 0 when ctx ends (or any component fails), and each
// later stage only after every component of the stage before it returned.
// So what a stage produces while stopping (the ingest's last results, line
// health's final commit, the registry's final evaluation) still has its
// consumers (line health, the shipper) running. It returns once all have
// returned, with their errors joined: nothing the controller started is
// still running when the caller closes the database.
func runStages(ctx context.Context, log *slog.Logger, stages ...[]component) error {
	first, fail := context.WithCancel(ctx)
	defer fail()
	ctxs := make([]context.Context, len(stages))
	stops := make([]context.CancelFunc, len(stages))
	ctxs[0], stops[0] = first, fail
	for i := 1; i < len(stages); i++ {
		// Later stages outlive ctx: they stop when their turn comes.
		ctxs[i], stops[i] = context.WithCancel(context.WithoutCancel(ctx))
	}
	groups := make([]*errgroup.Group, len(stages))
	for i, st := range stages {
		groups[i] = new(errgroup.Group)
		for _, c := range st {
			groups[i].Go(func() error {
				err := c.run(ctxs[i])
				if err != nil {
					log.Error("component failed; shutting down", "component", c.name, "err", err)
					fail() // one failure stops the controller, in order
					return fmt.Errorf("%s: %w", c.name, err)
				}
				return nil
			})
		}
	}
	var errs []error
	for i, g := range groups {
		if i > 0 {
			stops[i]() // stage i-1 has returned
		}
		errs = append(errs, g.Wait())
	}
	return errors.Join(errs...)
}
