package dynamo

import (
	"context"

	gdynamo "github.com/guregu/dynamo/v2"
)

// scanPages runs a Scan one request at a time (opts.Wait before each, so a
// backfill keeps to its rate), decodes each page into []T and hands it to
// page, which also does the page's writes; after is called once a page is
// done (progress reports). It stops at the last page or the first error.
// The backfills share it: each Scans a different kind of item.
func scanPages[T any](ctx context.Context, opts BackfillOptions, what string, scan func() *gdynamo.Scan, page func([]T) error, after func()) error {
	pageSize := opts.PageSize
	if pageSize <= 0 {
		pageSize = 100
	}
	var lek gdynamo.PagingKey
	for {
		if err := opts.wait(ctx); err != nil {
			return err
		}
		q := scan().SearchLimit(pageSize).RequestLimit(1)
		if lek != nil {
			q = q.StartFrom(lek)
		}
		var items []T
		next, err := q.AllWithLastEvaluatedKey(ctx, &items)
		if err != nil {
			return internal(err, "scan "+what)
		}
		if err := page(items); err != nil {
			return err
		}
		if after != nil {
			after()
		}
		if next == nil {
			return nil
		}
		lek = next
	}
}

// wait is opts.Wait, or no wait.
func (o BackfillOptions) wait(ctx context.Context) error {
	if o.Wait == nil {
		return nil
	}
	return o.Wait(ctx)
}
