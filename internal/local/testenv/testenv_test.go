package testenv_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

func TestNewTableHasTheChatSchema(t *testing.T) {
	cfg := testenv.AWSConfig(t)
	name := testenv.NewTable(t, cfg)
	out, err := dynamodb.NewFromConfig(cfg).DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Table.GlobalSecondaryIndexes) != 1 || aws.ToString(out.Table.GlobalSecondaryIndexes[0].IndexName) != "gsi1" {
		t.Errorf("indexes = %+v, want gsi1", out.Table.GlobalSecondaryIndexes)
	}
	if other := testenv.NewTable(t, cfg); other == name {
		t.Errorf("two tables got the same name %q", name)
	}
}

func TestSignUpReturnsAnIDTokenOfThePool(t *testing.T) {
	cfg := testenv.AWSConfig(t)
	pool := testenv.NewUserPool(t, cfg)
	token := testenv.SignUp(t, cfg, pool, "ann@example.com", "correct-horse", "Ann Example")

	header, claims := decodeJWT(t, token)
	if claims["iss"] != pool.Issuer {
		t.Errorf("iss = %v, want %s", claims["iss"], pool.Issuer)
	}
	if claims["aud"] != pool.ClientID || claims["token_use"] != "id" {
		t.Errorf("aud, token_use = %v, %v; want %s, id", claims["aud"], claims["token_use"], pool.ClientID)
	}
	// (cognito-local puts only email and custom:* attributes in ID tokens,
	// not "name": the display name falls back to the email's local part.)
	if claims["email"] != "ann@example.com" || claims["sub"] == "" || claims["cognito:username"] == "" {
		t.Errorf("email, sub, cognito:username = %v, %v, %v", claims["email"], claims["sub"], claims["cognito:username"])
	}

	// The key that signed it is published where Pool.JWKSURL says.
	resp, err := http.Get(pool.JWKSURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var jwks struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&jwks); err != nil {
		t.Fatalf("JWKS at %s: %v", pool.JWKSURL, err)
	}
	found := false
	for _, k := range jwks.Keys {
		found = found || k.Kid == header["kid"]
	}
	if !found {
		t.Errorf("kid %v not in the JWKS at %s (%+v)", header["kid"], pool.JWKSURL, jwks.Keys)
	}
}

func TestUserPoolsAreIsolated(t *testing.T) {
	cfg := testenv.AWSConfig(t)
	a, b := testenv.NewUserPool(t, cfg), testenv.NewUserPool(t, cfg)
	if a.ID == b.ID || a.ClientID == b.ClientID {
		t.Fatalf("pools share ids: %+v %+v", a, b)
	}
	// The same email signs up in both: they are different user pools.
	testenv.SignUp(t, cfg, a, "bob@example.com", "password-1", "Bob")
	testenv.SignUp(t, cfg, b, "bob@example.com", "password-2", "Bob")
}

func TestNewS3ServesObjectsPathStyle(t *testing.T) {
	endpoint := testenv.NewS3(t)
	key := "local" // the in-process S3's dummy credentials
	if testenv.ExternalS3() != "" {
		key = "test" // LocalStack's
	}
	client := s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(key, key, ""),
	})
	ctx := context.Background()
	bucket := testenv.NewBucket(t, aws.Config{Region: "us-east-1", Credentials: client.Options().Credentials}, endpoint)
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String("a/b.txt"), Body: bytes.NewReader([]byte("hello")),
	}); err != nil {
		t.Fatal(err)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("a/b.txt")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	if b, _ := io.ReadAll(out.Body); string(b) != "hello" {
		t.Errorf("object = %q, want hello", b)
	}
	if testenv.ExternalS3() != "" {
		return // one external S3 for every test
	}
	if other := testenv.NewS3(t); other == endpoint {
		t.Errorf("two S3 servers on one endpoint %s", endpoint)
	}
}

func TestAWSConfigSkipsOutsideTheIntegrationEnvironment(t *testing.T) {
	t.Setenv(testenv.EnvIntegration, "")
	reached := false
	t.Run("inner", func(t *testing.T) {
		testenv.AWSConfig(t)
		reached = true
	})
	if reached {
		t.Error("AWSConfig returned without CHAT_INTEGRATION instead of skipping")
	}
}

func decodeJWT(t *testing.T, token string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	decode := func(s string) map[string]any {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("decode token segment: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("token segment: %v", err)
		}
		return m
	}
	return decode(parts[0]), decode(parts[1])
}
