// Package cost prices what a synthesized CloudFormation template costs a
// month while nobody uses the chat (the idle cost), storage aside, from the
// price table in prices.json, and holds the budget it must stay within
// (budget.json). The CDK app's tests run it over every configuration they
// synthesize; README.md states the result.
package cost

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

//go:embed prices.json
var pricesJSON []byte

//go:embed budget.json
var budgetJSON []byte

// Price is one row of the price table.
type Price struct {
	USD    float64 `json:"usd"`
	Per    string  `json:"per"`
	Source string  `json:"source"`
}

// Prices is prices.json.
type Prices struct {
	Billed      map[string]Price  `json:"billed"`
	Provisioned map[string]Price  `json:"provisioned"`
	Free        map[string]string `json:"free"`
	StorageOnly map[string]string `json:"storageOnly"`
}

// LoadPrices reads the price table kept in the repository.
func LoadPrices() (Prices, error) {
	var p Prices
	if err := json.Unmarshal(pricesJSON, &p); err != nil {
		return p, fmt.Errorf("cost: prices.json: %w", err)
	}
	return p, nil
}

// Budget is the monthly idle budget in USD (budget.json).
func Budget() (float64, error) {
	var b struct {
		MonthlyUSD float64 `json:"monthlyUSD"`
	}
	if err := json.Unmarshal(budgetJSON, &b); err != nil {
		return 0, fmt.Errorf("cost: budget.json: %w", err)
	}
	return b.MonthlyUSD, nil
}

// Line is one billed resource of a template.
type Line struct {
	ID       string
	Type     string
	Quantity float64 // alarm metrics, capacity units, GB…
	Unit     string
	USD      float64
}

// Report is a template's idle cost.
type Report struct {
	Lines    []Line   // resources that bill while idle, most expensive first
	Storage  []string // resources billed for what they store (not counted)
	Unpriced []string // resource types in none of the table's lists: an error
	TotalUSD float64
}

// Estimate prices template (a CloudFormation template as JSON).
func Estimate(template map[string]any, p Prices) Report {
	var r Report
	resources, _ := template["Resources"].(map[string]any)
	ids := make([]string, 0, len(resources))
	for id := range resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	unpriced := map[string]bool{}
	for _, id := range ids {
		res, _ := resources[id].(map[string]any)
		typ, _ := res["Type"].(string)
		props, _ := res["Properties"].(map[string]any)
		add := func(qty float64, unit string, usd float64) {
			if qty > 0 && usd > 0 {
				r.Lines = append(r.Lines, Line{ID: id, Type: typ, Quantity: qty, Unit: unit, USD: qty * usd})
			}
		}
		switch typ {
		case "AWS::CloudWatch::Alarm":
			n, highRes := alarmMetrics(props)
			price := p.Billed[typ].USD
			if highRes {
				price *= 3
			}
			add(n, "alarm metrics", price)
			continue
		case "AWS::DynamoDB::Table":
			rcu, wcu := provisionedCapacity(props)
			add(rcu, "provisioned RCU", p.Provisioned["dynamodbRCU"].USD)
			add(wcu, "provisioned WCU", p.Provisioned["dynamodbWCU"].USD)
			r.Storage = append(r.Storage, id+" ("+typ+")")
			continue
		case "AWS::Lambda::EventSourceMapping":
			// Polling an empty SQS queue is billed (stream polling is not).
			if isSQS(resources, props["EventSourceArn"]) {
				add(1, "SQS mapping polling an empty queue", p.Provisioned["lambdaSQSPolling"].USD)
			}
			continue
		case "AWS::Lambda::Version", "AWS::Lambda::Alias":
			// Versions and aliases are free; provisioned concurrency on one is
			// not (its memory is the function's: counted at 1 GB per unit, an
			// upper bound for this stack's functions).
			if pc := number(get(props, "ProvisionedConcurrencyConfig", "ProvisionedConcurrentExecutions")); pc > 0 {
				add(pc, "GB of provisioned concurrency (upper bound)", p.Provisioned["lambdaProvisionedGBMonth"].USD)
			}
			continue
		}
		if price, ok := p.Billed[typ]; ok {
			add(1, price.Per, price.USD)
			if price.USD == 0 {
				r.Storage = append(r.Storage, id+" ("+typ+")")
			}
			continue
		}
		if _, ok := p.StorageOnly[typ]; ok {
			r.Storage = append(r.Storage, id+" ("+typ+")")
			continue
		}
		if _, ok := p.Free[typ]; ok {
			continue
		}
		unpriced[typ] = true
	}
	for typ := range unpriced {
		r.Unpriced = append(r.Unpriced, typ)
	}
	sort.Strings(r.Unpriced)
	sort.SliceStable(r.Lines, func(i, j int) bool { return r.Lines[i].USD > r.Lines[j].USD })
	for _, l := range r.Lines {
		r.TotalUSD += l.USD
	}
	return r
}

