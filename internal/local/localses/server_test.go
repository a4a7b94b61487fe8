package localses_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/backchannel-chat/backchannel/internal/local/localses"
)

func start(t *testing.T) (*localses.Server, *sesv2.Client) {
	t.Helper()
	s, err := localses.Start("127.0.0.1:0", localses.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	client := sesv2.New(sesv2.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	return s, client
}

func TestSendSimpleEmailThroughTheSDK(t *testing.T) {
	s, client := start(t)
	out, err := client.SendEmail(context.Background(), &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("Backchannel <noreply@example.com>"),
		Destination:      &types.Destination{ToAddresses: []string{"bo@example.com"}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String("Hello <b>Bo</b>"), Charset: aws.String("UTF-8")},
			Body: &types.Body{
				Text: &types.Content{Data: aws.String("plain text")},
				Html: &types.Content{Data: aws.String(`<p>hi</p><script>alert(1)</script>`)},
			},
			Headers: []types.MessageHeader{
				{Name: aws.String("List-Unsubscribe"), Value: aws.String("<https://example.com/u?t=x>")},
				{Name: aws.String("List-Unsubscribe-Post"), Value: aws.String("List-Unsubscribe=One-Click")},
			},
		}},
	})
	if err != nil {
		t.Fatalf("SendEmail: %v", err)
	}
	mails := s.Mails()
	if len(mails) != 1 || aws.ToString(out.MessageId) != mails[0].ID {
		t.Fatalf("mails = %+v, id %q", mails, aws.ToString(out.MessageId))
	}
	m := mails[0]
	if m.Subject != "Hello <b>Bo</b>" || m.Text != "plain text" || !strings.Contains(m.HTML, "<p>hi</p>") ||
		m.To[0] != "bo@example.com" || m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
		t.Fatalf("mail = %+v", m)
	}

	// The page escapes everything and sandboxes the HTML part.
	for _, path := range []string{"/mails", "/mails/" + m.ID} {
		resp, err := http.Get(s.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(b)
		if resp.StatusCode != 200 || strings.Contains(page, "<b>Bo</b>") || !strings.Contains(page, "Hello &lt;b&gt;Bo&lt;/b&gt;") {
			t.Fatalf("%s: %d\n%s", path, resp.StatusCode, page)
		}
		if strings.Contains(page, "<script>") {
			t.Fatalf("%s shows a script unescaped:\n%s", path, page)
		}
		if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Fatalf("%s: CSP %q", path, resp.Header.Get("Content-Security-Policy"))
		}
		if path != "/mails" && !strings.Contains(page, `<iframe sandbox=""`) {
			t.Fatalf("the HTML part is not sandboxed:\n%s", page)
		}
	}
}

func TestSendRawEmailThroughTheSDK(t *testing.T) {
	s, client := start(t)
	raw := "From: a@example.com\r\nTo: Bo <bo@example.com>\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHall=C3=B6\r\n" +
		"--XX\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<p>Hallo</p>\r\n--XX--\r\n"
	_, err := client.SendEmail(context.Background(), &sesv2.SendEmailInput{
		Content: &types.EmailContent{Raw: &types.RawMessage{Data: []byte(raw)}},
	})
	if err != nil {
		t.Fatalf("SendEmail raw: %v", err)
	}
	m := s.Mails()[0]
	if !m.Raw || m.Subject != "Grüße" || strings.TrimSpace(m.Text) != "Hallö" || !strings.Contains(m.HTML, "<p>Hallo</p>") ||
		m.From != "a@example.com" || len(m.To) != 1 || m.To[0] != "bo@example.com" {
		t.Fatalf("mail = %+v", m)
	}
}

func TestSendEmailRejectsWhatSESRejects(t *testing.T) {
	s, client := start(t)
	many := make([]string, localses.MaxRecipients+1)
	for i := range many {
		many[i] = "p@example.com"
	}
	simple := &types.EmailContent{Simple: &types.Message{
		Subject: &types.Content{Data: aws.String("s")}, Body: &types.Body{Text: &types.Content{Data: aws.String("b")}},
	}}
	cases := map[string]*sesv2.SendEmailInput{
		"no sender":       {Destination: &types.Destination{ToAddresses: []string{"bo@example.com"}}, Content: simple},
		"no recipient":    {FromEmailAddress: aws.String("a@example.com"), Content: simple},
		"bad recipient":   {FromEmailAddress: aws.String("a@example.com"), Destination: &types.Destination{ToAddresses: []string{"not an address"}}, Content: simple},
		"too many":        {FromEmailAddress: aws.String("a@example.com"), Destination: &types.Destination{ToAddresses: many}, Content: simple},
		"header newlines": {FromEmailAddress: aws.String("a@example.com"), Destination: &types.Destination{ToAddresses: []string{"bo@example.com"}}, Content: &types.EmailContent{Simple: &types.Message{Subject: &types.Content{Data: aws.String("s")}, Body: &types.Body{Text: &types.Content{Data: aws.String("b")}}, Headers: []types.MessageHeader{{Name: aws.String("X"), Value: aws.String("a\r\nBcc: evil@example.com")}}}}},
	}
	for name, in := range cases {
		_, err := client.SendEmail(context.Background(), in)
		var bad *types.BadRequestException
		var rejected *types.MessageRejected
		var apiErr smithy.APIError
		if !errors.As(err, &bad) && !errors.As(err, &rejected) {
			t.Errorf("%s: err = %v, want BadRequestException or MessageRejected", name, err)
		} else if errors.As(err, &apiErr) && apiErr.ErrorMessage() == "" {
			t.Errorf("%s: no message", name)
		}
	}
	if n := len(s.Mails()); n != 0 {
		t.Fatalf("%d mails kept from rejected requests", n)
	}
}
