package chat

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Support widgets (issue #17): the embeddable chat a business adds to its
// site with one <script> tag naming a widget id. Admins manage them
// (createWidget, updateWidget, deleteWidget, listWidgets,
// rotateWidgetSecret); the HTTP API's /widget/v1/{id}/... routes serve the
// public part (WidgetPublic) to the allowed origins only.

// WidgetIDPrefix starts every widget id.
const WidgetIDPrefix = "wid_"

// Widget limits.
const (
	MaxWidgetNameLen       = 80
	MaxWidgetOrigins       = 20
	MaxWidgetTitleLen      = 60
	MaxWidgetGreetingLen   = 500
	MaxWidgetTopics        = 20
	MaxWidgetTopicLabel    = 60
	MaxWidgetFAQ           = 100
	MaxWidgetFAQQuestions  = 10
	MaxWidgetQuestionLen   = 200
	MaxWidgetAnswerLen     = 2000
	MaxWidgetBotNameLen    = 40
	MaxWidgetsPerWorkspace = 50
	DefaultWidgetColor     = "#2563eb"
	DefaultWidgetBotName   = "Assistant"
	DefaultWidgetThreshold = 0.5
)

// WidgetLanguages are the languages a widget can speak (its texts are
// translated into these).
var WidgetLanguages = []string{"en", "de"}

// WidgetPreChatFields are the fields a widget may ask before a chat.
var WidgetPreChatFields = []string{"name", "email", "topic"}

// Widget positions.
const (
	WidgetRight = "right"
	WidgetLeft  = "left"
)

// Widget bot kinds.
const (
	WidgetBotNone = ""
	WidgetBotFAQ  = "faq" // the built-in FAQ matcher (internal/supportbot)
	WidgetBotBot  = "bot" // a bot account of issue #16 answers first
)

// Widget is one embeddable support widget.
type Widget struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// AllowedOrigins are exact origins, scheme://host[:port] (normalised
	// by NormalizeOrigin); every other origin is refused.
	AllowedOrigins []string          `json:"allowedOrigins"`
	Appearance     WidgetAppearance  `json:"appearance"`
	Greeting       map[string]string `json:"greeting,omitempty"` // by language
	Languages      []string          `json:"languages"`
	// PreChat are the fields asked before a chat (subset of
	// WidgetPreChatFields), Required those of them that must be filled.
	PreChat       []string      `json:"preChat"`
	Required      []string      `json:"required,omitempty"`
	Topics        []WidgetTopic `json:"topics,omitempty"`
	DefaultTeamID string        `json:"defaultTeamId,omitempty"`
	Bot           WidgetBot     `json:"bot"`
	// IdentitySecretVersion names the current identity secret (derived,
	// never stored: internal/visitor); rotateWidgetSecret bumps it.
	IdentitySecretVersion int       `json:"identitySecretVersion"`
	CreatedBy             string    `json:"createdBy,omitempty"`
	CreatedAt             time.Time `json:"createdAt,omitzero"`
	UpdatedAt             time.Time `json:"updatedAt,omitzero"`
}

// WidgetAppearance is how the widget looks.
type WidgetAppearance struct {
	PrimaryColor string `json:"primaryColor"` // #rrggbb
	Position     string `json:"position"`     // right | left
	Title        string `json:"title,omitempty"`
}

// WidgetTopic is a pre-chat topic and the team it routes to.
type WidgetTopic struct {
	ID     string `json:"id"`
	Label  string `json:"label"`
	TeamID string `json:"teamId,omitempty"`
}

// WidgetBot is the first responder.
type WidgetBot struct {
	Kind      string      `json:"kind"`            // "", faq, bot
	BotID     string      `json:"botId,omitempty"` // kind bot: a #16 bot account
	Name      string      `json:"name,omitempty"`
	FAQ       []WidgetFAQ `json:"faq,omitempty"`
	Threshold float64     `json:"threshold,omitempty"` // 0..1: below it the FAQ matcher hands over
}

// WidgetFAQ is one FAQ entry.
type WidgetFAQ struct {
	ID        string   `json:"id"`
	Questions []string `json:"questions"`
	Answer    string   `json:"answer"`
}

var (
	widgetColorRe = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	widgetSlugRe  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)
)

