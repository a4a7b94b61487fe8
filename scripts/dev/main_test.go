package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/local/devstack"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

// TestDevStack runs the real `make dev` binary twice on one --data
// directory: everything answers, the gateway refuses a connection without a
// token and accepts one with a pool token, Ctrl-C leaves no emulator
// behind, the second run finds the first run's pool and client, and even a
// SIGKILL of the runner takes its emulators down with it.
func TestDevStack(t *testing.T) {
	if !testenv.Enabled() {
		t.Skip("integration test: starts DynamoDB Local and cognito-local; run under scripts/testenv (make test)")
	}
	root, err := devstack.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "dev")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	web := t.TempDir()
	if err := os.WriteFile(filepath.Join(web, "index.html"), []byte("<!doctype html><title>backchannel test page</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()

	first := startDev(t, bin, root, data, web)
	checkEverythingAnswers(t, first.info)
	checkSignUpCodeIsPrinted(t, first)
	checkMessageEventIsPublished(t, first)
	checkDeletedFileLeavesTheBucket(t, first)
	checkMailPage(t, first.info)
	putFile(t, first.info, "kept.txt", "still here")
	putItem(t, first.info, "kept-item")
	first.interrupt(t)

	// The second run publishes to an EventBridge given by the environment.
	external := startExternalBus(t)
	second := startDev(t, bin, root, data, web, "AWS_ENDPOINT_URL_EVENTBRIDGE="+external.URL())
	checkEventsGoToExternalBus(t, second, external)
	if second.info.UserPoolID != first.info.UserPoolID || second.info.ClientID != first.info.ClientID {
		t.Errorf("with --data the second run has pool %s client %s, the first had %s %s",
			second.info.UserPoolID, second.info.ClientID, first.info.UserPoolID, first.info.ClientID)
	}
	if !hasItem(t, second.info, "kept-item") {
		t.Error("with --data the second run lost the first run's table item")
	}
	if got := getFile(t, second.info, "kept.txt"); got != "still here" {
		t.Errorf("with --data the second run's file = %q, want the first run's", got)
	}
	second.kill(t)
}

type devRun struct {
	cmd   *exec.Cmd
	done  chan error
	info  readyInfo
	ready string
	log   string // its stdout and stderr
}

func startDev(t *testing.T, bin, root, data, web string, env ...string) *devRun {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "ready.json")
	cmd := exec.Command(bin, "--port", "0", "--data", data, "--web", web, "--ready-file", ready)
	cmd.Dir = root
	cmd.Env = append(ownStackEnv(), env...)
	logs, err := os.Create(filepath.Join(t.TempDir(), "dev.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logs.Close() })
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // our SIGINT goes to it alone, as Ctrl-C would
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	run := &devRun{cmd: cmd, done: make(chan error, 1), ready: ready, log: logs.Name()}
	go func() { run.done <- cmd.Wait() }()
	t.Cleanup(func() { // if the test failed half-way: leave nothing running
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		for _, pid := range run.info.PIDs {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
		}
	})

	deadline := time.After(5 * time.Minute) // a cold JVM on a loaded 2-core machine
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-run.done:
			t.Fatalf("dev exited before it was ready: %v\n%s", err, readFile(logs.Name()))
		case <-deadline:
			t.Fatalf("dev not ready\n%s", readFile(logs.Name()))
		case <-tick.C:
		}
		b, err := os.ReadFile(ready)
		if err != nil {
			continue
		}
		if err := json.Unmarshal(b, &run.info); err != nil {
			t.Fatalf("ready file: %v\n%s", err, b)
		}
		return run
	}
}

// checkSignUpCodeIsPrinted signs up the way the web client does (no admin
// confirmation) and confirms with the code the runner printed: cognito-local
// sends no email, so the terminal is where a person finds it.
func checkSignUpCodeIsPrinted(t *testing.T, r *devRun) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(r.info.Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	if err != nil {
		t.Fatal(err)
	}
	idp := cip.NewFromConfig(awsCfg, func(o *cip.Options) { o.BaseEndpoint = aws.String(r.info.Cognito) })
	const email = "needs-a-code@example.com"
	if _, err := idp.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(r.info.ClientID), Username: aws.String(email), Password: aws.String("a-long-password"),
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
	}); err != nil {
		t.Fatalf("sign up: %v", err)
	}
	printed := regexp.MustCompile(`Sign-up code for ` + regexp.QuoteMeta(email) + `: (\d+)`)
	var code string
	for code == "" {
		if m := printed.FindStringSubmatch(readFile(r.log)); m != nil {
			code = m[1]
			break
		}
		select {
		case <-ctx.Done(): // a failure bound, not a timing assertion
			t.Fatalf("no sign-up code printed for %s\n%s", email, readFile(r.log))
		case <-time.After(100 * time.Millisecond):
		}
	}
	if _, err := idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
		ClientId: aws.String(r.info.ClientID), Username: aws.String(email), ConfirmationCode: aws.String(code),
	}); err != nil {
		t.Fatalf("confirm with the printed code %s: %v", code, err)
	}
	if _, err := idp.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(r.info.ClientID), AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": "a-long-password"},
	}); err != nil {
		t.Fatalf("sign in after confirming: %v", err)
	}
}

