package partition_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/partition"
)

// TestConcurrentStartCreatesBuckets starts three controllers' buckets at
// once on a three-server cluster: each must get the lease bucket, the
// (racing create-or-updates of one bucket
// once left every request unanswered until its deadline).
func TestConcurrentStartCreatesBuckets(t *testing.T) {
	c := startCluster(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		_, js := connect(t, c.URL())
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := partition.OpenLeases(ctx, js, partition.LeaseOptions{ID: "x", Partitions: 16, Lease: 3 * time.Second,
				Tick: 750 * time.Millisecond, Replicas: 3}, nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}
