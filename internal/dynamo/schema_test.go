package dynamo_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

func TestCreateTableIsIdempotentAndComplete(t *testing.T) {
	cfg := testenv.AWSConfig(t)
	client := dynamodb.NewFromConfig(cfg)
	ctx := context.Background()
	name := testenv.NewTable(t, cfg)

	// A second call on the existing table succeeds.
	if err := dynamo.CreateTable(ctx, client, name); err != nil {
		t.Fatalf("second dynamo.CreateTable: %v", err)
	}

	desc, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	tbl := desc.Table
	if tbl.TableStatus != types.TableStatusActive {
		t.Errorf("status = %s, want ACTIVE", tbl.TableStatus)
	}
	if got := keySchema(tbl.KeySchema); got != "pk:HASH sk:RANGE" {
		t.Errorf("key schema = %q", got)
	}
	if len(tbl.GlobalSecondaryIndexes) != 1 {
		t.Fatalf("GSIs = %d, want 1", len(tbl.GlobalSecondaryIndexes))
	}
	gsi := tbl.GlobalSecondaryIndexes[0]
	if aws.ToString(gsi.IndexName) != dynamo.IndexGSI1 || keySchema(gsi.KeySchema) != "gsi1pk:HASH gsi1sk:RANGE" ||
		gsi.Projection.ProjectionType != types.ProjectionTypeAll {
		t.Errorf("gsi = %s %q %s", aws.ToString(gsi.IndexName), keySchema(gsi.KeySchema), gsi.Projection.ProjectionType)
	}
	if tbl.StreamSpecification == nil || !aws.ToBool(tbl.StreamSpecification.StreamEnabled) ||
		tbl.StreamSpecification.StreamViewType != types.StreamViewTypeNewAndOldImages {
		t.Errorf("stream = %+v, want NEW_AND_OLD_IMAGES", tbl.StreamSpecification)
	}
	if tbl.BillingModeSummary == nil || tbl.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing = %+v, want PAY_PER_REQUEST", tbl.BillingModeSummary)
	}

	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if d := ttl.TimeToLiveDescription; d == nil || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != dynamo.AttrTTL {
		t.Errorf("ttl = %+v, want enabled on %q", d, dynamo.AttrTTL)
	}
}

func keySchema(ks []types.KeySchemaElement) string {
	s := ""
	for i, k := range ks {
		if i > 0 {
			s += " "
		}
		s += aws.ToString(k.AttributeName) + ":" + string(k.KeyType)
	}
	return s
}
