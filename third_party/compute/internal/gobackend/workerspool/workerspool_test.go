package workerspool

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomlx/compute/support/testutil"
	"github.com/gomlx/compute/support/xsync"
)

func TestPool_Saturate(t *testing.T) {
	// Test saturation.
	pool := New()
	wantTasks := 5
	pool.SetMaxParallelism(wantTasks)

	var count atomic.Int32
	doneNewTasks := xsync.NewLatch()
	doneTest := xsync.NewLatch()

	go func() {
		pool.Saturate(func() {
			got := count.Add(1)
			runtime.Gosched()
			if int(got) == wantTasks {
				doneNewTasks.Trigger()
				return
			}
			doneNewTasks.Wait()
		})
		doneTest.Trigger()
	}()

	select {
	case <-doneTest.WaitChan():
		// Success
	case <-time.After(100 * time.Millisecond):
		t.Fatal("Timeout before all tasks were executed.")
	}
	if int(count.Load()) != wantTasks {
		t.Fatalf("Expected %d tasks, got %d", wantTasks, count.Load())
	}

	// Test No Parallelism
	pool.SetMaxParallelism(0)
	count.Store(0)
	pool.Saturate(func() { count.Add(1) })
	if ok, diff := testutil.IsEqual(int32(1), count.Load()); !ok {
		t.Errorf("Pool with parallelism 0 result mismatch:\n%s", diff)
	}

	// Test Unlimited
	pool.SetMaxParallelism(-1)
	count.Store(0)
	var started atomic.Int32
	pool.Saturate(func() {
		started.Add(1)
		runtime.Gosched()
		count.Add(1)
	})
	if started.Load() <= 1 {
		t.Errorf("Expected more than 1 started task for unlimited parallelism, got %d", started.Load())
	}
	if count.Load() != started.Load() {
		t.Errorf("Expected count %d to match started %d", count.Load(), started.Load())
	}
}

// TestPool_NestedSaturate checks the local patch: as many workers as the
// pool allows each call Saturate, as parallel matmuls do. Upstream's
// Saturate waited for a free worker, and all of them deadlocked.
func TestPool_NestedSaturate(t *testing.T) {
	for _, parallelism := range []int{1, 2, 4} {
		pool := New()
		pool.SetMaxParallelism(parallelism)
		var ran atomic.Int32
		done := make(chan struct{})
		go func() {
			defer close(done)
			finished := make(chan struct{}, 2*parallelism)
			for range 2 * parallelism {
				pool.WaitToStart(func() {
					pool.Saturate(func() {
						ran.Add(1)
						time.Sleep(time.Millisecond)
					})
					finished <- struct{}{}
				})
			}
			for range 2 * parallelism {
				<-finished
			}
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("parallelism %d: nested Saturate calls deadlocked (%d tasks ran)", parallelism, ran.Load())
		}
		if got := ran.Load(); got < int32(2*parallelism) {
			t.Errorf("parallelism %d: %d Saturate tasks ran, want at least %d (one per caller)", parallelism, got, 2*parallelism)
		}
	}
}
