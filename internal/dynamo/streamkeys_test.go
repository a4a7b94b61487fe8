package dynamo

import (
	"math"
	"testing"
)

// TestEventSourceKeys ties the stream filter rules to the real key
// builders: every item kind the store writes is either one of the four
// event sources or filtered out.
func TestEventSourceKeys(t *testing.T) {
	for _, tc := range []struct {
		item, pk, sk, want string
	}{
		{"first message", msgPK("r1"), seqSK(0), "message"},
		{"a message", msgPK("r1"), seqSK(42), "message"},
		{"last possible message", msgPK("r1"), seqSK(math.MaxInt64), "message"},
		{"message idempotency item", msgPK("r1"), clientSK("u1", "c1"), ""},
		{"room", roomPK("r1"), skMeta, "room"},
		{"room message counter", roomPK("r1"), skRoomSeq, ""},
		{"member", roomPK("r1"), memberSK("u1"), "member"},
		{"profile", userPK("u1"), skProfile, "profile"},
		{"user-connection link", userPK("u1"), userConnSK("c1"), ""},
		{"left-room marker", userPK("u1"), leftSK("r1"), ""},
		{"connection", connPK("c1"), skMeta, ""},
		{"room-connection index", roomConnPK("r1", "c1"), "c1", ""},
		{"rate counter", ratePK("write#u1"), "1700000000000", ""},
		{"channel-name claim", chanNamePK("general"), skClaim, ""},
	} {
		if got := EventSourceKind(tc.pk, tc.sk); got != tc.want {
			t.Errorf("%s (%s / %s): kind %q, want %q", tc.item, tc.pk, tc.sk, got, tc.want)
		}
	}
}
