package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// CheckOptions say how strict the checks are.
type CheckOptions struct {
	// Sample is how many items of the restored table are compared with the
	// source's, attribute by attribute (spread evenly over the table).
	Sample int
	// Tolerance is the fraction by which a kind's count, and the share of
	// sampled items, may differ: 0 when nothing writes the source (a copy,
	// a quiet table); with PITR of a live table, items written since the
	// restore point legitimately differ (say 0.02).
	Tolerance float64
	// Settings the restored table must have (after ApplySettings).
	Settings Settings
	// PKAttr and SKAttr are the key attributes ("pk", "sk").
	PKAttr, SKAttr string
}

// Report is what the checks found; Problems empty means the drill passed.
type Report struct {
	SourceCounts, TargetCounts map[string]int
	SourceItems, TargetItems   int
	Sampled, SampleDiffers     int
	IndexLookups               int // sampled items found again through their GSI keys
	Problems                   []string
}

func (r *Report) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Print writes the report as a table of counts by kind, then the problems.
func (r *Report) Print(w io.Writer) {
	kinds := slices.Sorted(maps.Keys(r.SourceCounts))
	for k := range r.TargetCounts {
		if _, ok := r.SourceCounts[k]; !ok {
			kinds = append(kinds, k)
		}
	}
	fmt.Fprintf(w, "  %-28s %10s %10s\n", "kind (pk / sk)", "source", "restored")
	for _, k := range kinds {
		fmt.Fprintf(w, "  %-28s %10d %10d\n", k, r.SourceCounts[k], r.TargetCounts[k])
	}
	fmt.Fprintf(w, "  %-28s %10d %10d\n", "all items", r.SourceItems, r.TargetItems)
	fmt.Fprintf(w, "  sample: %d items compared, %d differ; %d found again through the GSIs\n", r.Sampled, r.SampleDiffers, r.IndexLookups)
	for _, p := range r.Problems {
		fmt.Fprintln(w, "  PROBLEM:", p)
	}
}

// Kind names an item by the shape of its keys, ids left out: each key's
// leading upper-case "WORD#" or "WORD" (META, PROFILE), "n" for a key that
// starts with a digit (a message's sequence number), "*" for anything else
// (an id, a word), joined by " / ". All messages thus count as "MSG# / n".
func Kind(pk, sk string) string { return keyShape(pk) + " / " + keyShape(sk) }

func keyShape(k string) string {
	if k == "" {
		return "-"
	}
	if unicode.IsDigit(rune(k[0])) {
		return "n"
	}
	head, _, hash := strings.Cut(k, "#")
	for _, c := range head {
		if (c < 'A' || c > 'Z') && c != '_' {
			return "*"
		}
	}
	if hash {
		return head + "#"
	}
	return head
}

// Check compares the restored table target with source: the table and its
// indexes ACTIVE with the source's key schemas and projections, the
// settings re-applied, the item counts by kind, a sample of items equal
// attribute by attribute and found again through the GSIs. The same code
// checks a PITR restore in AWS and a copy on DynamoDB Local.
func Check(ctx context.Context, db *dynamodb.Client, source, target string, o CheckOptions) (*Report, error) {
	r := &Report{}
	src, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(source)})
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", source, err)
	}
	dst, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(target)})
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", target, err)
	}
	checkSchema(r, src.Table, dst.Table)
	if err := checkSettings(ctx, db, r, dst.Table, o.Settings); err != nil {
		return nil, err
	}

	srcKeys, err := scanKeys(ctx, db, source, o.PKAttr, o.SKAttr, nil)
	if err != nil {
		return nil, err
	}
	dstKeys, err := scanKeys(ctx, db, target, o.PKAttr, o.SKAttr, dst.Table.GlobalSecondaryIndexes)
	if err != nil {
		return nil, err
	}
	r.SourceItems, r.TargetItems = len(srcKeys), len(dstKeys)
	r.SourceCounts, r.TargetCounts = countKinds(srcKeys), countKinds(dstKeys)
	for _, k := range slices.Sorted(maps.Keys(r.SourceCounts)) {
		if !within(r.SourceCounts[k], r.TargetCounts[k], o.Tolerance) {
			r.problem("%s: %d items in the source, %d restored", k, r.SourceCounts[k], r.TargetCounts[k])
		}
	}
	for k, n := range r.TargetCounts {
		if _, ok := r.SourceCounts[k]; !ok && !within(0, n, o.Tolerance) {
			r.problem("%s: %d items restored that the source does not have", k, n)
		}
	}
	if err := checkSample(ctx, db, r, source, target, dstKeys, dst.Table, o); err != nil {
		return nil, err
	}
	return r, nil
}

