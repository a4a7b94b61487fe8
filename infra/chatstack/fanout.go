package chatstack

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/backchannel-chat/backchannel/internal/fanout"
	"github.com/backchannel-chat/backchannel/internal/fanoutqueue"
)

// Lambda memory from measurement (docs/FANOUT.md, "Lambda memory"). A
// fan-out takes the longer of two times: the posts' latency spread over
// the workers (recipients × latency / concurrency) and their CPU at the
// function's share of a vCPU (Lambda gives one full vCPU at 1,769 MB and
// proportionally less below).
const (
	// MeasuredCPUPerPostMicros is the sender's CPU per post of the
	// hand-signed poster, one vCPU: `GOMAXPROCS=1 go run
	// ./scripts/bench-fanout -n 5000 -c 64 -poster signed` (76 and 79 µs in
	// two runs, about 12,700 posts per CPU-second, on the shared x86 build
	// host; the larger is used).
	MeasuredCPUPerPostMicros = 79.0
	// CPUSafetyFactor covers arm64 (Graviton) against the x86 host measured
	// and a noisy neighbour: plan with twice the measured CPU.
	CPUSafetyFactor = 2.0
	// FullVCPUMemoryMB is the memory at which Lambda gives one full vCPU.
	FullVCPUMemoryMB = 1769.0
	// PostLatencyMs is API Gateway's answer time for one post assumed here
	// (the loopback benchmark's 20 ms; re-measure with the EMF Duration).
	PostLatencyMs = 20.0
	// IntegrationTimeoutSeconds is API Gateway's limit for a WebSocket
	// route's integration: the inline fan-out of the actions function runs
	// inside it.
	IntegrationTimeoutSeconds = 29.0

	// ActionsMemoryMB: the actions function's largest inline fan-out is
	// fanoutqueue.DefaultThreshold recipients (0.55 s); if the fan-out
	// queue refuses the jobs, the router delivers them inline, so a
	// 10,000-recipient room must still fit: 5.5 s, under a third of 29 s.
	// (At the former 256 MB with the SDK's poster: 179 µs × 2 / 0.145 vCPU
	// = 25 s for 10,000.)
	ActionsMemoryMB = 512
	// ConnectionMemoryMB: the presence fan-out on $connect and $disconnect
	// goes through the same router: the same arithmetic.
	ConnectionMemoryMB = 512
	// FanoutWorkerMemoryMB: a worker's job is 1,000 posts, latency-bound
	// at 0.31 s from 0.58 vCPU up; 1,024 MB keeps its CPU (0.27 s) under
	// that.
	FanoutWorkerMemoryMB = 1024

	// WorstInlineRecipients is the largest fan-out planned inline: a room
	// of 10,000 online when the queue refuses its jobs.
	WorstInlineRecipients = 10000
)

// FanoutSeconds estimates the wall time of one inline fan-out to
// recipients from a function with memoryMB, at fanout.DefaultConcurrency.
func FanoutSeconds(recipients int, memoryMB float64) float64 {
	vcpu := min(1, memoryMB/FullVCPUMemoryMB)
	cpu := float64(recipients) * MeasuredCPUPerPostMicros * CPUSafetyFactor / 1e6 / vcpu
	latency := float64(recipients) * PostLatencyMs / 1000 / fanout.DefaultConcurrency
	return max(cpu, latency)
}

// The fan-out queue and its worker (functions/fanout).
const (
	// FanoutWorkerTimeoutSeconds bounds one job (0.3 s expected; a
	// throttled job backs off up to about 4 s per post).
	FanoutWorkerTimeoutSeconds = 30
	// FanoutQueueVisibilitySeconds is six times the worker's timeout, as
	// Lambda asks of a queue it polls (a throttled invocation's message
	// must not reappear while a retry may still run it).
	FanoutQueueVisibilitySeconds = 6 * FanoutWorkerTimeoutSeconds
	// FanoutMaxReceiveCount: a job that is not a job (reported as a batch
	// item failure) reaches the dead-letter queue after this many receives.
	// Five, not fewer: Lambda's own throttling also counts receives.
	FanoutMaxReceiveCount = 5
	// FanoutWorkerMaxConcurrency paces the fan-out under the account's
	// 10,000 requests/s API Gateway quota, which posts share with inbound
	// frames: each worker posts about 3,200/s (64 × 1 / 20 ms), two of
	// them about 6,400/s, 64 % of the quota. Two is also the lowest
	// maximum concurrency an SQS event source mapping accepts.
	FanoutWorkerMaxConcurrency = 2
	// FanoutRetentionSeconds: a fan-out job older than 15 minutes is of no
	// use (clients have resumed from history by then).
	FanoutRetentionSeconds = 15 * 60
	// FanoutDLQRetentionDays: rejected jobs wait two weeks for a look.
	FanoutDLQRetentionDays = 14
)

// fanoutQueues creates the fan-out queue and its dead-letter queue, both
// SQS-encrypted (no key to pay for or grant) and SSL-only. They come
// before the functions: the senders' environment names the queue.
func (b *builder) fanoutQueues() {
	b.fanoutQueue, b.fanoutDLQ = b.jobQueue("Fanout",
		awscdk.Duration_Seconds(jsii.Number(FanoutQueueVisibilitySeconds)),
		awscdk.Duration_Seconds(jsii.Number(FanoutRetentionSeconds)),
		awscdk.Duration_Days(jsii.Number(FanoutDLQRetentionDays)), FanoutMaxReceiveCount)
}

