package dynamo

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// previewItem is one link preview on a message item (lp).
type previewItem struct {
	URL         string `dynamo:"url"`
	Title       string `dynamo:"title,omitempty"`
	Description string `dynamo:"description,omitempty"`
	ImageURL    string `dynamo:"imageUrl,omitempty"`
	SiteName    string `dynamo:"siteName,omitempty"`
}

// UpdateLinkPreviews reads the message (1 RCU, consistent), applies fn
// and writes the previews (lp) and removed links (lpx) only if their
// version lpv is unchanged: one UpdateItem, the message's size in WCU
// (about 1 for a chat line with three previews). A concurrent preview
// write makes it read and try again; a delete between the read and the
// write fails the condition and answers Conflict.
func (s *Store) UpdateLinkPreviews(ctx context.Context, roomID string, seq int64, fn chat.PreviewUpdate) (chat.Message, bool, error) {
	ctx = withOp(ctx, "UpdateLinkPreviews")
	for attempt := 0; ; attempt++ {
		it, err := s.getMessageItem(ctx, roomID, seq)
		if err != nil {
			return chat.Message{}, false, err
		}
		m := it.message()
		if it.Deleted {
			return chat.Message{}, false, errMessageDeleted(m)
		}
		ps, removed, changed := fn(m)
		if !changed {
			return m, false, nil
		}
		items := make([]previewItem, len(ps))
		for i, p := range ps {
			items[i] = previewItem(p)
		}
		u := s.table.Update(AttrPK, it.PK).Range(AttrSK, it.SK).Set("lpv", it.PreviewsVersion+1)
		setOrRemoveValue(u, "lp", items, len(items) == 0)
		setOrRemoveValue(u, "lpx", removed, len(removed) == 0)
		if it.PreviewsVersion == 0 {
			u.If("attribute_exists($) AND attribute_not_exists($) AND attribute_not_exists(lpv)", AttrPK, "deleted")
		} else {
			u.If("lpv = ? AND attribute_not_exists($)", it.PreviewsVersion, "deleted")
		}
		var stored messageItem
		err = u.Value(ctx, &stored)
		if err == nil {
			return stored.message(), true, nil
		}
		if !isCondFailed(err) {
			return chat.Message{}, false, internal(err, "update link previews")
		}
		if attempt == 5 || ctx.Err() != nil {
			return chat.Message{}, false, chat.Errorf(chat.Conflict, "the message is changing too fast: try again")
		}
	}
}
