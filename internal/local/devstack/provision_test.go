package devstack_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/backchannel-chat/backchannel/internal/local/devstack"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

// startAgainstTestEmulators starts a Stack that uses the DynamoDB and
// Cognito emulators of scripts/testenv (as if they were LocalStack: given
// by endpoint variables) plus an in-process S3 of its own.
func startAgainstTestEmulators(t *testing.T, names devstack.Names) *devstack.Stack {
	t.Helper()
	testenv.AWSConfig(t) // skips outside the integration environment
	stack, err := devstack.Start(context.Background(), devstack.Options{
		S3:        true,
		Provision: true,
		Names:     names,
		Getenv: func(name string) string {
			switch name {
			case "AWS_REGION", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER":
				return os.Getenv(name)
			}
			return "" // nothing else from the caller's environment
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := stack.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return stack
}

func uniqueNames(t *testing.T) devstack.Names {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	s := hex.EncodeToString(b)
	return devstack.Names{Table: "idem-" + s, UserPool: "idem-" + s, AppClient: "web-" + s, Bucket: "files-" + s}
}

func TestProvisioningTwiceFindsTheSameResources(t *testing.T) {
	names := uniqueNames(t)
	first := startAgainstTestEmulators(t, names)
	second := startAgainstTestEmulators(t, names)

	a, b := first.Resources, second.Resources
	if a.UserPoolID == "" || a.ClientID == "" {
		t.Fatalf("first run provisioned no pool or client: %+v", a)
	}
	if a.TableName != b.TableName || a.UserPoolID != b.UserPoolID || a.ClientID != b.ClientID || a.Issuer != b.Issuer {
		t.Fatalf("second run differs:\n first  %+v\n second %+v", a, b)
	}
	if a.Issuer != os.Getenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER")+"/"+a.UserPoolID {
		t.Errorf("issuer %s is not cognito-local's endpoint/poolId", a.Issuer)
	}
	if !first.DynamoDB.External || !first.Cognito.External || first.S3.External {
		t.Errorf("external = dynamodb %v, cognito %v, s3 %v; want true, true, false",
			first.DynamoDB.External, first.Cognito.External, first.S3.External)
	}

	ctx := context.Background()
	cognito := second.CognitoClient()
	pools := countPoolsNamed(t, cognito, names.UserPool)
	if pools != 1 {
		t.Errorf("%d pools named %s, want 1", pools, names.UserPool)
	}
	clients, err := cognito.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(a.UserPoolID), MaxResults: aws.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	if len(clients.UserPoolClients) != 1 {
		t.Errorf("%d app clients, want 1", len(clients.UserPoolClients))
	}
	groups, err := cognito.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(a.UserPoolID)})
	if err != nil {
		t.Fatal(err)
	}
	var groupNames []string
	for _, g := range groups.Groups {
		groupNames = append(groupNames, aws.ToString(g.GroupName))
	}
	slices.Sort(groupNames)
	if !slices.Equal(groupNames, []string{"admins", "moderators"}) {
		t.Errorf("groups = %v, want admins, moderators", groupNames)
	}
	client, err := cognito.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(a.UserPoolID), ClientId: aws.String(a.ClientID)})
	if err != nil {
		t.Fatal(err)
	}
	if client.UserPoolClient.ClientSecret != nil {
		t.Error("the web app client has a secret; a browser cannot keep one")
	}

	if _, err := second.DynamoDBClient().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(names.Table)}); err != nil {
		t.Errorf("table: %v", err)
	}
	if _, err := second.S3Client().HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(names.Bucket)}); err != nil {
		t.Errorf("bucket: %v", err)
	}
	// Ensuring the bucket again on the same server is a no-op.
	if err := devstack.EnsureBucket(ctx, second.S3Client(), names.Bucket); err != nil {
		t.Errorf("second EnsureBucket: %v", err)
	}

	t.Cleanup(func() {
		_, _ = cognito.DeleteUserPool(context.Background(), &cip.DeleteUserPoolInput{UserPoolId: aws.String(a.UserPoolID)})
		_, _ = second.DynamoDBClient().DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(names.Table)})
	})
}

func TestGivenPoolAndClientAreUsedAsIs(t *testing.T) {
	testenv.AWSConfig(t)
	names := uniqueNames(t)
	stack, err := devstack.Start(context.Background(), devstack.Options{
		Provision: true,
		Names:     names,
		Getenv: func(name string) string {
			switch name {
			case "COGNITO_USER_POOL_ID":
				return "us-east-1_given"
			case "COGNITO_CLIENT_ID":
				return "given-client"
			case "COGNITO_ISSUER":
				return "https://issuer.example/us-east-1_given"
			}
			return os.Getenv(name)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stack.Close()
	r := stack.Resources
	if r.UserPoolID != "us-east-1_given" || r.ClientID != "given-client" || r.Issuer != "https://issuer.example/us-east-1_given" {
		t.Errorf("resources = %+v, want the given pool, client and issuer", r)
	}
	if n := countPoolsNamed(t, stack.CognitoClient(), names.UserPool); n != 0 {
		t.Errorf("a pool was created although one was given")
	}
	_, _ = stack.DynamoDBClient().DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(r.TableName)})
}

func countPoolsNamed(t *testing.T, c *cip.Client, name string) int {
	t.Helper()
	out, err := c.ListUserPools(context.Background(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range out.UserPools {
		if aws.ToString(p.Name) == name {
			n++
		}
	}
	return n
}

func TestIssuer(t *testing.T) {
	for _, tc := range []struct{ endpoint, want string }{
		{"http://127.0.0.1:9229", "http://127.0.0.1:9229/pool"},
		{"http://127.0.0.1:9229/", "http://127.0.0.1:9229/pool"},
		{"https://cognito-idp.eu-west-1.amazonaws.com", "https://cognito-idp.eu-west-1.amazonaws.com/pool"},
	} {
		if got := devstack.Issuer(tc.endpoint, "eu-west-1", "pool"); got != tc.want {
			t.Errorf("Issuer(%s) = %s, want %s", tc.endpoint, got, tc.want)
		}
	}
}
