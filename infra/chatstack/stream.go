package chatstack

import (
	"encoding/json"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/eventbus"
)

// EventSource is the EventBridge source of every chat event the stream
// function publishes (the detail-type is the chat.EventType).
const EventSource = eventbus.Source

// The table stream's event source mapping. Lambda polls a DynamoDB stream
// four times a second per shard at no charge, so an idle chat costs
// nothing; these settings trade a little latency for fewer invocations
// under load.
const (
	// StreamBatchSize: up to 100 records per invocation (DynamoDB's default):
	// at most ten PutEvents calls of ten entries each, far inside the
	// function's timeout.
	StreamBatchSize = 100
	// StreamBatchWindowSeconds: wait up to 1 s to fill a batch. A burst of
	// messages is one invocation instead of one per record, and an event
	// still reaches the bus about a second after the write.
	StreamBatchWindowSeconds = 1
	// StreamRetryAttempts and StreamMaxRecordAgeSeconds bound the retries
	// of a failing batch (bisected on each error, so one bad record is
	// isolated): after 3 retries, or once a record is an hour old, its
	// batch's stream position goes to the failure queue and the shard
	// moves on instead of stalling every later event for up to the
	// stream's 24 hours. A chat event more than an hour late is of little
	// use to the integrations it feeds.
	StreamRetryAttempts       = 3
	StreamMaxRecordAgeSeconds = 3600
	// StreamFailureRetentionDays: how long failed-batch records wait in the
	// failure queue (SQS's maximum). They point into the stream, which
	// keeps records for 24 hours: replay within a day, inspect for 14.
	StreamFailureRetentionDays = 14
)

// streamReadActions are what Lambda's event source mapping needs of the
// execution role to poll the stream (the set CDK's grantStreamRead gives).
// ListStreams supports no resource-level permissions: it goes on "*" in a
// statement of its own.
var streamReadActions = []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}

// AnalyticsRunKeys are the partition keys the stream function may put
// items in: the analytics consumer's run markers (dynamo.AnalyticsRunPK).
const AnalyticsRunKeys = "ANXRUN#*"

// roomPurgeActions are what the room purger does to the table.
var roomPurgeActions = []string{"dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"}

// eventBus creates the custom bus the stream function publishes chat
// events to (and, when asked, its archive) and the queue that receives
// the stream batches the function could not process. Both come before the
// functions: the stream function's environment names the bus.
//
// The bus and the archive keep CloudFormation's default removal (deleted
// with the stack): the bus holds nothing and its name is fixed, so a
// retained one would block the next deployment; the archive is a replay
// aid, not a record (the table is).
func (b *builder) eventBus() {
	b.bus = awsevents.NewEventBus(b.stack, jsii.String("EventBus"), &awsevents.EventBusProps{
		EventBusName: jsii.String(b.eventBusName()),
		Description:  jsii.String("Backchannel chat events (source " + EventSource + ", detail-type e.g. message.created)"),
	})
	if b.props.EventArchive {
		b.archive = b.bus.Archive(jsii.String("EventArchive"), &awsevents.BaseArchiveProps{
			Description:  jsii.String("Every Backchannel chat event, for replay"),
			EventPattern: &awsevents.EventPattern{Source: jsii.Strings(EventSource)},
			Retention:    awscdk.Duration_Days(jsii.Number(b.props.EventArchiveDays)),
		})
		// CDK 2.240 writes KmsKeyIdentifier "" when no key is given, which is
		// not a valid key and fails deployment in some regions (aws-cdk
		// issue 37847): without the property the archive uses the AWS
		// owned key, as the bus does.
		b.archive.Node().DefaultChild().(awscdk.CfnResource).AddPropertyDeletionOverride(jsii.String("KmsKeyIdentifier"))
	}

	// SQS-managed encryption: no key to pay for or to grant to the
	// function (a customer key would need kms:GenerateDataKey on its role).
	b.streamFailures = awssqs.NewQueue(b.stack, jsii.String("StreamFailureQueue"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(StreamFailureRetentionDays)),
		RemovalPolicy:   b.removal(),
	})
}

