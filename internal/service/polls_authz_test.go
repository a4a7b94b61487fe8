package service_test

import (
	"sync"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// The poll actions in the authorization matrix, in #open: creating one,
// voting on tgt's poll, closing tgt's poll and one's own.
var (
	pollsMu sync.Mutex
	// pollOf is, per world, each persona's own poll ("tgt" for tgt's).
	pollOf = map[*modWorld]map[string]int64{}
)

// seedPolls stores a poll by tgt and one by each persona (as the store
// would keep it; the matrix judges the actions, not the creation).
func seedPolls(w *modWorld) {
	seqs := map[string]int64{}
	add := func(who, userID string) {
		p, err := chat.NewPoll("Lunch?", []string{"Pizza", "Sushi"}, false, false)
		if err != nil {
			w.t.Fatal(err)
		}
		m, _, err := w.store.AppendMessage(w.ctx, chat.Message{RoomID: w.room.ID, ClientID: "poll-" + who, SenderID: userID, Text: p.Question, Poll: &p, CreatedAt: w.clock()})
		if err != nil {
			w.t.Fatal(err)
		}
		seqs[who] = m.Seq
	}
	add("tgt", w.tgt.UserID)
	for _, who := range personaNames {
		add(who, w.p[who].UserID)
	}
	pollsMu.Lock()
	pollOf[w] = seqs
	pollsMu.Unlock()
}

func pollSeq(w *modWorld, who string) int64 {
	pollsMu.Lock()
	defer pollsMu.Unlock()
	return pollOf[w][who]
}

func init() {
	mayWrite := [9]chat.Code{fb, "", "", "", "", "", fb, fb, nf}
	modCases = append(modCases,
		modCase{name: "createPoll", want: mayWrite,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.CreatePoll(w.ctx, c, protocol.CreatePollRequest{RoomID: w.room.ID, ClientID: "p1", Question: "Lunch?", Options: []string{"Pizza", "Sushi"}})
				return err
			}},
		modCase{name: "vote", want: mayWrite, setup: seedPolls,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.Vote(w.ctx, c, protocol.VoteRequest{RoomID: w.room.ID, Seq: pollSeq(w, "tgt"), Options: []int{1}})
				return err
			}},
		// Someone else's poll: the author and the room's managers (owners,
		// room moderators, workspace admins), not workspace moderators.
		modCase{name: "closePoll other's poll", want: [9]chat.Code{fb, fb, "", "", fb, "", fb, fb, nf}, setup: seedPolls,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.ClosePoll(w.ctx, c, protocol.MessageRef{RoomID: w.room.ID, Seq: pollSeq(w, "tgt")})
				return err
			}},
		// One's own poll: its author may close it, muted too (closing
		// posts nothing); a banned author may not.
		modCase{name: "closePoll own poll", want: [9]chat.Code{fb, "", "", "", "", "", "", fb, nf}, setup: seedPolls,
			do: func(w *modWorld, who string, c chat.Connection) error {
				_, err := w.svc.ClosePoll(w.ctx, c, protocol.MessageRef{RoomID: w.room.ID, Seq: pollSeq(w, who)})
				return err
			}},
	)
}