func within(want, got int, tolerance float64) bool {
	return math.Abs(float64(want-got)) <= tolerance*math.Max(float64(want), float64(got))
}

func checkSchema(r *Report, src, dst *types.TableDescription) {
	if dst.TableStatus != types.TableStatusActive {
		r.problem("restored table is %s, not ACTIVE", dst.TableStatus)
	}
	if a, b := keySchema(src.KeySchema), keySchema(dst.KeySchema); a != b {
		r.problem("key schema %s, the source's is %s", b, a)
	}
	restored := map[string]types.GlobalSecondaryIndexDescription{}
	for _, g := range dst.GlobalSecondaryIndexes {
		restored[aws.ToString(g.IndexName)] = g
	}
	for _, g := range src.GlobalSecondaryIndexes {
		name := aws.ToString(g.IndexName)
		d, ok := restored[name]
		switch {
		case !ok:
			r.problem("index %s missing", name)
		case keySchema(d.KeySchema) != keySchema(g.KeySchema):
			r.problem("index %s keys %s, the source's are %s", name, keySchema(d.KeySchema), keySchema(g.KeySchema))
		case projection(d.Projection) != projection(g.Projection):
			r.problem("index %s projects %s, the source's %s", name, projection(d.Projection), projection(g.Projection))
		case d.IndexStatus != types.IndexStatusActive:
			r.problem("index %s is %s, not ACTIVE", name, d.IndexStatus)
		}
	}
}

func keySchema(ks []types.KeySchemaElement) string {
	var parts []string
	for _, k := range ks {
		parts = append(parts, aws.ToString(k.AttributeName)+":"+string(k.KeyType))
	}
	return strings.Join(parts, ",")
}

func projection(p *types.Projection) string {
	if p == nil {
		return ""
	}
	attrs := slices.Clone(p.NonKeyAttributes)
	slices.Sort(attrs)
	return string(p.ProjectionType) + strings.Join(attrs, ",")
}

func checkSettings(ctx context.Context, db *dynamodb.Client, r *Report, t *types.TableDescription, s Settings) error {
	if s.StreamView != "" {
		if st := t.StreamSpecification; st == nil || !aws.ToBool(st.StreamEnabled) {
			r.problem("stream off (want %s)", s.StreamView)
		} else if st.StreamViewType != s.StreamView {
			r.problem("stream view %s, want %s", st.StreamViewType, s.StreamView)
		}
	}
	if s.TTLAttribute != "" {
		ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: t.TableName})
		if err != nil {
			return fmt.Errorf("describe TTL: %w", err)
		}
		d := ttl.TimeToLiveDescription
		switch {
		case d == nil || (d.TimeToLiveStatus != types.TimeToLiveStatusEnabled && d.TimeToLiveStatus != types.TimeToLiveStatusEnabling):
			r.problem("TTL off (want it on %s)", s.TTLAttribute)
		case aws.ToString(d.AttributeName) != s.TTLAttribute:
			r.problem("TTL on %s, want %s", aws.ToString(d.AttributeName), s.TTLAttribute)
		}
	}
	if s.PITR {
		cb, err := db.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: t.TableName})
		if err != nil {
			return fmt.Errorf("describe continuous backups: %w", err)
		}
		if d := cb.ContinuousBackupsDescription; d == nil || d.PointInTimeRecoveryDescription == nil ||
			d.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusEnabled {
			r.problem("point-in-time recovery off")
		}
	}
	if s.DeletionProtection && !aws.ToBool(t.DeletionProtectionEnabled) {
		r.problem("deletion protection off")
	}
	return nil
}

