package dynamo

import (
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	gdynamo "github.com/guregu/dynamo/v2"
	"github.com/guregu/dynamo/v2/dynamodbiface"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.Store = (*Store)(nil)

// connectionTTL is how long a connection item lives: past API Gateway's
// 2-hour maximum, so a connection whose $disconnect never ran expires.
const connectionTTL = 3 * time.Hour

// Store implements chat.Store over one DynamoDB table.
type Store struct {
	db    *gdynamo.DB
	api   dynamodbiface.DynamoDBAPI // the client every request goes through
	table gdynamo.Table
	name  string
	now   func() time.Time
}

// Option configures a Store.
type Option func(*options)

type options struct {
	record func(op string, units float64)
	now    func() time.Time
}

// WithCapacityRecorder makes every request ask for its consumed capacity
// (ReturnConsumedCapacity TOTAL) and report it to record, once per request
// sent, with op "<StoreMethod>:<DynamoDBOperation>" (for example
// "AppendMessage:TransactWriteItems"). record must be safe for concurrent use.
func WithCapacityRecorder(record func(op string, units float64)) Option {
	return func(o *options) { o.record = record }
}

// WithClock replaces time.Now (tests of rate-limit windows and TTLs).
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// New returns a Store over table, sending requests through client.
func New(client *dynamodb.Client, table string, opts ...Option) (*Store, error) {
	if client == nil {
		return nil, errors.New("dynamo: nil client")
	}
	if table == "" {
		return nil, errors.New("dynamo: empty table name")
	}
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	var api dynamodbiface.DynamoDBAPI = client
	if o.record != nil {
		api = &meteredClient{Client: client, record: o.record}
	}
	db := gdynamo.NewFromIface(api)
	return &Store{db: db, api: api, table: db.Table(table), name: table, now: o.now}, nil
}

// TableName is the name of the table the store uses.
func (s *Store) TableName() string { return s.name }