// isSQS reports whether an event source ARN names an SQS queue: a literal
// ARN, or a reference to a queue of the template.
func isSQS(resources map[string]any, arn any) bool {
	switch v := arn.(type) {
	case string:
		return strings.HasPrefix(v, "arn:") && strings.Contains(v, ":sqs:")
	case map[string]any:
		if ga, ok := v["Fn::GetAtt"].([]any); ok && len(ga) > 0 {
			id, _ := ga[0].(string)
			typ, _ := get(resources[id], "Type").(string)
			return typ == "AWS::SQS::Queue"
		}
		raw, _ := json.Marshal(v)
		return strings.Contains(string(raw), ":sqs:")
	}
	return false
}

// alarmMetrics counts the metrics an alarm bills: one for a single-metric
// alarm, one per metric (not per expression) of a metric-math alarm.
func alarmMetrics(props map[string]any) (n float64, highRes bool) {
	if props["MetricName"] != nil {
		return 1, number(props["Period"]) > 0 && number(props["Period"]) < 60
	}
	metrics, _ := props["Metrics"].([]any)
	for _, m := range metrics {
		if stat := get(m, "MetricStat"); stat != nil {
			n++
			if p := number(get(stat, "Period")); p > 0 && p < 60 {
				highRes = true
			}
		}
	}
	return n, highRes
}

// provisionedCapacity sums a table's provisioned read and write units
// (table and global secondary indexes); on-demand tables have none.
func provisionedCapacity(props map[string]any) (rcu, wcu float64) {
	if mode, _ := props["BillingMode"].(string); mode == "PAY_PER_REQUEST" {
		return 0, 0
	}
	rcu = number(get(props, "ProvisionedThroughput", "ReadCapacityUnits"))
	wcu = number(get(props, "ProvisionedThroughput", "WriteCapacityUnits"))
	gsis, _ := props["GlobalSecondaryIndexes"].([]any)
	for _, g := range gsis {
		rcu += number(get(g, "ProvisionedThroughput", "ReadCapacityUnits"))
		wcu += number(get(g, "ProvisionedThroughput", "WriteCapacityUnits"))
	}
	return rcu, wcu
}

// Print writes the report as a table.
func (r Report) Print(w io.Writer, title string, budget float64) {
	fmt.Fprintf(w, "idle cost of %s: %.2f USD a month, storage aside (budget %.2f)\n", title, r.TotalUSD, budget)
	byType := map[string]float64{}
	count := map[string]float64{}
	unit := map[string]string{}
	for _, l := range r.Lines {
		byType[l.Type] += l.USD
		count[l.Type] += l.Quantity
		unit[l.Type] = l.Unit
	}
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool { return byType[types[i]] > byType[types[j]] })
	for _, t := range types {
		fmt.Fprintf(w, "  %-36s %5s %-28s %6.2f USD\n", t, strconv.FormatFloat(count[t], 'f', -1, 64), unit[t], byType[t])
	}
	if len(r.Storage) > 0 {
		fmt.Fprintf(w, "  + storage only (not counted): %d resources (tables, buckets, log groups, archives)\n", len(r.Storage))
	}
}

func get(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func number(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case string:
		f, _ := strconv.ParseFloat(x, 64)
		return f
	}
	return 0
}
