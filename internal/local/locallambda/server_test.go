package locallambda_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/backchannel-chat/backchannel/internal/local/locallambda"
)

type greeting struct {
	Name string `json:"name"`
}

func start(t *testing.T) (*locallambda.Server, *lambda.Client) {
	t.Helper()
	s, err := locallambda.Start("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	s.Register("hello", locallambda.Function{Handler: awslambda.NewHandler(func(ctx context.Context, g greeting) (map[string]string, error) {
		if g.Name == "" {
			return nil, errors.New("no name")
		}
		return map[string]string{"greeting": "hello " + g.Name}, nil
	})})
	return s, lambda.New(lambda.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.URL()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

func TestInvokeRequestResponse(t *testing.T) {
	s, client := start(t)
	for _, name := range []string{"hello", "hello:live", "arn:aws:lambda:us-east-1:123456789012:function:hello", "123456789012:function:hello:3"} {
		out, err := client.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"name":"Ann"}`)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if out.StatusCode != 200 || out.FunctionError != nil || string(out.Payload) != `{"greeting":"hello Ann"}` {
			t.Fatalf("%s: status %d, error %v, payload %s", name, out.StatusCode, aws.ToString(out.FunctionError), out.Payload)
		}
		if aws.ToString(out.ExecutedVersion) != "$LATEST" {
			t.Fatalf("executed version %q", aws.ToString(out.ExecutedVersion))
		}
	}
	if n := s.Calls("hello"); n != 4 {
		t.Fatalf("calls = %d", n)
	}
}

func TestInvokeFunctionErrorIsA200WithTheHeader(t *testing.T) {
	_, client := start(t)
	out, err := client.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("hello"), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" {
		t.Fatalf("function error = %q", aws.ToString(out.FunctionError))
	}
	var e struct{ ErrorMessage, ErrorType string }
	if err := json.Unmarshal(out.Payload, &e); err != nil || e.ErrorMessage != "no name" || e.ErrorType != "errorString" {
		t.Fatalf("payload %s (%v)", out.Payload, err)
	}
}

func TestInvokeUnknownFunctionIsResourceNotFound(t *testing.T) {
	_, client := start(t)
	_, err := client.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("nobody"), Payload: []byte(`{}`)})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v, want ResourceNotFoundException", err)
	}
	if !strings.Contains(nf.ErrorMessage(), "nobody") {
		t.Fatalf("message %q", nf.ErrorMessage())
	}
}

func TestInvokeBadPayloadIsInvalidRequestContent(t *testing.T) {
	_, client := start(t)
	_, err := client.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("hello"), Payload: []byte(`{not json`)})
	var bad *types.InvalidRequestContentException
	if !errors.As(err, &bad) {
		t.Fatalf("err = %v, want InvalidRequestContentException", err)
	}
}

func TestInvokeTimeoutIsAFunctionError(t *testing.T) {
	s, client := start(t)
	s.Register("slow", locallambda.Function{Timeout: 50 * time.Millisecond, Handler: awslambda.NewHandler(func(ctx context.Context) error {
		<-ctx.Done() // a well-behaved handler stops at its deadline
		time.Sleep(time.Second)
		return nil
	})})
	begin := time.Now()
	out, err := client.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("slow"), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "Task timed out after 0.05 seconds") {
		t.Fatalf("error %q payload %s", aws.ToString(out.FunctionError), out.Payload)
	}
	if time.Since(begin) > 900*time.Millisecond {
		t.Fatal("the answer waited for the handler past its timeout")
	}
}

func TestInvokeEventAndDryRun(t *testing.T) {
	s, client := start(t)
	var ran atomic.Int32
	done := make(chan struct{})
	s.Register("async", locallambda.Function{Handler: awslambda.NewHandler(func(ctx context.Context) error {
		ran.Add(1)
		close(done)
		return nil
	})})
	out, err := client.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("async"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{}`)})
	if err != nil || out.StatusCode != http.StatusAccepted {
		t.Fatalf("event: %v, status %d", err, out.StatusCode)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("event invocation never ran")
	}
	out, err = client.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("hello"), InvocationType: types.InvocationTypeDryRun})
	if err != nil || out.StatusCode != http.StatusNoContent {
		t.Fatalf("dry run: %v, status %d", err, out.StatusCode)
	}
	if ran.Load() != 1 {
		t.Fatalf("ran %d times", ran.Load())
	}
}

func TestInvokePanicIsAFunctionError(t *testing.T) {
	s, client := start(t)
	s.Register("boom", locallambda.Function{Handler: awslambda.NewHandler(func(ctx context.Context) error { panic("oops") })})
	out, err := client.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("boom"), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" {
		t.Fatalf("payload %s", out.Payload)
	}
}

// What docs/INTEGRATIONS.md's curl examples send: a plain POST (curl -d's
// form content type, no invocation type header) is a RequestResponse.
func TestInvokeWithCurl(t *testing.T) {
	s, _ := start(t)
	resp, err := http.Post(s.URL()+"/2015-03-31/functions/hello/invocations", "application/x-www-form-urlencoded", strings.NewReader(`{"name":"Bo"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out["greeting"] != "hello Bo" {
		t.Fatalf("status %d, %v, %v", resp.StatusCode, out, err)
	}
	resp, err = http.Post(s.URL()+"/2015-03-31/functions/nobody/invocations", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 || resp.Header.Get("X-Amzn-ErrorType") != "ResourceNotFoundException" {
		t.Fatalf("unknown function: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
}