// ownStackEnv is the test's environment without what would make dev use
// the test emulators instead of starting its own.
func ownStackEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "AWS_ENDPOINT_URL"),
			name == "TABLE_NAME", name == "FILES_BUCKET",
			name == "COGNITO_USER_POOL_ID", name == "COGNITO_CLIENT_ID", name == "COGNITO_ISSUER":
			continue
		}
		env = append(env, kv)
	}
	return env
}

func checkEverythingAnswers(t *testing.T, info readyInfo) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var cfg clientConfig
	getJSON(t, info.ConfigURL, &cfg)
	if cfg.WSURL != info.WSURL || cfg.Region != "us-east-1" ||
		cfg.Cognito.Endpoint != info.Cognito+"/" || cfg.Cognito.UserPoolID == "" || cfg.Cognito.ClientID == "" {
		t.Errorf("config.json = %+v, ready file = %+v", cfg, info)
	}
	// Password sign-in (cognito-local has no SRP), optional MFA, and the
	// hosted domain stand-in with its provider button.
	if cfg.Cognito.AuthFlow != "USER_PASSWORD_AUTH" || cfg.Cognito.MFA != "optional" || cfg.Cognito.Domain == "" || cfg.Cognito.Domain != info.HostedDomain ||
		len(cfg.Cognito.Providers) != 1 || cfg.Cognito.Providers[0].ID != localProvider {
		t.Errorf("config.json cognito = %+v", cfg.Cognito)
	}
	if body := get(t, info.WebURL); !strings.Contains(body, "backchannel test page") {
		t.Errorf("web root = %q, want the index.html of --web", body)
	}
	if body := get(t, info.WebURL+"rooms/general"); !strings.Contains(body, "backchannel test page") {
		t.Errorf("a client-side route = %q, want index.html", body)
	}

	// The gateway runs the authorizer: no token, no connection.
	_, resp, err := websocket.Dial(ctx, info.WSURL, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("connect without a token: err %v, response %v; want 401", err, statusOf(resp))
	}

	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(info.Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	if err != nil {
		t.Fatal(err)
	}
	ddb := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(info.DynamoDB) })
	if _, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(info.TableName)}); err != nil {
		t.Errorf("DynamoDB Local at %s, table %s: %v", info.DynamoDB, info.TableName, err)
	}

	// A user of the pool connects with an ID token and gets answers.
	idp := cip.NewFromConfig(awsCfg, func(o *cip.Options) { o.BaseEndpoint = aws.String(info.Cognito) })
	token := signUp(t, ctx, idp, info, "dev-runner@example.com", "a-long-password")
	conn, _, err := websocket.Dial(ctx, info.WSURL+"?token="+token, nil)
	if err != nil {
		t.Fatalf("connect with a token: %v (see the dev log)", err)
	}
	defer conn.CloseNow()
	if err := conn.Write(ctx, websocket.MessageText, []byte(`{"action":"ping","requestId":"r1"}`)); err != nil {
		t.Fatal(err)
	}
	for {
		_, frame, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for the pong: %v", err)
		}
		var head struct{ Type, RequestID string }
		if json.Unmarshal(frame, &head) == nil && head.Type == "pong" && head.RequestID == "r1" {
			break
		}
	}
	conn.Close(websocket.StatusNormalClosure, "")
}

func dynamoClientOf(info readyInfo) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region: info.Region, BaseEndpoint: aws.String(info.DynamoDB),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

func putItem(t *testing.T, info readyInfo, pk string) {
	t.Helper()
	if _, err := dynamoClientOf(info).PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String(info.TableName),
		Item: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: pk},
			"sk": &ddbtypes.AttributeValueMemberS{Value: "test"},
		},
	}); err != nil {
		t.Fatalf("put item: %v", err)
	}
}

func hasItem(t *testing.T, info readyInfo, pk string) bool {
	t.Helper()
	out, err := dynamoClientOf(info).GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(info.TableName),
		Key: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: pk},
			"sk": &ddbtypes.AttributeValueMemberS{Value: "test"},
		},
	})
	if err != nil {
		t.Fatalf("get item: %v", err)
	}
	return out.Item != nil
}