type itemKey struct {
	pk, sk  string
	indexes []string // the GSIs the item is in (it has their partition key)
}

// scanKeys reads every item's keys (a Scan projecting the keys only, and
// the partition keys of gsis to tell which indexes hold the item).
func scanKeys(ctx context.Context, db *dynamodb.Client, table, pkAttr, skAttr string, gsis []types.GlobalSecondaryIndexDescription) ([]itemKey, error) {
	var keys []itemKey
	names := map[string]string{"#p": pkAttr, "#s": skAttr}
	projection := "#p, #s"
	gsiPK := map[string]string{} // index name -> its partition key attribute
	for i, g := range gsis {
		for _, k := range g.KeySchema {
			if k.KeyType == types.KeyTypeHash {
				gsiPK[aws.ToString(g.IndexName)] = aws.ToString(k.AttributeName)
				names[fmt.Sprintf("#g%d", i)] = aws.ToString(k.AttributeName)
				projection += fmt.Sprintf(", #g%d", i)
			}
		}
	}
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{
		TableName:                aws.String(table),
		ProjectionExpression:     aws.String(projection),
		ExpressionAttributeNames: names,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", table, err)
		}
		for _, item := range page.Items {
			k := itemKey{pk: str(item[pkAttr]), sk: str(item[skAttr])}
			for index, attr := range gsiPK {
				if _, ok := item[attr]; ok {
					k.indexes = append(k.indexes, index)
				}
			}
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b itemKey) int {
		if c := strings.Compare(a.pk, b.pk); c != 0 {
			return c
		}
		return strings.Compare(a.sk, b.sk)
	})
	return keys, nil
}

func str(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

func countKinds(keys []itemKey) map[string]int {
	out := map[string]int{}
	for _, k := range keys {
		out[Kind(k.pk, k.sk)]++
	}
	return out
}

// checkSample compares o.Sample items spread evenly over the restored
// table with the source's (strongly consistent reads) and finds each again
// through every GSI whose keys it has.
func checkSample(ctx context.Context, db *dynamodb.Client, r *Report, source, target string, keys []itemKey, dst *types.TableDescription, o CheckOptions) error {
	n := min(o.Sample, len(keys))
	for i := range n {
		k := keys[i*len(keys)/n]
		key := map[string]types.AttributeValue{
			o.PKAttr: &types.AttributeValueMemberS{Value: k.pk},
			o.SKAttr: &types.AttributeValueMemberS{Value: k.sk},
		}
		a, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(source), Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			return fmt.Errorf("get from %s: %w", source, err)
		}
		b, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(target), Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			return fmt.Errorf("get from %s: %w", target, err)
		}
		r.Sampled++
		if !itemsEqual(a.Item, b.Item) {
			r.SampleDiffers++
			if o.Tolerance == 0 {
				r.problem("item %s / %s differs from the source's", k.pk, k.sk)
			}
		}
		for _, g := range dst.GlobalSecondaryIndexes {
			found, ok, err := findThroughIndex(ctx, db, target, g, b.Item, key)
			if err != nil {
				return err
			}
			if !ok {
				continue // the item is not in this sparse index
			}
			if found {
				r.IndexLookups++
			} else {
				r.problem("item %s / %s not found through index %s", k.pk, k.sk, aws.ToString(g.IndexName))
			}
		}
	}
	// Items in an index are few in a sample of the table: sample each
	// index's items on their own (a tenth of -sample, at least 10).
	for _, g := range dst.GlobalSecondaryIndexes {
		name := aws.ToString(g.IndexName)
		var in []itemKey
		for _, k := range keys {
			if slices.Contains(k.indexes, name) {
				in = append(in, k)
			}
		}
		n := min(max(10, o.Sample/10), len(in))
		for i := range n {
			k := in[i*len(in)/n]
			key := map[string]types.AttributeValue{
				o.PKAttr: &types.AttributeValueMemberS{Value: k.pk},
				o.SKAttr: &types.AttributeValueMemberS{Value: k.sk},
			}
			b, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(target), Key: key, ConsistentRead: aws.Bool(true)})
			if err != nil {
				return fmt.Errorf("get from %s: %w", target, err)
			}
			found, ok, err := findThroughIndex(ctx, db, target, g, b.Item, key)
			if err != nil {
				return err
			}
			if ok && found {
				r.IndexLookups++
			} else if ok {
				r.problem("item %s / %s not found through index %s", k.pk, k.sk, name)
			}
		}
	}
	if o.Tolerance > 0 && !within(r.Sampled, r.Sampled-r.SampleDiffers, o.Tolerance) {
		r.problem("%d of %d sampled items differ from the source's (tolerance %.0f%%)", r.SampleDiffers, r.Sampled, 100*o.Tolerance)
	}
	return nil
}

