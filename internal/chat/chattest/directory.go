package chattest

import (
	"context"
	"strings"
	"sync"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Directory is an in-memory chat.Directory: accounts by username, with a
// record of the calls that change them.
type Directory struct {
	mu     sync.Mutex
	people map[string]chat.Person
	// Calls lists "method username" for every change, in order.
	Calls []string
}

// NewDirectory holds the given accounts.
func NewDirectory(people ...chat.Person) *Directory {
	d := &Directory{people: map[string]chat.Person{}}
	for _, p := range people {
		d.people[p.Username] = p
	}
	return d
}

var _ chat.Directory = (*Directory)(nil)

func (d *Directory) ListPeople(context.Context) ([]chat.Person, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]chat.Person, 0, len(d.people))
	for _, p := range d.people {
		out = append(out, p)
	}
	return out, nil
}

func (d *Directory) GetPerson(_ context.Context, username string) (chat.Person, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.people[username]
	if !ok {
		return chat.Person{}, chat.Errorf(chat.NotFound, "no such person")
	}
	return p, nil
}

func (d *Directory) Invite(_ context.Context, email, displayName string) (chat.Person, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, p := range d.people {
		if strings.EqualFold(p.Email, email) {
			return chat.Person{}, chat.Errorf(chat.Conflict, "that email has an account already")
		}
	}
	local, _, _ := strings.Cut(email, "@")
	p := chat.Person{UserID: "sub-" + local, Username: "user-" + local, Email: email, DisplayName: displayName,
		Role: chat.WorkspaceMember, Status: chat.PersonInvited}
	d.people[p.Username] = p
	d.Calls = append(d.Calls, "Invite "+p.Username)
	return p, nil
}

func (d *Directory) SetRole(_ context.Context, username string, role chat.WorkspaceRole) error {
	return d.change(username, "SetRole", func(p *chat.Person) { p.Role = role })
}

func (d *Directory) Deactivate(_ context.Context, username string) error {
	return d.change(username, "Deactivate", func(p *chat.Person) { p.Status = chat.PersonDeactivated })
}

func (d *Directory) Reactivate(_ context.Context, username string) error {
	return d.change(username, "Reactivate", func(p *chat.Person) { p.Status = chat.PersonActive })
}

func (d *Directory) change(username, method string, f func(*chat.Person)) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.people[username]
	if !ok {
		return chat.Errorf(chat.NotFound, "no such person")
	}
	f(&p)
	d.people[username] = p
	d.Calls = append(d.Calls, method+" "+username)
	return nil
}

// Closer records the connections closed from the server side.
type Closer struct {
	mu     sync.Mutex
	closed []string
}

var _ chat.Closer = (*Closer)(nil)

func (c *Closer) Disconnect(_ context.Context, connectionID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = append(c.closed, connectionID)
	return nil
}

// Closed lists the connections closed so far.
func (c *Closer) Closed() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.closed...)
}