func s3ClientOf(info readyInfo) *s3.Client {
	return s3.New(s3.Options{
		Region: info.Region, BaseEndpoint: aws.String(info.S3), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

func putFile(t *testing.T, info readyInfo, key, body string) {
	t.Helper()
	if _, err := s3ClientOf(info).PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(info.Bucket), Key: aws.String(key), Body: strings.NewReader(body),
	}); err != nil {
		t.Fatalf("put %s in %s at %s: %v", key, info.Bucket, info.S3, err)
	}
}

func getFile(t *testing.T, info readyInfo, key string) string {
	t.Helper()
	out, err := s3ClientOf(info).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(info.Bucket), Key: aws.String(key)})
	if err != nil {
		t.Errorf("get %s: %v", key, err)
		return ""
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	return string(b)
}

func signUp(t *testing.T, ctx context.Context, idp *cip.Client, info readyInfo, email, password string) string {
	t.Helper()
	if _, err := idp.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(info.ClientID), Username: aws.String(email), Password: aws.String(password),
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
	}); err != nil {
		t.Fatalf("sign up: %v", err)
	}
	if _, err := idp.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(info.UserPoolID), Username: aws.String(email)}); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	out, err := idp.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(info.ClientID), AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	return aws.ToString(out.AuthenticationResult.IdToken)
}

// interrupt sends SIGINT (Ctrl-C) and checks that dev exits cleanly and
// takes every emulator process with it.
func (r *devRun) interrupt(t *testing.T) {
	t.Helper()
	if len(r.info.PIDs) != 2 {
		t.Errorf("emulator pids = %v, want dynamodb-local and cognito-local", r.info.PIDs)
	}
	for name, pid := range r.info.PIDs {
		if !alive(pid) {
			t.Errorf("%s (pid %d) not running before the interrupt", name, pid)
		}
	}
	if err := r.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("dev exited with %v after SIGINT, want 0", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("dev did not exit within a minute of SIGINT")
	}
	for name, pid := range r.info.PIDs {
		if alive(pid) {
			t.Errorf("%s (pid %d) still running after dev exited", name, pid)
		}
		if members := groupMembers(pid); len(members) > 0 {
			t.Errorf("%s's process group %d still has processes %v", name, pid, members)
		}
	}
	if _, err := os.Stat(r.ready); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ready file left behind: %v", err)
	}
}

// kill sends SIGKILL, which dev cannot catch: the kernel must end the
// emulators (Pdeathsig).
func (r *devRun) kill(t *testing.T) {
	t.Helper()
	if err := r.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-r.done
	deadline := time.Now().Add(time.Minute)
	for name, pid := range r.info.PIDs {
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond) // the kernel's SIGKILL is delivered asynchronously
		}
		if alive(pid) {
			t.Errorf("%s (pid %d) outlived a SIGKILLed dev", name, pid)
		}
	}
}

// alive: /proc has the pid and it is not a zombie.
func alive(pid int) bool {
	return procState(pid) != 0 && procState(pid) != 'Z'
}

func procState(pid int) byte {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || len(s) < i+3 {
		return 0
	}
	return s[i+2]
}

// groupMembers lists live processes whose process group is pgid.
func groupMembers(pgid int) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if g, err := syscall.Getpgid(pid); err == nil && g == pgid && alive(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(get(t, url)), v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func statusOf(resp *http.Response) string {
	if resp == nil {
		return "none"
	}
	return resp.Status
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// checkMailPage: a mail sent to the banner's SES v2 endpoint with the real
// SDK client shows on the local mail page (escaped), and the unsubscribe
// endpoint refuses a forged link.
func checkMailPage(t *testing.T, info readyInfo) {
	t.Helper()
	if info.MailsURL == "" || info.SESv2 == "" || info.Scheduler == "" || info.Unsubscribe == "" {
		t.Fatalf("ready file lacks the digest's endpoints: %+v", info)
	}
	client := sesv2.New(sesv2.Options{Region: info.Region, BaseEndpoint: aws.String(info.SESv2),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	_, err := client.SendEmail(context.Background(), &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("noreply@backchannel.localhost"),
		Destination:      &sestypes.Destination{ToAddresses: []string{"bo@example.com"}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String("Hello <Bo>")},
			Body:    &sestypes.Body{Text: &sestypes.Content{Data: aws.String("hi")}},
		}},
	})
	if err != nil {
		t.Fatalf("SendEmail to the stand-in: %v", err)
	}
	resp, err := http.Get(info.MailsURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Hello &lt;Bo&gt;") {
		t.Fatalf("mail page: %d\n%s", resp.StatusCode, body)
	}
	resp, err = http.Post(info.Unsubscribe+"?t=forged", "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a forged unsubscribe link: %d, want 400", resp.StatusCode)
	}
}