// eventBusName is "<stack name>-<stage>-events": one bus per stack and
// stage, so two deployments in one account never share one.
func (b *builder) eventBusName() string {
	return *b.stack.StackName() + "-" + b.props.StageName + "-events"
}

// streamEnv is the stream function's environment (the wiring contract).
func (b *builder) streamEnv() map[string]*string {
	includeText := "false"
	if b.props.EventsIncludeText {
		includeText = "true"
	}
	env := map[string]*string{
		"EVENT_BUS_NAME":      b.bus.EventBusName(),
		"EVENTS_INCLUDE_TEXT": jsii.String(includeText),
		"LOG_LEVEL":           jsii.String(b.props.LogLevel),
		// The file sweeper deletes a deleted message's files.
		"FILES_BUCKET": b.filesBucket.BucketName(),
		// The search indexer keeps the message search postings; the room
		// purger removes a deleted channel's items.
		"TABLE_NAME": b.table.TableName(),
	}
	for k, v := range b.streamPushEnv() { // the notifier (push.go)
		env[k] = v
	}
	for k, v := range b.streamUnfurlEnv() { // the link-preview enqueuer (unfurl.go)
		env[k] = v
	}
	for k, v := range b.retentionEnv() { // the re-stamp after a room's retention changed
		env[k] = v
	}
	return env
}

// streamGrantsAndMapping lets the stream function read the table's stream,
// put events on the bus and send failed batches to the failure queue
// (nothing else), and maps the stream to it.
//
// The mapping is the L1 resource rather than CDK's DynamoEventSource, whose
// grants add sqs:GetQueueAttributes and sqs:GetQueueUrl to the function's
// role: Lambda needs only sqs:SendMessage for an on-failure destination.
func (b *builder) streamGrantsAndMapping() {
	fn := b.fns["stream"]
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(streamReadActions...),
		Resources: jsii.Strings(*b.table.TableStreamArn()),
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("dynamodb:ListStreams"),
		Resources: jsii.Strings("*"),
	}))
	// The file sweeper (internal/filesweep): DeleteObjects needs
	// s3:DeleteObject on each key, originals and thumbnails only.
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:DeleteObject"),
		Resources: jsii.Strings(b.filesObjects(chat.FilesPrefix+"*"), b.filesObjects(chat.ThumbsPrefix+"*")),
	}))
	// The room purger (internal/roompurge, dynamo.Store.PurgeRoom): reads
	// the deleted room's META item, queries its partitions' keys,
	// batch-deletes them, replaces reports' message copies, bumps the
	// META item's purgePass and deletes it last. The table only, not its
	// indexes. The search indexer (internal/search) needs only its
	// BatchWriteItem of the posting items (SRCH#<room>); a statement of its
	// own limited to those keys would grant nothing this one does not, so
	// there is none.
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(roomPurgeActions...),
		Resources: jsii.Strings(*b.table.TableArn()),
	}))
	// Usage analytics (internal/analytics): each run's transaction puts
	// its two markers (ANXRUN#<seq>) and updates the aggregates
	// (UpdateItem, above); reads of the rooms' member counts are
	// BatchGetItem (the notifier's, below). PutItem is for the markers'
	// partitions only.
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("dynamodb:PutItem"),
		Resources: jsii.Strings(*b.table.TableArn()),
		Conditions: &map[string]any{
			"ForAllValues:StringLike": map[string]any{"dynamodb:LeadingKeys": []string{AnalyticsRunKeys}},
		},
	}))
	// The workspace default's re-stamp (internal/retention, dynamo
	// RoomsPage): pages of the table's rooms, by Scan (there is no index of
	// every room), once per change of the default. The table only.
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("dynamodb:Scan"),
		Resources: jsii.Strings(*b.table.TableArn()),
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("events:PutEvents"),
		Resources: jsii.Strings(*b.bus.EventBusArn()),
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sqs:SendMessage"),
		Resources: jsii.Strings(*b.streamFailures.QueueArn()),
	}))

	b.streamMapping = awslambda.NewCfnEventSourceMapping(b.stack, jsii.String("StreamEventSource"), &awslambda.CfnEventSourceMappingProps{
		FunctionName:                   fn.FunctionName(),
		EventSourceArn:                 b.table.TableStreamArn(),
		StartingPosition:               jsii.String("LATEST"),
		BatchSize:                      jsii.Number(StreamBatchSize),
		MaximumBatchingWindowInSeconds: jsii.Number(StreamBatchWindowSeconds),
		// One concurrent batch per shard keeps each item's changes in order.
		ParallelizationFactor:      jsii.Number(1),
		BisectBatchOnFunctionError: jsii.Bool(true),
		MaximumRetryAttempts:       jsii.Number(StreamRetryAttempts),
		MaximumRecordAgeInSeconds:  jsii.Number(StreamMaxRecordAgeSeconds),
		FunctionResponseTypes:      jsii.Strings("ReportBatchItemFailures"),
		DestinationConfig: &awslambda.CfnEventSourceMapping_DestinationConfigProperty{
			OnFailure: &awslambda.CfnEventSourceMapping_OnFailureProperty{Destination: b.streamFailures.QueueArn()},
		},
		FilterCriteria: &awslambda.CfnEventSourceMapping_FilterCriteriaProperty{Filters: streamFilters()},
	})
	// Lambda checks the role's stream permissions when the mapping is
	// created: wait for the policy, not only for the function.
	if policy := fn.Role().Node().TryFindChild(jsii.String("DefaultPolicy")); policy != nil {
		b.streamMapping.Node().AddDependency(policy)
	}
}