// NormalizeOrigin checks an origin and returns it canonical: lower-case
// scheme and host, no default port, no trailing slash. Only http and https,
// no path, query, fragment, user info or wildcard; plain http only for
// localhost/127.0.0.1 (development).
func NormalizeOrigin(s string) (string, error) {
	raw := strings.TrimSpace(s)
	if raw == "" {
		return "", Errorf(Invalid, "an origin is empty")
	}
	if strings.ContainsAny(raw, "*?# \t") {
		return "", Errorf(Invalid, "origin %q: no wildcards, spaces, queries or fragments; give scheme://host[:port]", raw)
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", Errorf(Invalid, "origin %q is not scheme://host[:port]", raw)
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if scheme != "https" && scheme != "http" {
		return "", Errorf(Invalid, "origin %q: the scheme must be https (or http for localhost)", raw)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return "", Errorf(Invalid, "origin %q: only scheme://host[:port], without a path", raw)
	}
	if scheme == "http" && host != "localhost" && host != "127.0.0.1" && host != "[::1]" && host != "::1" {
		return "", Errorf(Invalid, "origin %q: plain http is allowed only for localhost; use https", raw)
	}
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	out := scheme + "://" + host
	if port != "" {
		out += ":" + port
	}
	return out, nil
}

// OriginAllowed says whether origin (as a browser sends it) is one of the
// widget's allowed origins: exact match after normalisation.
func (w Widget) OriginAllowed(origin string) bool {
	o, err := NormalizeOrigin(origin)
	if err != nil {
		return false
	}
	return slices.Contains(w.AllowedOrigins, o)
}

// TeamFor is the team a conversation on topic goes to: the topic's team,
// else the widget's default team.
func (w Widget) TeamFor(topic string) string {
	for _, t := range w.Topics {
		if t.ID == topic && t.TeamID != "" {
			return t.TeamID
		}
	}
	return w.DefaultTeamID
}

func textField(s, field string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", Errorf(Invalid, "%s is required", field)
	}
	if utf8.RuneCountInString(s) > max {
		return "", Errorf(Invalid, "%s is longer than %d characters", field, max)
	}
	return s, nil
}

// NormalizeWidget checks every field of w and fills the defaults; the
// first problem is returned as Invalid with the field named. ID, the
// secret version and the timestamps are the caller's.
func NormalizeWidget(w Widget) (Widget, error) {
	var err error
	if w.Name, err = textField(w.Name, "name", MaxWidgetNameLen, true); err != nil {
		return Widget{}, err
	}
	if len(w.AllowedOrigins) > MaxWidgetOrigins {
		return Widget{}, Errorf(Invalid, "a widget allows at most %d origins", MaxWidgetOrigins)
	}
	origins := make([]string, 0, len(w.AllowedOrigins))
	for _, o := range w.AllowedOrigins {
		n, err := NormalizeOrigin(o)
		if err != nil {
			return Widget{}, err
		}
		if !slices.Contains(origins, n) {
			origins = append(origins, n)
		}
	}
	w.AllowedOrigins = origins

	a := &w.Appearance
	if a.PrimaryColor == "" {
		a.PrimaryColor = DefaultWidgetColor
	}
	if !widgetColorRe.MatchString(a.PrimaryColor) {
		return Widget{}, Errorf(Invalid, "appearance.primaryColor %q must be #rrggbb", a.PrimaryColor)
	}
	a.PrimaryColor = strings.ToLower(a.PrimaryColor)
	switch a.Position {
	case "":
		a.Position = WidgetRight
	case WidgetRight, WidgetLeft:
	default:
		return Widget{}, Errorf(Invalid, "appearance.position must be right or left, not %q", a.Position)
	}
	if a.Title, err = textField(a.Title, "appearance.title", MaxWidgetTitleLen, false); err != nil {
		return Widget{}, err
	}

	langs := []string{}
	for _, l := range w.Languages {
		l = strings.ToLower(strings.TrimSpace(l))
		if !slices.Contains(WidgetLanguages, l) {
			return Widget{}, Errorf(Invalid, "language %q is not one of %s", l, strings.Join(WidgetLanguages, ", "))
		}
		if !slices.Contains(langs, l) {
			langs = append(langs, l)
		}
	}
	if len(langs) == 0 {
		langs = []string{"en"}
	}
	w.Languages = langs
	greeting := map[string]string{}
	for l, text := range w.Greeting {
		if !slices.Contains(langs, l) {
			return Widget{}, Errorf(Invalid, "greeting in %q, which is not one of the widget's languages", l)
		}
		if text, err = textField(text, "greeting."+l, MaxWidgetGreetingLen, false); err != nil {
			return Widget{}, err
		}
		if text != "" {
			greeting[l] = text
		}
	}
	w.Greeting = greeting

	pre := []string{}
	for _, f := range w.PreChat {
		if !slices.Contains(WidgetPreChatFields, f) {
			return Widget{}, Errorf(Invalid, "pre-chat field %q is not one of name, email, topic", f)
		}
		if !slices.Contains(pre, f) {
			pre = append(pre, f)
		}
	}
	w.PreChat = pre
	req := []string{}
	for _, f := range w.Required {
		if !slices.Contains(pre, f) {
			return Widget{}, Errorf(Invalid, "required field %q is not asked (add it to preChat)", f)
		}
		if !slices.Contains(req, f) {
			req = append(req, f)
		}
	}
	w.Required = req

	if len(w.Topics) > MaxWidgetTopics {
		return Widget{}, Errorf(Invalid, "a widget has at most %d topics", MaxWidgetTopics)
	}
	seen := map[string]bool{}
	for i := range w.Topics {
		t := &w.Topics[i]
		t.ID = strings.TrimSpace(t.ID)
		if !widgetSlugRe.MatchString(t.ID) {
			return Widget{}, Errorf(Invalid, "topic id %q: 1 to 32 of a-z, 0-9, - and _", t.ID)
		}
		if seen[t.ID] {
			return Widget{}, Errorf(Invalid, "topic id %q appears twice", t.ID)
		}
		seen[t.ID] = true
		if t.Label, err = textField(t.Label, "topic "+t.ID+" label", MaxWidgetTopicLabel, true); err != nil {
			return Widget{}, err
		}
		if t.TeamID = strings.TrimSpace(t.TeamID); t.TeamID != "" && !validTeamRef(t.TeamID) {
			return Widget{}, Errorf(Invalid, "topic %s: team %q is not a team id", t.ID, t.TeamID)
		}
	}
	if slices.Contains(pre, "topic") && len(w.Topics) == 0 {
		return Widget{}, Errorf(Invalid, "the pre-chat form asks for a topic: add at least one topic")
	}
	if w.DefaultTeamID = strings.TrimSpace(w.DefaultTeamID); w.DefaultTeamID != "" && !validTeamRef(w.DefaultTeamID) {
		return Widget{}, Errorf(Invalid, "defaultTeamId %q is not a team id", w.DefaultTeamID)
	}

	if w.Bot, err = normalizeWidgetBot(w.Bot); err != nil {
		return Widget{}, err
	}
	return w, nil
}

