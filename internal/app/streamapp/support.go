package streamapp

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/digest"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/supportlink"
	"github.com/backchannel-chat/backchannel/internal/supportmail"
)

// supportMail is customer support's mail consumer (internal/supportmail):
// agents' replies in email conversations and transcripts, through SES v2
// (AWS_ENDPOINT_URL_SESV2 points the real client at the local stand-in),
// the reopen links signed with a key derived from the digest's secret.
func supportMail(ctx context.Context, awsCfg aws.Config, cfg app.StreamConfig, store *dynamo.Store, logger *slog.Logger) (*supportmail.Consumer, error) {
	secret := []byte(cfg.MailKey)
	if cfg.MailKeySecretARN != "" {
		out, err := secretsmanager.NewFromConfig(awsCfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(cfg.MailKeySecretARN)})
		if err != nil {
			return nil, fmt.Errorf("app: support mail: read the digest key: %w", err)
		}
		secret = out.SecretBinary
		if out.SecretString != nil {
			secret = []byte(*out.SecretString)
		}
	}
	signer, err := supportlink.NewSigner(secret)
	if err != nil {
		return nil, fmt.Errorf("app: support mail: %w", err)
	}
	return &supportmail.Consumer{
		Source: MailSource{Store: store}, Signer: signer, Forget: store, Logger: logger,
		Mailer:     &digest.SESMailer{Client: sesv2.NewFromConfig(awsCfg), From: cfg.MailFrom},
		IsInternal: func(m chat.Message) bool { return m.Internal },
	}, nil
}

// MailSource reads what support's mails show from the table.
type MailSource struct {
	Store interface {
		GetSupportConversation(ctx context.Context, roomID string) (chat.SupportConversation, error)
		GetWidget(ctx context.Context, id string) (chat.Widget, error)
		MessagesAfter(ctx context.Context, roomID string, after int64, limit int) ([]chat.Message, bool, error)
	}
}

func (s MailSource) Conversation(ctx context.Context, roomID string) (supportmail.Conversation, bool, error) {
	c, err := s.Store.GetSupportConversation(ctx, roomID)
	if chat.ErrorCode(err) == chat.NotFound {
		return supportmail.Conversation{}, false, nil
	}
	if err != nil {
		return supportmail.Conversation{}, false, err
	}
	return supportmail.Conversation{
		RoomID: c.RoomID, WidgetID: c.WidgetID, VisitorID: c.Visitor.ID, VisitorName: c.Visitor.Name, VisitorEmail: c.Visitor.Email,
		Channel: c.Channel, State: c.State, Lang: c.Lang, PageURL: c.Page.URL, CreatedAt: c.CreatedAt,
	}, true, nil
}

func (s MailSource) Widget(ctx context.Context, widgetID string) (supportmail.Widget, error) {
	w, err := s.Store.GetWidget(ctx, widgetID)
	if chat.ErrorCode(err) == chat.NotFound {
		return supportmail.Widget{}, nil // deleted: a plain mail without a link
	}
	if err != nil {
		return supportmail.Widget{}, err
	}
	return supportmail.Widget{Name: w.Name, Title: w.Appearance.Title, Color: w.Appearance.PrimaryColor, AllowedOrigins: w.AllowedOrigins}, nil
}

// MaxTranscriptMessages bounds a transcript (pages of 100).
const MaxTranscriptMessages = 2000

// Transcript is the conversation's messages, oldest first, without
// internal notes (and expired or deleted messages, which the store or the
// mailer leaves out).
func (s MailSource) Transcript(ctx context.Context, roomID string) ([]chat.Message, error) {
	var out []chat.Message
	after := int64(0)
	for len(out) < MaxTranscriptMessages {
		page, more, err := s.Store.MessagesAfter(ctx, roomID, after, 100)
		if err != nil {
			return nil, err
		}
		for _, m := range page {
			after = max(after, m.Seq)
			if !m.Internal && m.ParentSeq == 0 {
				out = append(out, m)
			}
		}
		if !more || len(page) == 0 {
			break
		}
	}
	return out, nil
}
