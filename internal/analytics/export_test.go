package analytics

// SetMaxItems changes the run size for a test (multi-run batches).
func SetMaxItems(n int) (restore func()) {
	old := maxItems
	maxItems = n
	return func() { maxItems = old }
}
