package chattest

import "github.com/backchannel-chat/backchannel/internal/chat"

// Tombstone turns userID's profile into the tombstone an erasure leaves
// (internal/dynamo/erasure.go): DeletedUserName, no username, handle or
// picture, deleted and deactivated. Tests of what others see after an
// erasure use it; the erasure itself is tested on DynamoDB Local.
func (s *Store) Tombstone(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.profiles[userID]
	p.UserID, p.DisplayName, p.Username, p.Handle, p.AvatarKey = userID, chat.DeletedUserName, "", "", ""
	p.Deleted, p.Deactivated = true, true
	s.profiles[userID] = p
}
