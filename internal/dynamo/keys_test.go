package dynamo

import (
	"errors"
	"math"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func TestSeqSortKeysSortNumerically(t *testing.T) {
	seqs := []int64{10, 9, 100, 1, math.MaxInt64, 0, 99}
	keys := make([]string, len(seqs))
	for i, s := range seqs {
		keys[i] = seqSK(s)
	}
	sort.Strings(keys)
	want := []string{seqSK(0), seqSK(1), seqSK(9), seqSK(10), seqSK(99), seqSK(100), seqSK(math.MaxInt64)}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("sorted keys = %v", keys)
		}
	}
	if len(seqSKMax) != seqWidth {
		t.Errorf("max key %q is not %d digits", seqSKMax, seqWidth)
	}
	// Idempotency items share the partition and must sort after every message.
	if c := clientSK("u", "c"); c <= seqSKMax {
		t.Errorf("client key %q sorts inside the message range", c)
	}
}

func TestCursorRoundTripAndRejectsGarbage(t *testing.T) {
	sk := "general#01HX"
	got, err := decodeCursor(encodeCursor(sk))
	if err != nil || got != sk {
		t.Errorf("round trip = %q, %v", got, err)
	}
	for _, bad := range []string{"%%%", encodeCursor("")} {
		if _, err := decodeCursor(bad); chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("decodeCursor(%q) = %v, want invalid", bad, err)
		}
	}
}

func TestPageSizeClamps(t *testing.T) {
	for in, want := range map[int]int{-1: defaultPageSize, 0: defaultPageSize, 7: 7, maxPageSize + 1: maxPageSize} {
		if got := pageSize(in); got != want {
			t.Errorf("pageSize(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestTransactionErrorsAreClassified(t *testing.T) {
	canceled := func(codes ...string) error {
		e := &types.TransactionCanceledException{}
		for _, c := range codes {
			e.CancellationReasons = append(e.CancellationReasons, types.CancellationReason{Code: aws.String(c)})
		}
		return e
	}
	cases := []struct {
		err          error
		conflict     bool
		condFailedAt int // -1: none
	}{
		{canceled("None", "TransactionConflict"), true, -1},
		{canceled("ConditionalCheckFailed", "TransactionConflict"), false, 0},
		{canceled("None", "ConditionalCheckFailed"), false, 1},
		{&types.TransactionConflictException{}, true, -1},
		{errors.New("boom"), false, -1},
	}
	for i, c := range cases {
		if got := isTxConflict(c.err); got != c.conflict {
			t.Errorf("case %d: isTxConflict = %v", i, got)
		}
		for j := range 2 {
			if got := txCondFailedAt(c.err, j); got != (j == c.condFailedAt) {
				t.Errorf("case %d: txCondFailedAt(%d) = %v", i, j, got)
			}
		}
	}
}

func TestNewRejectsMissingArguments(t *testing.T) {
	if _, err := New(nil, "t"); err == nil {
		t.Error("New(nil client) succeeded")
	}
}
