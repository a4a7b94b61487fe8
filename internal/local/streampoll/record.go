package streampoll

import (
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	st "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// lambdaRecord is a GetRecords record as Lambda's event source mapping
// hands it to a function: the same fields, lower-case envelope names, the
// stream's ARN as eventSourceARN, creation time in epoch seconds.
func lambdaRecord(r st.Record, streamARN string) (events.DynamoDBEventRecord, error) {
	out := events.DynamoDBEventRecord{
		AWSRegion:      aws.ToString(r.AwsRegion),
		EventID:        aws.ToString(r.EventID),
		EventName:      string(r.EventName),
		EventSource:    aws.ToString(r.EventSource),
		EventVersion:   aws.ToString(r.EventVersion),
		EventSourceArn: streamARN,
	}
	if r.UserIdentity != nil {
		out.UserIdentity = &events.DynamoDBUserIdentity{
			Type: aws.ToString(r.UserIdentity.Type), PrincipalID: aws.ToString(r.UserIdentity.PrincipalId),
		}
	}
	if d := r.Dynamodb; d != nil {
		var err error
		c := &out.Change
		if d.ApproximateCreationDateTime != nil {
			c.ApproximateCreationDateTime = events.SecondsEpochTime{Time: *d.ApproximateCreationDateTime}
		}
		if c.Keys, err = image(d.Keys); err != nil {
			return out, fmt.Errorf("Keys: %w", err)
		}
		if c.NewImage, err = image(d.NewImage); err != nil {
			return out, fmt.Errorf("NewImage: %w", err)
		}
		if c.OldImage, err = image(d.OldImage); err != nil {
			return out, fmt.Errorf("OldImage: %w", err)
		}
		c.SequenceNumber = aws.ToString(d.SequenceNumber)
		c.SizeBytes = aws.ToInt64(d.SizeBytes)
		c.StreamViewType = string(d.StreamViewType)
	}
	return out, nil
}

func image(m map[string]st.AttributeValue) (map[string]events.DynamoDBAttributeValue, error) {
	if m == nil {
		return nil, nil
	}
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		a, err := attr(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = a
	}
	return out, nil
}

func attr(v st.AttributeValue) (events.DynamoDBAttributeValue, error) {
	switch v := v.(type) {
	case *st.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value), nil
	case *st.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value), nil
	case *st.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value), nil
	case *st.AttributeValueMemberNULL:
		return events.NewNullAttribute(), nil
	case *st.AttributeValueMemberB:
		return events.NewBinaryAttribute(v.Value), nil
	case *st.AttributeValueMemberSS:
		return events.NewStringSetAttribute(v.Value), nil
	case *st.AttributeValueMemberNS:
		return events.NewNumberSetAttribute(v.Value), nil
	case *st.AttributeValueMemberBS:
		return events.NewBinarySetAttribute(v.Value), nil
	case *st.AttributeValueMemberL:
		list := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, e := range v.Value {
			a, err := attr(e)
			if err != nil {
				return a, err
			}
			list[i] = a
		}
		return events.NewListAttribute(list), nil
	case *st.AttributeValueMemberM:
		m, err := image(v.Value)
		if err != nil {
			return events.DynamoDBAttributeValue{}, err
		}
		return events.NewMapAttribute(m), nil
	case nil:
		// The streams client decodes an empty map ({"M": {}}, a new poll's
		// votes) as no value at all; Lambda's JSON has the empty map.
		return events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{}), nil
	}
	return events.DynamoDBAttributeValue{}, fmt.Errorf("unsupported attribute value %T", v)
}
