package chat

import (
	"slices"
	"testing"
)

func TestDistinctConnectionIDs(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{nil, []string{}},
		{[]string{"a", "", "b", "a", "c", "b"}, []string{"a", "b", "c"}},
		{[]string{"", ""}, []string{}},
	} {
		if got := DistinctConnectionIDs(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("DistinctConnectionIDs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
