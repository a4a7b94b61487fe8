package dynamo

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Key prefixes and fixed sort keys. Every item's pk starts with its entity
// prefix, so one table holds all entities without collisions.
const (
	prefixConn     = "CONN#"
	prefixUser     = "USER#"
	prefixRoomConn = "ROOMCONN#"
	prefixRoom     = "ROOM#"
	prefixMember   = "MEMBER#"
	prefixMsg      = "MSG#"
	prefixClient   = "CLIENT#"
	prefixRate     = "RATE#"
	prefixChanName = "CHANNAME#"
	prefixUName    = "UNAME#"
	prefixBan      = "BAN#"
	prefixInvite   = "INVITE#"
	prefixReport   = "REPORT#"
	prefixAudit    = "AUDIT#"
	prefixHandle   = "HANDLE#"
	prefixUWord    = "UWORD#"

	skMeta    = "META"
	skProfile = "PROFILE"
	// skRoomSeq keys a room's message counter, kept apart from the room's
	// META item: META is in gsi1 (public rooms, ALL projection), and a
	// counter there would write the index, all under one PUBLIC partition,
	// on every message. It begins with META so one Query reads both.
	skRoomSeq = "META#SEQ"
	skClaim   = "CLAIM"

	gsiUsers   = "USERS"   // gsi1pk of every profile: ListProfiles
	gsiErased  = "ERASED"  // gsi1pk of every tombstone profile: PartialErasures (erasuremark.go)
	gsiPublic  = "PUBLIC"  // gsi1pk of public rooms only: ListPublicRooms
	gsiReports = "REPORTS" // gsi1pk of open reports only: ListOpenReports
	gsiAudit   = "AUDIT"   // gsi1pk of audit entries: ListAudit
)

func connPK(connID string) string     { return prefixConn + connID }
func userPK(userID string) string     { return prefixUser + userID }
func userConnSK(connID string) string { return prefixConn + connID }

// RoomConnShards is how many partitions a room's connection index is
// spread over: ROOMCONN#<roomId> (shard 0, the key of the unsharded index
// before it, so its items stay readable) and ROOMCONN#<roomId>#1 … #3. A
// connection's shard is a hash of its id. The fan-out reads the four
// concurrently (one round trip); a 10,000-connection room reads about
// 37 RCU per partition per message instead of 150 on one, and a reconnect
// storm writes four partitions. docs/FANOUT.md has the arithmetic.
const RoomConnShards = 4

// roomConnShard is the shard of connection connID: FNV-1a mod RoomConnShards.
func roomConnShard(connID string) int {
	h := uint32(2166136261)
	for i := 0; i < len(connID); i++ {
		h ^= uint32(connID[i])
		h *= 16777619
	}
	return int(h % RoomConnShards)
}

// roomConnShardPK is the partition key of one shard of a room's index.
func roomConnShardPK(roomID string, shard int) string {
	if shard == 0 {
		return prefixRoomConn + roomID
	}
	return prefixRoomConn + roomID + "#" + strconv.Itoa(shard)
}

// roomConnPK is the partition holding connection connID of a room.
func roomConnPK(roomID, connID string) string {
	return roomConnShardPK(roomID, roomConnShard(connID))
}
func roomPK(roomID string) string            { return prefixRoom + roomID }
func memberSK(userID string) string          { return prefixMember + userID }
func memberGSIPK(userID string) string       { return prefixMember + userID }
func msgPK(roomID string) string             { return prefixMsg + roomID }
func ratePK(key string) string               { return prefixRate + key }
func publicRoomGSISK(name, id string) string { return strings.ToLower(name) + "#" + id }

// chanNamePK keys the claim on a channel name: lowercased, so names are
// unique case-insensitively.
func chanNamePK(name string) string { return prefixChanName + strings.ToLower(name) }

// unamePK keys the name-index partition of one name key (chat.NameKey).
func unamePK(key string) string { return prefixUName + key }

// wordIndexPK keys the people-search partition of a folded name word
// (search.NameWords): UWORD#<its first character>, so the words are spread
// over a partition per letter and a prefix is one begins_with range of
// one partition. wordIndexSK is <word>#<userId> (words have no '#').
func wordIndexPK(word string) string {
	_, n := utf8.DecodeRuneInString(word)
	return prefixUWord + word[:n]
}

func wordIndexSK(word, userID string) string { return word + "#" + userID }

// handlePK keys the claim on a person's handle (already normalised).
func handlePK(h string) string { return prefixHandle + h }

// clientSK keys the idempotency item of one (sender, clientId) pair. It
// starts with a letter, so it sorts after every message sort key (digits)
// and never shows up in the history ranges.
func clientSK(senderID, clientID string) string {
	return prefixClient + senderID + "#" + clientID
}

// seqWidth digits hold any non-negative int64, so lexical order of message
// sort keys is numeric order.
const seqWidth = 20

// seqSK is the sort key of message seq: zero-padded to seqWidth digits.
func seqSK(seq int64) string {
	if seq < 0 {
		seq = 0
	}
	return fmt.Sprintf("%0*d", seqWidth, seq)
}

// Bounds of the message range of a MSG# partition.
var (
	seqSKMin = seqSK(0)
	seqSKMax = seqSK(math.MaxInt64)
)