// fanoutSenderEnv is what the connection and actions functions add to
// their environment: where big fan-outs go, and from how many recipients.
func (b *builder) fanoutSenderEnv() map[string]*string {
	return map[string]*string{
		"FANOUT_QUEUE_URL":    b.fanoutQueue.QueueUrl(),
		"FANOUT_INLINE_LIMIT": jsii.String(fmt.Sprint(fanoutqueue.DefaultThreshold)),
	}
}

// fanoutEnv is the worker's environment: the table (cleanup of gone
// connections), the management API, and its own queue (recipients still
// throttled go back on it as a delayed job).
func (b *builder) fanoutEnv() map[string]*string {
	return map[string]*string{
		"FANOUT_QUEUE_URL": b.fanoutQueue.QueueUrl(),
		"TABLE_NAME":       b.table.TableName(),
		"WS_CALLBACK_URL":  b.stage.CallbackUrl(),
		"LOG_LEVEL":        jsii.String(b.props.LogLevel),
	}
}

// fanoutQueueConsumeActions are what an SQS event source mapping needs of
// the function's role (CDK's SqsEventSource grants the same three plus
// ChangeMessageVisibility and GetQueueUrl, which Lambda does not use), and
// SendMessage: the worker puts recipients still throttled back on the
// queue (fanoutqueue.Worker.Requeue).
var fanoutQueueConsumeActions = []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:SendMessage"}

// postToConnectionsArn is POST on @connections of this stage: what the
// worker does (it never disconnects anyone).
func (b *builder) postToConnectionsArn() *string {
	return b.stack.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("execute-api"),
		Resource:     b.api.ApiId(),
		ResourceName: jsii.String(b.props.StageName + "/POST/@connections/*"),
		ArnFormat:    awscdk.ArnFormat_SLASH_RESOURCE_NAME,
	})
}

// fanoutGrantsAndMapping: the senders may send to the queue; the worker
// consumes it (and re-queues throttled recipients), posts to connections
// and deletes gone ones from the table;
// the mapping delivers one job per invocation with ReportBatchItemFailures,
// at most FanoutWorkerMaxConcurrency at once.
func (b *builder) fanoutGrantsAndMapping() {
	for _, name := range []string{"connection", "actions"} {
		b.fns[name].AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("sqs:SendMessage"),
			Resources: jsii.Strings(*b.fanoutQueue.QueueArn()),
		}))
	}
	fn := b.fns["fanout"]
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(fanoutQueueConsumeActions...),
		Resources: jsii.Strings(*b.fanoutQueue.QueueArn()),
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("execute-api:ManageConnections"),
		Resources: &[]*string{b.postToConnectionsArn()},
	}))
	b.grantTableData(fn)

	mapping := awslambda.NewCfnEventSourceMapping(b.stack, jsii.String("FanoutEventSource"), &awslambda.CfnEventSourceMappingProps{
		FunctionName:          fn.FunctionName(),
		EventSourceArn:        b.fanoutQueue.QueueArn(),
		BatchSize:             jsii.Number(1),
		FunctionResponseTypes: jsii.Strings("ReportBatchItemFailures"),
		ScalingConfig: &awslambda.CfnEventSourceMapping_ScalingConfigProperty{
			MaximumConcurrency: jsii.Number(FanoutWorkerMaxConcurrency),
		},
	})
	if policy := fn.Role().Node().TryFindChild(jsii.String("DefaultPolicy")); policy != nil {
		mapping.Node().AddDependency(policy)
	}
	suppress(mapping, "Serverless-LambdaEventSourceMappingDestination",
		"An SQS event source mapping takes no on-failure destination (Lambda offers them for stream and Kafka sources): a job that keeps failing goes to the fan-out queue's dead-letter queue through its redrive policy (after 5 receives, alarmed)")
}

// fanoutDeadLetters is the dead-letter queue's visible messages.
func (b *builder) fanoutDeadLetters() awscloudwatch.Metric {
	return b.fanoutDLQ.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
		Period: period, Statistic: jsii.String("Maximum"),
	})
}

// fanoutSuppressions: the cdk-nag findings of the fan-out queue's parts.
func (b *builder) fanoutSuppressions() {
	suppress(b.fanoutDLQ, "AwsSolutions-SQS3",
		"This queue is itself the dead-letter queue of the fan-out queue")
	suppress(b.fanoutDLQ, "Serverless-SQSRedrivePolicy",
		"This queue is itself the dead-letter queue of the fan-out queue; nothing consumes it automatically (an operator inspects it), so there is nothing to redrive")
	suppress(b.fns["fanout"], "Serverless-LambdaDLQ",
		"Invoked by the fan-out queue's event source mapping, whose failed jobs go to the queue's dead-letter queue (redrive policy, alarmed); a function DLQ applies to asynchronous invocations only")
	suppress(b.fns["fanout"].Role(), "AwsSolutions-IAM5",
		"The worker posts to connection ids known only at run time (POST on this stage's @connections, no other method) and cleans the table and its index (gsi1)",
		b.tableIndexFinding(),
		arnMatching("execute-api", "<"+b.logicalID(b.api)+">/"+b.props.StageName+"/POST/@connections/*"),
	)
}
