package dynamo

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// RequestTranscript records a transcript request on the support room's
// META: SET trto, trl, ADD trn 1 (one UpdateItem, `attribute_exists(pk)
// AND attribute_not_exists(deleted)`). The MODIFY reaches the stream (room
// META is in its filter already, so no filter was added) as
// chat.SupportTranscriptRequested, which the support mailer takes. It
// returns the request's number.
func (s *Store) RequestTranscript(ctx context.Context, roomID, to, lang string) (int, error) {
	ctx = withOp(ctx, "RequestTranscript")
	u := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skMeta).Add("trn", 1).
		If("attribute_exists($) AND attribute_not_exists($)", AttrPK, "deleted")
	if to != "" {
		u = u.Set("trto", to)
	} else {
		u = u.Remove("trto")
	}
	if lang != "" {
		u = u.Set("trl", lang)
	}
	var out roomItem
	if err := u.Value(ctx, &out); err != nil {
		if isCondFailed(err) {
			return 0, chat.Errorf(chat.NotFound, "room not found")
		}
		return 0, internal(err, "request transcript")
	}
	return out.TranscriptN, nil
}

// ClearTranscriptAddress removes the address of request n once its mail
// is sent (only if no later request replaced it): the address is
// personal data and stays no longer than needed.
func (s *Store) ClearTranscriptAddress(ctx context.Context, roomID string, n int) error {
	ctx = withOp(ctx, "ClearTranscriptAddress")
	err := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skMeta).Remove("trto").
		If("$ = ?", "trn", n).Run(ctx)
	if err != nil && !isCondFailed(err) {
		return internal(err, "clear transcript address")
	}
	return nil
}

// transcriptCue is a transcript request in a room's MODIFY.
func transcriptCue(o, n roomItem) (chat.SupportTranscriptRequested, bool) {
	if n.TranscriptN <= o.TranscriptN {
		return chat.SupportTranscriptRequested{}, false
	}
	return chat.SupportTranscriptRequested{RoomID: n.RoomID, To: n.TranscriptTo, Lang: n.TranscriptLang, N: n.TranscriptN}, true
}

// forgetTranscriptRequest removes a pending transcript request's address
// and language from the room's META (the visitor's erasure): REMOVE trto,
// trl; trn stays (a count, no personal data).
func (s *Store) forgetTranscriptRequest(ctx context.Context, roomID string) error {
	err := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skMeta).Remove("trto").Remove("trl").
		If("attribute_exists($)", "trto").Run(ctx)
	if err != nil && !isCondFailed(err) {
		return internal(err, "forget transcript request")
	}
	return nil
}
