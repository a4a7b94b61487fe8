package service_test

import (
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// searchGifs in the authorization matrix: a workspace action, for every
// signed-in person (deactivated people never reach it).
func init() {
	workspaceCases = append(workspaceCases, modCase{name: "searchGifs", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.SearchGifs(w.ctx, c, protocol.SearchGifsRequest{Query: "cat"})
			return err
		}})
}
