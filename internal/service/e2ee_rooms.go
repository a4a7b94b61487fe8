package service

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// End-to-end encrypted rooms (issue #19, docs/E2EE.md): which rooms are
// encrypted, what their messages may hold, and what is switched off in
// them. The room keys are in e2ee_roomkeys.go, rotation in e2ee_rotate.go.

// encryptedFileName and encryptedFileType are what an encrypted room's
// files are stored as: the real name and type are inside the ciphertext.
const (
	encryptedFileName = "encrypted.bin"
	encryptedFileType = "application/octet-stream"
)

// maxEncryptedCT is the longest ciphertext (base64url characters) of a
// message: the plaintext JSON of a message of protocol.MaxTextBytes with
// its escaping doubled, plus a file key per attachment, plus the tag.
var maxEncryptedCT = base64.RawURLEncoding.EncodedLen(2*protocol.MaxTextBytes + maxAttachments*1024 + 1024 + 16)

// e2eeMaxMembers is the configured member cap of encrypted private
// channels.
func (s *Chat) e2eeMaxMembers() int {
	if s.e2eeMax > 0 {
		return s.e2eeMax
	}
	return protocol.MaxEncryptedMembers
}

// encryptedDirectRoomID is the id of the encrypted direct conversation of
// memberIDs: a different room from the plain one of the same people.
func encryptedDirectRoomID(memberIDs []string) string {
	ids := slices.Clone(memberIDs)
	slices.Sort(ids)
	sum := sha256.Sum256([]byte("e2ee\n" + strings.Join(ids, "\n")))
	return directIDPrefix + hex.EncodeToString(sum[:])[:24]
}

// checkEncryptedContent checks the shape of a ciphertext (nil is fine: the
// room decides whether it needs one).
func checkEncryptedContent(e *chat.EncryptedContent) error {
	if e == nil {
		return nil
	}
	if e.V != 1 {
		return chat.Errorf(chat.Invalid, "encrypted.v must be 1")
	}
	if e.Epoch < 1 {
		return chat.Errorf(chat.Invalid, "encrypted.epoch must be at least 1")
	}
	if !chat.ValidDeviceID(e.Device) {
		return chat.Errorf(chat.Invalid, "encrypted.device must be a device id (dev_ and 26 of a-z, 2-7)")
	}
	if len(e.IV) != 16 || !isB64(e.IV) {
		return chat.Errorf(chat.Invalid, "encrypted.iv must be 12 bytes, base64url without padding (16 characters)")
	}
	if e.CT == "" || !isB64(e.CT) {
		return chat.Errorf(chat.Invalid, "encrypted.ct must be base64url without padding")
	}
	if len(e.CT) > maxEncryptedCT {
		return chat.Errorf(chat.TooLarge, "encrypted message is too long: the limit is %d characters of ciphertext", maxEncryptedCT)
	}
	// AES-GCM's output holds at least its 16-byte tag.
	if n, err := base64.RawURLEncoding.DecodeString(e.CT); err != nil || len(n) < 17 {
		return chat.Errorf(chat.Invalid, "encrypted.ct is too short to be AES-GCM output")
	}
	return nil
}

// isB64 says whether s is base64url without padding.
func isB64(s string) bool {
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// checkEncryptedSend checks a send's or an edit's content against its
// room: an encrypted room takes ciphertext of its current epoch and no
// text or GIF; a plain room no ciphertext.
func checkEncryptedSend(room chat.Room, text string, gif *chat.Gif, enc *chat.EncryptedContent) error {
	if !room.Encrypted {
		if enc != nil {
			return chat.Errorf(chat.Invalid, "this conversation is not end-to-end encrypted: send text, not encrypted")
		}
		return nil
	}
	if enc == nil {
		return chat.Errorf(chat.Invalid, "this conversation is end-to-end encrypted: the message must be encrypted")
	}
	if text != "" {
		return chat.Errorf(chat.Invalid, "this conversation is end-to-end encrypted: text must be empty (it goes inside encrypted)")
	}
	if gif != nil {
		return chat.Errorf(chat.Invalid, "GIFs are not available in end-to-end encrypted conversations")
	}
	return checkEpoch(room, enc.Epoch)
}

// checkEpoch: a message must be encrypted with the room's current key,
// and not while the room waits for a new one.
func checkEpoch(room chat.Room, epoch int) error {
	switch {
	case room.RotateKey:
		return chat.Errorf(chat.StaleKey, "the room needs a new key (someone joined or left, or a device was removed): share epoch %d with shareRoomKeys and send again", room.KeyEpoch+1)
	case room.KeyEpoch == 0:
		return chat.Errorf(chat.StaleKey, "the room has no key yet: share epoch 1 with shareRoomKeys and send again")
	case epoch != room.KeyEpoch:
		return chat.Errorf(chat.StaleKey, "the message is encrypted with epoch %d but the room's key is epoch %d: fetch the room keys and send again", epoch, room.KeyEpoch)
	}
	return nil
}

// checkEncryptedAttachments: an encrypted room's files are ciphertext.
func checkEncryptedAttachments(atts []chat.Attachment) error {
	for _, a := range atts {
		if a.Type != encryptedFileType {
			return chat.Errorf(chat.Invalid, "files in an end-to-end encrypted conversation must be encrypted (type %s)", encryptedFileType)
		}
	}
	return nil
}

// encryptedUploadType is the type of an upload to an encrypted room.
func encryptedUploadType(typ string) (string, error) {
	if typ != encryptedFileType {
		return "", chat.Errorf(chat.Invalid, "files in an end-to-end encrypted conversation are uploaded encrypted, as %s", encryptedFileType)
	}
	return typ, nil
}

// explicitMentions keeps the user ids of an encrypted message's mentions
// that name the room's members (never the sender), each once.
func (s *Chat) explicitMentions(ctx context.Context, roomID, senderID string, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > maxMentionKeys {
		return nil, chat.Errorf(chat.Invalid, "too many mentions: the limit is %d", maxMentionKeys)
	}
	members, err := s.store.ListMembers(ctx, roomID)
	if err != nil {
		return nil, storeErr(err, "list members")
	}
	var out []string
	for _, id := range ids {
		if id == senderID || slices.Contains(out, id) {
			continue
		}
		if slices.ContainsFunc(members, func(m chat.Member) bool { return m.UserID == id }) {
			out = append(out, id)
		}
	}
	return out, nil
}

// errEncryptedOff refuses a feature an encrypted room switches off.
func errEncryptedOff(what string) error {
	return chat.Errorf(chat.Invalid, "%s not available in end-to-end encrypted conversations", what)
}

// encryptedMemberCap refuses a membership that would take an encrypted
// channel past its cap (count members after the change).
func (s *Chat) encryptedMemberCap(room chat.Room, count int) error {
	if room.Encrypted && room.Kind != chat.KindDirect && count > s.e2eeMaxMembers() {
		return chat.Errorf(chat.Invalid, "an end-to-end encrypted channel has at most %d members", s.e2eeMaxMembers())
	}
	return nil
}

// reportedPlaintext checks the text a reporter's client decrypted from an
// encrypted message (required: moderators cannot read the ciphertext).
func reportedPlaintext(raw string) (string, error) {
	text, err := messageText(strings.TrimSpace(raw))
	if err != nil {
		return "", err
	}
	if text == "" {
		return "", chat.Errorf(chat.Invalid, "plaintext is required to report a message of an end-to-end encrypted conversation: send the text as your app decrypted it")
	}
	return text, nil
}
