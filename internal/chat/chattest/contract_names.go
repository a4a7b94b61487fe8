package chattest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// contractChannelNames checks that channel names are unique,
// case-insensitively, across public and private channels, on create and
// on rename, and that a rename frees the old name.
func contractChannelNames(t *testing.T, s chat.Store) {
	ctx := context.Background()
	owner := uniq("u")
	now := ms(time.Now())
	create := func(kind chat.RoomKind, name string) (chat.Room, error) {
		r := chat.Room{ID: uniq("c_"), Kind: kind, Name: name, CreatedBy: owner, CreatedAt: now, MemberCount: 1}
		return r, s.CreateRoom(ctx, r, []chat.Member{{RoomID: r.ID, UserID: owner, Role: chat.RoleOwner, JoinedAt: now}})
	}
	wantTaken := func(what string, err error, holder chat.RoomKind) {
		t.Helper()
		wantCode(t, what, err, chat.Conflict)
		var nt *chat.NameTakenError
		if !errors.As(err, &nt) || !errors.Is(err, chat.ErrNameTaken) {
			t.Fatalf("%s: error %v has no *chat.NameTakenError cause", what, err)
		}
		if nt.HolderKind != holder {
			t.Errorf("%s: HolderKind %q, want %q", what, nt.HolderKind, holder)
		}
	}

	pubName, privName := uniq("pub-"), uniq("priv-")
	pub, err := create(chat.KindPublic, pubName)
	if err != nil {
		t.Fatalf("CreateRoom public: %v", err)
	}
	priv, err := create(chat.KindPrivate, privName)
	if err != nil {
		t.Fatalf("CreateRoom private: %v", err)
	}

	dup, err := create(chat.KindPublic, strings.ToUpper(pubName))
	wantTaken("CreateRoom public onto a public name (other case)", err, chat.KindPublic)
	if _, err := s.GetRoom(ctx, dup.ID); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("refused CreateRoom left room %s behind: %v", dup.ID, err)
	}
	if _, err := s.GetMember(ctx, dup.ID, owner); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("refused CreateRoom left a membership behind: %v", err)
	}
	_, err = create(chat.KindPrivate, pubName)
	wantTaken("CreateRoom private onto a public name", err, chat.KindPublic)
	_, err = create(chat.KindPublic, privName)
	wantTaken("CreateRoom public onto a private name", err, chat.KindPrivate)

	// Direct rooms claim nothing, even with a name.
	for range 2 {
		d := chat.Room{ID: uniq("d_"), Kind: chat.KindDirect, Name: pubName, CreatedBy: owner, CreatedAt: now, MemberCount: 1}
		if err := s.CreateRoom(ctx, d, []chat.Member{{RoomID: d.ID, UserID: owner, Role: chat.RoleMember, JoinedAt: now}}); err != nil {
			t.Errorf("CreateRoom direct named like a channel: %v", err)
		}
	}

	_, err = s.UpdateRoom(ctx, pub.ID, &privName, nil)
	wantTaken("UpdateRoom onto a private name", err, chat.KindPrivate)
	if got, _ := s.GetRoom(ctx, pub.ID); got.Name != pubName {
		t.Errorf("refused rename changed the name to %q", got.Name)
	}
	same := strings.ToUpper(pubName)
	if got, err := s.UpdateRoom(ctx, pub.ID, &same, nil); err != nil || got.Name != same {
		t.Errorf("UpdateRoom to its own name in another case = %+v, %v", got, err)
	}
	topic := "still here"
	if got, err := s.UpdateRoom(ctx, pub.ID, nil, &topic); err != nil || got.Name != same || got.Topic != topic {
		t.Errorf("UpdateRoom topic after rename = %+v, %v", got, err)
	}

	renamed := uniq("renamed-")
	got, err := s.UpdateRoom(ctx, pub.ID, &renamed, nil)
	if err != nil || got.Name != renamed || got.Topic != topic {
		t.Fatalf("UpdateRoom rename = %+v, %v", got, err)
	}
	if _, err := create(chat.KindPrivate, pubName); err != nil {
		t.Errorf("CreateRoom with the name a rename freed: %v", err)
	}
	_, err = create(chat.KindPublic, renamed)
	wantTaken("CreateRoom onto a renamed room's new name", err, chat.KindPublic)
	_, err = s.UpdateRoom(ctx, priv.ID, &renamed, nil)
	wantTaken("UpdateRoom private onto a public name", err, chat.KindPublic)
	missing := uniq("nobody-")
	_, err = s.UpdateRoom(ctx, uniq("c_"), &missing, nil)
	wantCode(t, "UpdateRoom rename of a missing room", err, chat.NotFound)
	if _, err := create(chat.KindPublic, missing); err != nil {
		t.Errorf("a refused rename of a missing room claimed its name: %v", err)
	}
}
