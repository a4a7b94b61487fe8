package service

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash/fnv"
	"slices"
	"strings"
)

// Room id prefixes: channels are random, direct rooms derived from members.
const (
	channelIDPrefix = "c_"
	directIDPrefix  = "d_"
)

// newChannelID returns "c_" and 16 random bytes, URL-safe.
func newChannelID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return channelIDPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// directRoomID derives the id of the direct room of exactly these members,
// so the same pair or group always finds the same conversation.
func directRoomID(memberIDs []string) string {
	ids := slices.Clone(memberIDs)
	slices.Sort(ids)
	sum := sha256.Sum256([]byte(strings.Join(ids, "\n")))
	return directIDPrefix + hex.EncodeToString(sum[:])[:24]
}

// avatarPalette holds pleasant, readable-on-white avatar colours.
var avatarPalette = []string{
	"#e57373", "#f06292", "#ba68c8", "#7986cb", "#4fc3f7",
	"#4db6ac", "#81c784", "#ffb74d", "#a1887f", "#90a4ae",
}

// avatarColor picks a colour from the user id, the same one every time.
func avatarColor(userID string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(userID))
	return avatarPalette[h.Sum32()%uint32(len(avatarPalette))]
}
