package search

import (
	"context"
	"fmt"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Pseudo-terms index the operators a query may give without any word.
// They begin with "!", which no word term does (words are letters and
// digits), so a prefix query never meets them.
const (
	TermFile  = "!file"
	TermImage = "!image"
	TermLink  = "!link"
)

// TermFrom is the pseudo-term of a message's sender.
func TermFrom(userID string) string { return "!from:" + userID }

// TermMention is the pseudo-term of a mentioned user.
func TermMention(userID string) string { return "!men:" + userID }

// Posting says that message Seq of room RoomID has term Term. SenderID
// and CreatedAt ride along so the reader can filter by from: and dates
// before it reads the messages.
type Posting struct {
	RoomID    string
	Term      string
	Seq       int64
	SenderID  string
	CreatedAt time.Time
	// ExpiresAt is the message's expiry (its retention): the posting
	// expires with it. Zero: kept.
	ExpiresAt time.Time
}

// MessageTerms are the distinct index terms of a message: the terms of its
// words (Terms; at most MaxTerms words, each at most MaxTermBytes), then
// the pseudo-terms of its sender, mentions, files, images and links.
// System lines, tombstones and end-to-end encrypted messages (the server
// cannot read them, and indexes not even their sender) have none.
func MessageTerms(m chat.Message) []string {
	if m.Deleted || m.System != nil || m.Encrypted != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	words := 0
	for _, tok := range Tokenize(m.Text) {
		if len(tok.Word) > MaxTermBytes || seen[tok.Word] {
			continue
		}
		if words == MaxTerms {
			break
		}
		words++
		for _, t := range Terms(tok.Word) {
			add(t)
		}
	}
	add(TermFrom(m.SenderID))
	for _, u := range m.Mentions {
		add(TermMention(u))
	}
	if len(m.Attachments) > 0 {
		add(TermFile)
	}
	if hasImage(m) {
		add(TermImage)
	}
	if HasLink(m.Text) {
		add(TermLink)
	}
	return out
}

// Postings are the postings of a message (one per MessageTerms term).
func Postings(m chat.Message) []Posting {
	terms := MessageTerms(m)
	out := make([]Posting, len(terms))
	for i, t := range terms {
		out[i] = Posting{RoomID: m.RoomID, Term: t, Seq: m.Seq, SenderID: m.SenderID, CreatedAt: m.CreatedAt, ExpiresAt: m.ExpiresAt}
	}
	return out
}

// PostingWriter stores and removes postings (internal/dynamo). Both are
// idempotent: the stream delivers at least once.
type PostingWriter interface {
	WritePostings(ctx context.Context, put, del []Posting) error
}

// Indexer is the stream consumer that keeps the index: a new message's
// postings are written; an edit writes the terms it gained and removes
// the ones it lost (from the old image, MessageEdited.Previous); a delete
// (a tombstone, or the item removed with its channel) removes the old
// image's postings.
type Indexer struct {
	w PostingWriter
}

// NewIndexer returns an Indexer writing to w.
func NewIndexer(w PostingWriter) *Indexer { return &Indexer{w: w} }

// Consume implements chat.EventConsumer.
func (x *Indexer) Consume(ctx context.Context, events []chat.Event) error {
	for i, ev := range events {
		var put, del []Posting
		var m chat.Message
		switch e := ev.(type) {
		case chat.MessageCreated:
			m, put = e.Message, Postings(e.Message)
		case chat.MessageEdited:
			m = e.Message
			put, del = Diff(e.Previous, e.Message)
		case chat.MessageDeleted:
			m, del = e.Message, Postings(e.Previous)
		default:
			continue
		}
		if len(put) == 0 && len(del) == 0 {
			continue
		}
		if err := x.w.WritePostings(ctx, put, del); err != nil {
			return &chat.PartialFailure{Index: i, Err: fmt.Errorf("search: index message %s/%d: %w", m.RoomID, m.Seq, err)}
		}
	}
	return nil
}

// Diff is what an edit from old to new changes in the index: the
// postings to put (terms new has and old had not) and to delete (the
// reverse). An unknown old (zero) puts all of new's.
func Diff(old, new chat.Message) (put, del []Posting) {
	oldP, newP := Postings(old), Postings(new)
	had := map[string]bool{}
	for _, p := range oldP {
		had[p.Term] = true
	}
	has := map[string]bool{}
	for _, p := range newP {
		has[p.Term] = true
		if !had[p.Term] {
			put = append(put, p)
		}
	}
	for _, p := range oldP {
		if !has[p.Term] {
			del = append(del, p)
		}
	}
	return put, del
}
