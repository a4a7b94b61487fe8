package service

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Request-size limits of this service besides those in protocol.
const (
	maxIDLen          = 128 // room and user ids
	maxInvitees       = 50  // users per inviteToChannel
	maxResumeRooms    = 50
	maxHistoryLimit   = 100
	maxAttachments    = 10
	maxAttachmentName = 255
	maxKeyLen         = 1024 // S3 keys
)

var (
	clientIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	idPattern       = regexp.MustCompile(`^[A-Za-z0-9._:@-]+$`)
	colorPattern    = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// checkRoomID rejects missing or malformed room ids before any store call.
func checkRoomID(id string) error {
	if id == "" {
		return chat.Errorf(chat.Invalid, "roomId is required")
	}
	if len(id) > maxIDLen || !idPattern.MatchString(id) {
		return chat.Errorf(chat.Invalid, "roomId is malformed")
	}
	return nil
}

func checkUserID(id string) error {
	if id == "" {
		return chat.Errorf(chat.Invalid, "user id is required")
	}
	if len(id) > maxIDLen || !idPattern.MatchString(id) {
		return chat.Errorf(chat.Invalid, "user id is malformed")
	}
	return nil
}

// uniqueUserIDs validates ids and drops duplicates and the caller, keeping
// the first-seen order.
func uniqueUserIDs(ids []string, caller string) ([]string, error) {
	seen := map[string]bool{caller: true}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if err := checkUserID(id); err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// channelName normalizes a channel name Slack-style: trimmed, lowercased,
// 1..MaxNameRunes of letters, digits, '-' and '_'.
func channelName(raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", chat.Errorf(chat.Invalid, "channel name must be valid UTF-8")
	}
	// NFKC first: fullwidth and other compatibility forms fold to the
	// plain letters, so "ｇｅｎｅｒａｌ" cannot pose as "general".
	name := strings.ToLower(strings.TrimSpace(norm.NFKC.String(raw)))
	n := utf8.RuneCountInString(name)
	if n == 0 {
		return "", chat.Errorf(chat.Invalid, "channel name is required")
	}
	if n > protocol.MaxNameRunes {
		return "", chat.Errorf(chat.Invalid, "channel name is too long: the limit is %d characters", protocol.MaxNameRunes)
	}
	for _, r := range name {
		ok := r == '-' || r == '_' || unicode.IsDigit(r) || (unicode.IsLetter(r) && !unicode.IsUpper(r))
		if !ok {
			return "", chat.Errorf(chat.Invalid, "channel names may contain only lowercase letters, digits, '-' and '_' (no spaces or punctuation)")
		}
	}
	return name, nil
}

func channelTopic(raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", chat.Errorf(chat.Invalid, "topic must be valid UTF-8")
	}
	topic := strings.TrimSpace(raw)
	if utf8.RuneCountInString(topic) > protocol.MaxTopicRunes {
		return "", chat.Errorf(chat.Invalid, "topic is too long: the limit is %d characters", protocol.MaxTopicRunes)
	}
	if hasControl(topic) {
		return "", chat.Errorf(chat.Invalid, "topic must not contain control characters")
	}
	return topic, nil
}

func displayName(raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", chat.Errorf(chat.Invalid, "display name must be valid UTF-8")
	}
	if hasHidden(raw) {
		return "", chat.Errorf(chat.Invalid, "display name must not contain control, invisible (zero-width, bidi override) or private-use characters")
	}
	name := strings.TrimSpace(norm.NFKC.String(raw))
	n := utf8.RuneCountInString(name)
	if n == 0 {
		return "", chat.Errorf(chat.Invalid, "display name is required")
	}
	if n > protocol.MaxNameRunes {
		return "", chat.Errorf(chat.Invalid, "display name is too long: the limit is %d characters", protocol.MaxNameRunes)
	}
	return name, nil
}

// validDisplayName is displayName for names other people choose (an
// invitee's name in the admin console): the same rules.
func validDisplayName(raw string) (string, error) { return displayName(raw) }

// hasHidden reports control (Cc), format (Cf: zero-width spaces and
// joiners, bidi overrides and isolates, soft hyphens) and private-use (Co)
// characters: they make one name look like another or reorder the text
// around it.
func hasHidden(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co) || (r >= 0xF0000) // planes 15-16 are private use
	}) >= 0
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// messageText validates and normalizes a message text: valid UTF-8,
// trailing whitespace trimmed (leading kept, for indented code), at most
// MaxTextBytes. Emptiness is the caller's rule (attachments may stand in).
func messageText(raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", chat.Errorf(chat.Invalid, "message text must be valid UTF-8")
	}
	text := strings.TrimRightFunc(raw, unicode.IsSpace)
	if strings.TrimSpace(text) == "" {
		text = ""
	}
	if len(text) > protocol.MaxTextBytes {
		return "", chat.Errorf(chat.TooLarge, "message is too long: the limit is %d bytes", protocol.MaxTextBytes)
	}
	return text, nil
}

func checkClientID(id string) error {
	if !clientIDPattern.MatchString(id) {
		return chat.Errorf(chat.Invalid, "clientId is required: 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'")
	}
	return nil
}

// checkAttachments validates the shape of attachment references. Whether
// the caller may reference a key is the files feature's rule.
func checkAttachments(atts []chat.Attachment) error {
	if len(atts) > maxAttachments {
		return chat.Errorf(chat.TooLarge, "too many attachments: the limit is %d", maxAttachments)
	}
	for _, a := range atts {
		if err := checkObjectKey(a.Key, true); err != nil {
			return err
		}
		if err := checkObjectKey(a.ThumbKey, false); err != nil {
			return err
		}
		if !utf8.ValidString(a.Name) || utf8.RuneCountInString(a.Name) > maxAttachmentName || hasControl(a.Name) {
			return chat.Errorf(chat.Invalid, "attachment name must be valid UTF-8 of at most %d characters", maxAttachmentName)
		}
		if a.Size < 0 || a.Width < 0 || a.Height < 0 {
			return chat.Errorf(chat.Invalid, "attachment size and dimensions must not be negative")
		}
		if len(a.Type) > maxAttachmentName || !utf8.ValidString(a.Type) || hasControl(a.Type) {
			return chat.Errorf(chat.Invalid, "attachment type is malformed")
		}
	}
	return nil
}

func checkObjectKey(key string, required bool) error {
	if key == "" {
		if required {
			return chat.Errorf(chat.Invalid, "attachment key is required")
		}
		return nil
	}
	if len(key) > maxKeyLen || !utf8.ValidString(key) || hasControl(key) ||
		strings.HasPrefix(key, "/") || strings.Contains(key, "..") {
		return chat.Errorf(chat.Invalid, "attachment key is malformed")
	}
	return nil
}

// avatarKey allows only keys directly in the caller's own avatar folder,
// so a user cannot point their avatar at someone else's file.
func avatarKey(userID, key string) error {
	if key == "" {
		return nil
	}
	if !chat.IsAvatarKeyOf(userID, key) {
		return chat.Errorf(chat.Invalid, "avatarKey must be a file under %s", chat.AvatarPrefix(userID))
	}
	return checkObjectKey(key, true)
}
