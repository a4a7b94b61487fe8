package dynamo

import (
	"os"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// LocalEndpointOptions is a dynamodb.NewFromConfig option: against a
// DynamoDB endpoint of our own (DynamoDB Local in `make dev` and the tests)
// the client does not check the responses' x-amz-crc32: DynamoDB Local's
// error responses carry none that matches, and the SDK warned "response did
// not match expected checksum" on every one. Against AWS (no endpoint
// override) the check stays on.
func LocalEndpointOptions(o *dynamodb.Options) {
	if os.Getenv("AWS_ENDPOINT_URL_DYNAMODB") != "" || os.Getenv("AWS_ENDPOINT_URL") != "" {
		o.DisableValidateResponseChecksum = true
	}
}
