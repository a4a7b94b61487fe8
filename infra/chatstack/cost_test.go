package chatstack_test

import (
	"os"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/cost"
)

// TestIdleCost prices every resource that bills while nobody uses the chat
// (infra/cost/prices.json) and fails when the monthly total, storage aside,
// exceeds the budget (infra/cost/budget.json) in the configurations that
// deploy without extras; the full configuration (with the optional
// dashboard) is reported. A resource type missing from the price table
// fails the test in every configuration.
func TestIdleCost(t *testing.T) {
	prices, err := cost.LoadPrices()
	if err != nil {
		t.Fatal(err)
	}
	budget, err := cost.Budget()
	if err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []string{cfgDefault, cfgGoogle, cfgFull} {
		r := cost.Estimate(synth(t, cfg).tmpl, prices)
		r.Print(os.Stdout, cfg+" configuration", budget)
		for _, typ := range r.Unpriced {
			t.Errorf("%s: resource type %s is not in infra/cost/prices.json (billed, free or storageOnly)", cfg, typ)
		}
		if cfg != cfgFull && r.TotalUSD > budget {
			t.Errorf("%s: idle cost %.2f USD a month is over the budget of %.2f", cfg, r.TotalUSD, budget)
		}
	}
}
