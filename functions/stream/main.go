// Command stream is the Lambda behind the table's DynamoDB stream.
//
// PLACEHOLDER for the infra branch only: the real main.go (decoder and
// EventBridge publisher) comes from the stream helper's branch and replaces
// this file at merge. Until then it fails every batch, so nothing is
// silently dropped: the event source mapping retries, bisects and finally
// sends the batch's stream position to the failure queue.
package main

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		return events.DynamoDBEventResponse{}, errors.New("stream: placeholder build, not the real handler")
	})
}
