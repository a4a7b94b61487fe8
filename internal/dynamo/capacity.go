package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// opKey labels a context with the Store method running, so the capacity
// recorder can say which method a request belongs to.
type opKey struct{}

func withOp(ctx context.Context, op string) context.Context {
	return context.WithValue(ctx, opKey{}, op)
}

func opOf(ctx context.Context, api string) string {
	if op, ok := ctx.Value(opKey{}).(string); ok {
		return op + ":" + api
	}
	return api
}

// meteredClient is the DynamoDB client with every data-plane request asking
// for its total consumed capacity and reporting it. Embedding keeps every
// other method of the client as is.
type meteredClient struct {
	*dynamodb.Client
	record func(op string, units float64)
}

func units(ccs ...types.ConsumedCapacity) float64 {
	var total float64
	for _, cc := range ccs {
		if cc.CapacityUnits != nil {
			total += *cc.CapacityUnits
		}
	}
	return total
}

func unitsOf(cc *types.ConsumedCapacity) float64 {
	if cc == nil {
		return 0
	}
	return units(*cc)
}

func (m *meteredClient) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.Client.GetItem(ctx, in, opt...)
	var u float64
	if out != nil {
		u = unitsOf(out.ConsumedCapacity)
	}
	m.record(opOf(ctx, "GetItem"), u)
	return out, err
}

func (m *meteredClient) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.Client.PutItem(ctx, in, opt...)
	var u float64
	if out != nil {
		u = unitsOf(out.ConsumedCapacity)
	}
	m.record(opOf(ctx, "PutItem"), u)
	return out, err
}

func (m *meteredClient) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.Client.UpdateItem(ctx, in, opt...)
	var u float64
	if out != nil {
		u = unitsOf(out.ConsumedCapacity)
	}
	m.record(opOf(ctx, "UpdateItem"), u)
	return out, err
}

func (m *meteredClient) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.Client.DeleteItem(ctx, in, opt...)
	var u float64
	if out != nil {
		u = unitsOf(out.ConsumedCapacity)
	}
	m.record(opOf(ctx, "DeleteItem"), u)
	return out, err
}

func (m *meteredClient) Query(ctx context.Context, in *dynamodb.QueryInput, opt ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.Client.Query(ctx, in, opt...)
	var u float64
	if out != nil {
		u = unitsOf(out.ConsumedCapacity)
	}
	m.record(opOf(ctx, "Query"), u)
	return out, err
}

func (m *meteredClient) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.Client.BatchGetItem(ctx, in, opt...)
	var u float64
	if out != nil {
		u = units(out.ConsumedCapacity...)
	}
	m.record(opOf(ctx, "BatchGetItem"), u)
	return out, err
}

func (m *meteredClient) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opt ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.Client.BatchWriteItem(ctx, in, opt...)
	var u float64
	if out != nil {
		u = units(out.ConsumedCapacity...)
	}
	m.record(opOf(ctx, "BatchWriteItem"), u)
	return out, err
}

func (m *meteredClient) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opt ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.Client.TransactWriteItems(ctx, in, opt...)
	var u float64
	if out != nil {
		u = units(out.ConsumedCapacity...)
	}
	m.record(opOf(ctx, "TransactWriteItems"), u)
	return out, err
}

func (m *meteredClient) TransactGetItems(ctx context.Context, in *dynamodb.TransactGetItemsInput, opt ...func(*dynamodb.Options)) (*dynamodb.TransactGetItemsOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.Client.TransactGetItems(ctx, in, opt...)
	var u float64
	if out != nil {
		u = units(out.ConsumedCapacity...)
	}
	m.record(opOf(ctx, "TransactGetItems"), u)
	return out, err
}
