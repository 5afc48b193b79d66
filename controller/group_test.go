package controller

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
)

// Stages stop in order: a later stage's context ends only after every
// component of the stage before returned, and one component's failure
// stops everything, in that same order.
func TestStagesStopInOrder(t *testing.T) {
	for _, fail := range []bool{false, true} {
		var mu sync.Mutex
		var order []string
		record := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
		wait := func(name string) component {
			return component{name, func(ctx context.Context) error {
				<-ctx.Done()
				record(name)
				return nil
			}}
		}
		ctx, cancel := context.WithCancel(context.Background())
		input := []component{wait("ingest"), wait("http")}
		if fail {
			input = append(input, component{"broken", func(context.Context) error { return errors.New("boom") }})
		} else {
			cancel()
		}
		err := runStages(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)),
			input, []component{wait("linehealth"), wait("registry")}, []component{wait("shipper")})
		cancel()
		if fail != (err != nil) {
			t.Errorf("fail=%v: err %v", fail, err)
		}
		rank := map[string]int{"ingest": 0, "http": 0, "linehealth": 1, "registry": 1, "shipper": 2}
		if len(order) != 5 || !slices.IsSortedFunc(order, func(a, b string) int { return rank[a] - rank[b] }) {
			t.Errorf("fail=%v: stop order %v", fail, order)
		}
	}
}
