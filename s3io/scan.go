package s3io

import (
	"context"
	"iter"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// objectBatch is a batch tagged with the index of the object it came from.
type objectBatch struct {
	object int
	batch  arrow.RecordBatch
	err    error
}

// scanObjects decodes n objects with at most conc in flight and yields
// their batches in object order: all of object 0's, then object 1's. Each
// object in flight buffers at most one decoded batch besides the one being
// built, so memory stays near 2 x conc batches whatever the objects' sizes.
// decode calls emit for each batch and stops when emit returns false (the
// consumer stopped or ctx ended). Yielded batches belong to the consumer.
func scanObjects(ctx context.Context, n, conc int,
	decode func(ctx context.Context, i int, emit func(arrow.RecordBatch) bool) error,
) iter.Seq[objectBatch] {
	return func(yield func(objectBatch) bool) {
		parent := ctx
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		chans := make([]chan objectBatch, n)
		for i := range chans {
			chans[i] = make(chan objectBatch, 1)
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // launcher
			defer wg.Done()
			sem := make(chan struct{}, conc)
			for i := 0; i < n; i++ {
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					for j := i; j < n; j++ {
						close(chans[j])
					}
					return
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() { <-sem }()
					defer close(chans[i])
					err := decode(ctx, i, func(b arrow.RecordBatch) bool {
						select {
						case chans[i] <- objectBatch{object: i, batch: b}:
							return true
						case <-ctx.Done():
							b.Release()
							return false
						}
					})
					if err != nil {
						select {
						case chans[i] <- objectBatch{object: i, err: err}:
						case <-ctx.Done():
						}
					}
				}()
			}
		}()
		defer func() {
			cancel()
			// Release what producers left in the channels and wait for them,
			// so that no goroutine outlives the loop.
			for _, ch := range chans {
				for ob := range ch {
					if ob.batch != nil {
						ob.batch.Release()
					}
				}
			}
			wg.Wait()
		}()
		for i := 0; i < n; i++ {
			for ob := range chans[i] {
				if !yield(ob) {
					return
				}
				if ob.err != nil {
					return
				}
			}
		}
		// Producers stop quietly when the context ends; say why the batches
		// stopped.
		if err := parent.Err(); err != nil {
			yield(objectBatch{object: n - 1, err: err})
		}
	}
}