// findThroughIndex queries index g for item's index keys and reports
// whether item (by its table key) came back; ok is false when the item
// lacks the index's keys (sparse index).
func findThroughIndex(ctx context.Context, db *dynamodb.Client, table string, g types.GlobalSecondaryIndexDescription, item, key map[string]types.AttributeValue) (found, ok bool, err error) {
	names := map[string]string{}
	values := map[string]types.AttributeValue{}
	var cond []string
	for i, ks := range g.KeySchema {
		attr := aws.ToString(ks.AttributeName)
		v, has := item[attr]
		if !has {
			return false, false, nil
		}
		names[fmt.Sprintf("#k%d", i)] = attr
		values[fmt.Sprintf(":v%d", i)] = v
		cond = append(cond, fmt.Sprintf("#k%d = :v%d", i, i))
	}
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName: aws.String(table), IndexName: g.IndexName,
		KeyConditionExpression:    aws.String(strings.Join(cond, " AND ")),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return false, true, fmt.Errorf("query %s: %w", aws.ToString(g.IndexName), err)
		}
		for _, it := range page.Items {
			match := true
			for attr, v := range key {
				if !avEqual(it[attr], v) {
					match = false
				}
			}
			if match {
				return true, true, nil
			}
		}
	}
	return false, true, nil
}

func itemsEqual(a, b map[string]types.AttributeValue) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !avEqual(v, b[k]) {
			return false
		}
	}
	return true
}

// avEqual compares attribute values; sets compare as sets (DynamoDB does
// not keep their order).
func avEqual(a, b types.AttributeValue) bool {
	switch x := a.(type) {
	case *types.AttributeValueMemberS:
		y, ok := b.(*types.AttributeValueMemberS)
		return ok && x.Value == y.Value
	case *types.AttributeValueMemberN:
		y, ok := b.(*types.AttributeValueMemberN)
		return ok && x.Value == y.Value
	case *types.AttributeValueMemberB:
		y, ok := b.(*types.AttributeValueMemberB)
		return ok && bytes.Equal(x.Value, y.Value)
	case *types.AttributeValueMemberBOOL:
		y, ok := b.(*types.AttributeValueMemberBOOL)
		return ok && x.Value == y.Value
	case *types.AttributeValueMemberNULL:
		y, ok := b.(*types.AttributeValueMemberNULL)
		return ok && x.Value == y.Value
	case *types.AttributeValueMemberSS:
		y, ok := b.(*types.AttributeValueMemberSS)
		return ok && sameSet(x.Value, y.Value)
	case *types.AttributeValueMemberNS:
		y, ok := b.(*types.AttributeValueMemberNS)
		return ok && sameSet(x.Value, y.Value)
	case *types.AttributeValueMemberBS:
		y, ok := b.(*types.AttributeValueMemberBS)
		if !ok {
			return false
		}
		var xs, ys []string
		for _, v := range x.Value {
			xs = append(xs, string(v))
		}
		for _, v := range y.Value {
			ys = append(ys, string(v))
		}
		return sameSet(xs, ys)
	case *types.AttributeValueMemberL:
		y, ok := b.(*types.AttributeValueMemberL)
		if !ok || len(x.Value) != len(y.Value) {
			return false
		}
		for i := range x.Value {
			if !avEqual(x.Value[i], y.Value[i]) {
				return false
			}
		}
		return true
	case *types.AttributeValueMemberM:
		y, ok := b.(*types.AttributeValueMemberM)
		return ok && itemsEqual(x.Value, y.Value)
	case nil:
		return b == nil
	}
	return false
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