// validTeamRef: a support team id ("team_…", chat/support.go's).
func validTeamRef(id string) bool {
	return strings.HasPrefix(id, "team_") && len(id) <= 64 && !strings.ContainsAny(id, " #/")
}

func normalizeWidgetBot(b WidgetBot) (WidgetBot, error) {
	var err error
	switch b.Kind {
	case WidgetBotNone:
		return WidgetBot{}, nil
	case WidgetBotFAQ:
		b.BotID = ""
	case WidgetBotBot:
		if !IsBotID(b.BotID) {
			return WidgetBot{}, Errorf(Invalid, "bot.botId %q is not a bot account's id", b.BotID)
		}
	default:
		return WidgetBot{}, Errorf(Invalid, "bot.kind must be \"\", faq or bot, not %q", b.Kind)
	}
	if b.Name, err = textField(b.Name, "bot.name", MaxWidgetBotNameLen, false); err != nil {
		return WidgetBot{}, err
	}
	if b.Name == "" {
		b.Name = DefaultWidgetBotName
	}
	if b.Threshold == 0 {
		b.Threshold = DefaultWidgetThreshold
	}
	if b.Threshold < 0 || b.Threshold > 1 {
		return WidgetBot{}, Errorf(Invalid, "bot.threshold must be between 0 and 1")
	}
	if len(b.FAQ) > MaxWidgetFAQ {
		return WidgetBot{}, Errorf(Invalid, "at most %d FAQ entries", MaxWidgetFAQ)
	}
	if b.Kind == WidgetBotFAQ && len(b.FAQ) == 0 {
		return WidgetBot{}, Errorf(Invalid, "the FAQ bot needs at least one FAQ entry")
	}
	seen := map[string]bool{}
	for i := range b.FAQ {
		f := &b.FAQ[i]
		if f.ID = strings.TrimSpace(f.ID); f.ID == "" {
			f.ID = "faq" + itoa(i+1)
		}
		if !widgetSlugRe.MatchString(f.ID) || seen[f.ID] {
			return WidgetBot{}, Errorf(Invalid, "FAQ id %q: 1 to 32 of a-z, 0-9, - and _, unique", f.ID)
		}
		seen[f.ID] = true
		qs := []string{}
		for _, q := range f.Questions {
			if q, err = textField(q, "FAQ "+f.ID+" question", MaxWidgetQuestionLen, false); err != nil {
				return WidgetBot{}, err
			}
			if q != "" {
				qs = append(qs, q)
			}
		}
		if len(qs) == 0 || len(qs) > MaxWidgetFAQQuestions {
			return WidgetBot{}, Errorf(Invalid, "FAQ %s needs 1 to %d questions", f.ID, MaxWidgetFAQQuestions)
		}
		f.Questions = qs
		if f.Answer, err = textField(f.Answer, "FAQ "+f.ID+" answer", MaxWidgetAnswerLen, true); err != nil {
			return WidgetBot{}, err
		}
	}
	return b, nil
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// WidgetPublic is what GET /widget/v1/{id}/config shows an allowed
// origin: never the FAQ answers' source, the bot account, the origins or
// the secret version.
type WidgetPublic struct {
	ID         string            `json:"id"`
	Appearance WidgetAppearance  `json:"appearance"`
	Greeting   map[string]string `json:"greeting,omitempty"`
	Languages  []string          `json:"languages"`
	PreChat    []string          `json:"preChat"`
	Required   []string          `json:"required,omitempty"`
	Topics     []WidgetTopicOpen `json:"topics,omitempty"`
	BotName    string            `json:"botName,omitempty"`
	// Open says whether someone answers now (the default team's hours
	// and agents); each topic says the same for its team.
	Open bool `json:"open"`
}

// WidgetTopicOpen is a topic as the widget shows it.
type WidgetTopicOpen struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Open  bool   `json:"open"`
}

