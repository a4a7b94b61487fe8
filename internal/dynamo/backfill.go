package dynamo

import (
	"context"

	gdynamo "github.com/guregu/dynamo/v2"
)

// BackfillOptions tunes BackfillNameIndex.
type BackfillOptions struct {
	// DryRun counts what would be written and writes nothing.
	DryRun bool
	// PageSize is how many items one Scan request evaluates (100 when 0).
	PageSize int
	// Wait is called before every request (each Scan page, each index
	// read, each write), so a caller bounds the rate; nil does not wait.
	Wait func(ctx context.Context) error
	// Progress, when set, is called after every Scan page.
	Progress func(BackfillStats)
}

// BackfillStats counts what a backfill saw and did.
type BackfillStats struct {
	Pages    int // Scan pages read
	Profiles int // profile items found
	Indexed  int // profiles whose name-index items were all there already
	Written  int // profiles given their missing items (or that would be, in a dry run)
	Items    int // name-index items written (or that would be)
	Changed  int // profiles renamed meanwhile: the rename wrote their items
}

// BackfillNameIndex gives every profile its name-index items (UNAME#…, see
// nameIndexItems), for users created before the index existed: a paged
// Scan of the profile items, and for each profile whose items are not all
// there, one transaction that puts the missing ones, conditioned on the
// profile still having the names they were made from (a rename meanwhile
// wrote the right ones; the old name's would be stale). Running it again
// writes nothing: it is idempotent, and safe beside live traffic.
func (s *Store) BackfillNameIndex(ctx context.Context, opts BackfillOptions) (BackfillStats, error) {
	ctx = withOp(ctx, "BackfillNameIndex")
	var st BackfillStats
	err := scanPages(ctx, opts, "profiles",
		func() *gdynamo.Scan {
			return s.table.Scan().
				Filter("$ = ? AND begins_with($, ?)", AttrSK, skProfile, AttrPK, prefixUser).
				Project(AttrPK, AttrSK, "userId", "username", "displayName", "handle")
		},
		func(items []profileItem) error {
			st.Pages++
			for _, it := range items {
				if err := s.backfillProfile(ctx, it, opts.DryRun, opts.wait, &st); err != nil {
					return err
				}
			}
			return nil
		},
		func() {
			if opts.Progress != nil {
				opts.Progress(st)
			}
		})
	return st, err
}

func (s *Store) backfillProfile(ctx context.Context, it profileItem, dryRun bool, wait func(context.Context) error, st *BackfillStats) error {
	st.Profiles++
	want := nameIndexItems(it.profile())
	if len(want) == 0 {
		st.Indexed++
		return nil
	}
	keys := make([]gdynamo.Keyed, len(want))
	for i, w := range want {
		keys[i] = gdynamo.Keys{w.PK, w.SK}
	}
	if err := wait(ctx); err != nil {
		return err
	}
	var have []nameIndexItem
	if err := s.table.Batch(AttrPK, AttrSK).Get(keys...).Consistent(true).All(ctx, &have); err != nil && !isNotFound(err) {
		return internal(err, "read name index")
	}
	there := map[string]bool{}
	for _, h := range have {
		if h.Username == it.Username && h.DisplayName == it.DisplayName {
			there[h.key()] = true
		}
	}
	var missing []nameIndexItem
	for _, w := range want {
		if !there[w.key()] {
			missing = append(missing, w)
		}
	}
	if len(missing) == 0 {
		st.Indexed++
		return nil
	}
	if dryRun {
		st.Written++
		st.Items += len(missing)
		return nil
	}
	if err := wait(ctx); err != nil {
		return err
	}
	check := s.table.Check(AttrPK, it.PK).Range(AttrSK, skProfile)
	if it.DisplayName == "" {
		check.If("attribute_exists($) AND attribute_not_exists($)", AttrPK, "displayName")
	} else {
		check.If("attribute_exists($) AND $ = ?", AttrPK, "displayName", it.DisplayName)
	}
	tx := s.db.WriteTx().Check(check)
	for _, m := range missing {
		tx.Put(s.table.Put(m))
	}
	err := retryConflicts(ctx, func() error { return tx.Run(ctx) })
	switch {
	case err == nil:
		st.Written++
		st.Items += len(missing)
	case txCondFailedAt(err, 0):
		st.Changed++
	default:
		return internal(err, "write name index")
	}
	return nil
}