// streamFilters is one Lambda event filter per rule of
// dynamo.EventSourceKeys, on the record's keys (dynamodb.Keys.pk.S and
// .sk.S, with the "equals" and "prefix" operators). Filters are ORed;
// Lambda allows five per mapping (ten on request). A record no filter
// matches is skipped without invoking the function.
func streamFilters() *[]interface{} {
	var filters []interface{}
	for _, rule := range dynamo.EventSourceKeys {
		keys := map[string]any{dynamo.AttrPK: map[string]any{"S": []any{map[string]string{"prefix": rule.PKPrefix}}}}
		switch {
		case rule.SK != "":
			keys[dynamo.AttrSK] = map[string]any{"S": []any{rule.SK}}
		case rule.SKPrefix != "":
			keys[dynamo.AttrSK] = map[string]any{"S": []any{map[string]string{"prefix": rule.SKPrefix}}}
		}
		pattern, err := json.Marshal(map[string]any{"dynamodb": map[string]any{"Keys": keys}})
		if err != nil {
			panic(err) // maps of strings always marshal
		}
		filters = append(filters, &awslambda.CfnEventSourceMapping_FilterProperty{Pattern: jsii.String(string(pattern))})
	}
	// Usage analytics counts connections opened and closed: their inserts
	// and removals, not their updates (the fifth and last filter Lambda
	// allows by default).
	for _, rule := range dynamo.AnalyticsSourceKeys {
		pattern, err := json.Marshal(map[string]any{
			"eventName": []any{"INSERT", "REMOVE"},
			"dynamodb": map[string]any{"Keys": map[string]any{
				dynamo.AttrPK: map[string]any{"S": []any{map[string]string{"prefix": rule.PKPrefix}}},
				dynamo.AttrSK: map[string]any{"S": []any{rule.SK}},
			}},
		})
		if err != nil {
			panic(err)
		}
		filters = append(filters, &awslambda.CfnEventSourceMapping_FilterProperty{Pattern: jsii.String(string(pattern))})
	}
	return &filters
}