// Public is w's public config; open says whether a team answers now
// (team id "" is the default team).
func (w Widget) Public(open func(teamID string) bool) WidgetPublic {
	p := WidgetPublic{ID: w.ID, Appearance: w.Appearance, Greeting: w.Greeting, Languages: w.Languages,
		PreChat: w.PreChat, Required: w.Required, Open: open(w.DefaultTeamID)}
	if p.PreChat == nil {
		p.PreChat = []string{}
	}
	for _, t := range w.Topics {
		p.Topics = append(p.Topics, WidgetTopicOpen{ID: t.ID, Label: t.Label, Open: open(w.TeamFor(t.ID))})
	}
	if w.Bot.Kind != WidgetBotNone {
		p.BotName = w.Bot.Name
	}
	return p
}

// VisitorResume is what a resume token names: the store keeps it under the
// token's SHA-256 in the visitor's partition for ResumeTTL, and the session
// route replaces it on every use (rotation).
type VisitorResume struct {
	VisitorID  string
	WidgetID   string
	TokenHash  string
	Name       string
	Email      string
	Identified bool
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// VisitorResumeTTL is how long a resume token lasts.
const VisitorResumeTTL = 30 * 24 * time.Hour

// WidgetStore keeps the widgets and the visitors' resume tokens
// (internal/dynamo/widgets.go).
type WidgetStore interface {
	// CreateWidget stores w (Conflict if its id is taken).
	CreateWidget(ctx context.Context, w Widget) error
	// GetWidget reads one widget (NotFound: none).
	GetWidget(ctx context.Context, id string) (Widget, error)
	// ListWidgets returns every widget, oldest first.
	ListWidgets(ctx context.Context) ([]Widget, error)
	// UpdateWidget replaces a stored widget (NotFound if it is gone).
	UpdateWidget(ctx context.Context, w Widget) error
	// DeleteWidget removes it (NotFound if it is gone).
	DeleteWidget(ctx context.Context, id string) error
	// PutVisitorResume stores a resume token's record.
	PutVisitorResume(ctx context.Context, r VisitorResume) error
	// TakeVisitorResume reads and deletes the record of a token (one use:
	// a second take of the same token is NotFound), NotFound also when it
	// expired.
	TakeVisitorResume(ctx context.Context, visitorID, tokenHash string, now time.Time) (VisitorResume, error)
	// DeleteVisitorResumes removes every resume token of a visitor
	// (erasure).
	DeleteVisitorResumes(ctx context.Context, visitorID string) (int, error)
	// MarkChallengeUsed records a proof-of-work challenge as spent until
	// it expires; false if it was spent already.
	MarkChallengeUsed(ctx context.Context, id string, until time.Time) (bool, error)
}

// RouteByWidget is the SupportRouter of a widget store: the topic's team
// (else the widget's default team) and whether its bot answers first; a
// widget that no longer exists routes nowhere (the caller falls back).
func RouteByWidget(ctx context.Context, ws WidgetStore, widgetID, topic string) (teamID string, bot bool, err error) {
	w, err := ws.GetWidget(ctx, widgetID)
	if ErrorCode(err) == NotFound {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return w.TeamFor(topic), w.Bot.Kind != WidgetBotNone, nil
}
