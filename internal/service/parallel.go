package service

import "sync"

// storeConcurrency bounds the store calls one request makes at once: enough
// to hide DynamoDB latency, few enough not to throttle a small table.
const storeConcurrency = 8

// forEach runs fn(0..n-1) with at most storeConcurrency at a time and
// returns the first error after all have finished.
func forEach(n int, fn func(i int) error) error {
	if n == 1 {
		return fn(0)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		sem   = make(chan struct{}, storeConcurrency)
	)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}
