package chat

// DistinctConnectionIDs drops repeated and empty ids, keeping first-seen
// order, so a connection listed twice (in one fan-out job, or in two jobs
// merged by the queue worker) receives the payload once.
func DistinctConnectionIDs(ids []string) []string {
	seen := make(map[string]struct{}, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if _, dup := seen[id]; dup || id == "" {
			continue
		}
		seen[id] = struct{}{}
		out = append(out, id)
	}
	return out
}
