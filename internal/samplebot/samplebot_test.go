package samplebot

import (
	"testing"
	"time"
)

func TestParseWhen(t *testing.T) {
	for in, want := range map[string]struct {
		d    time.Duration
		what string
	}{
		"in 10m stand-up":          {10 * time.Minute, "stand-up"},
		"10m stand-up":             {10 * time.Minute, "stand-up"},
		"2h call Bob":              {2 * time.Hour, "call Bob"},
		"in 2 hours call Bob":      {2 * time.Hour, "call Bob"},
		"1d ship the release":      {24 * time.Hour, "ship the release"},
		"90 minutes tea, then out": {90 * time.Minute, "tea, then out"},
	} {
		d, what, err := ParseWhen(in)
		if err != nil || d != want.d || what != want.what {
			t.Errorf("ParseWhen(%q) = %v, %q, %v", in, d, what, err)
		}
	}
	for _, in := range []string{"", "in", "soon tea", "10 fortnights tea", "10m", "0m tea", "31d tea", "-5m tea"} {
		if _, _, err := ParseWhen(in); err == nil {
			t.Errorf("ParseWhen(%q) accepted", in)
		}
	}
}
