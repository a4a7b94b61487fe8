package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// checkDeletedFileLeavesTheBucket: the stream consumers run under make
// dev as in the deployed stream function, the file sweeper included. A
// person uploads a file through a ticket, sends it and deletes the
// message; the file leaves the S3 stand-in's bucket through the stream
// (message.deleted -> filesweep), not in the request.
func checkDeletedFileLeavesTheBucket(t *testing.T, r *devRun) {
	t.Helper()
	info := r.info
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(info.Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	if err != nil {
		t.Fatal(err)
	}
	idp := cip.NewFromConfig(awsCfg, func(o *cip.Options) { o.BaseEndpoint = aws.String(info.Cognito) })
	token := signUp(t, ctx, idp, info, "dev-sweeper@example.com", "a-long-password")
	conn, _, err := websocket.Dial(ctx, info.WSURL+"?token="+token, nil)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.CloseNow()

	body := []byte("a file that must go")
	var ticket struct {
		Key, URL, Method string
		Headers          map[string]string
	}
	wsCall(t, ctx, conn, map[string]any{"action": "requestUpload", "roomId": "general", "name": "note.txt", "size": len(body), "type": "text/plain", "sha256": chat.SHA256Base64(body)}, &ticket)
	req, err := http.NewRequestWithContext(ctx, ticket.Method, ticket.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range ticket.Headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("upload by ticket: %s", resp.Status)
	}
	var ack struct{ Message struct{ Seq int64 } }
	wsCall(t, ctx, conn, map[string]any{"action": "sendMessage", "roomId": "general", "clientId": "01JDB3K4Z8Q3W5E6R7T8Y9DEV3", "text": "see file",
		"attachments": []any{map[string]any{"key": ticket.Key, "name": "note.txt", "size": len(body), "type": "text/plain"}}}, &ack)
	if got := getFile(t, info, ticket.Key); got != string(body) {
		t.Fatalf("uploaded file = %q", got)
	}
	wsCall(t, ctx, conn, map[string]any{"action": "deleteMessage", "roomId": "general", "seq": ack.Message.Seq}, nil)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := s3ClientOf(info).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(info.Bucket), Key: aws.String(ticket.Key)})
		var nf *s3types.NotFound
		if errors.As(err, &nf) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("file %s still in the bucket 10 s after its message was deleted (%v)\n%s", ticket.Key, err, readFile(r.log))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// wsCall sends one action and decodes the reply with the same requestId
// into v (nil: only checks it is not an error).
func wsCall(t *testing.T, ctx context.Context, conn *websocket.Conn, frame map[string]any, v any) {
	t.Helper()
	id := frame["action"].(string) + "-1"
	frame["requestId"] = id
	b, err := json.Marshal(frame)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
	for {
		_, reply, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for %s's reply: %v", frame["action"], err)
		}
		var head struct{ Type, RequestID string }
		if json.Unmarshal(reply, &head) != nil || head.RequestID != id {
			continue
		}
		if head.Type == "error" {
			t.Fatalf("%s answered %s", frame["action"], reply)
		}
		if v != nil {
			if err := json.Unmarshal(reply, v); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
}
