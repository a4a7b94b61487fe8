package chatstack

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/jsii-runtime-go"
)

// MetricsNamespace is where the fan-out publishes its EMF metrics.
const MetricsNamespace = "Backchannel"

// FanoutMetrics are the EMF metric names of one fan-out (internal/fanout).
var FanoutMetrics = []string{"Recipients", "Delivered", "Gone", "Failed", "Duration"}

var period = awscdk.Duration_Minutes(jsii.Number(5))

// tableOperations are the operations the store uses; CloudWatch reports
// DynamoDB throttles and system errors per operation.
var tableOperations = []awsdynamodb.Operation{
	awsdynamodb.Operation_GET_ITEM, awsdynamodb.Operation_PUT_ITEM, awsdynamodb.Operation_UPDATE_ITEM,
	awsdynamodb.Operation_DELETE_ITEM, awsdynamodb.Operation_QUERY, awsdynamodb.Operation_BATCH_GET_ITEM,
	awsdynamodb.Operation_BATCH_WRITE_ITEM, awsdynamodb.Operation_TRANSACT_WRITE_ITEMS, awsdynamodb.Operation_TRANSACT_GET_ITEMS,
}

// monitoring creates the alarms (with the optional SNS action) and the
// dashboard.
func (b *builder) monitoring() {
	var action awscloudwatch.IAlarmAction
	var alarmTopic awssns.ITopic // nil: alarms notify nobody
	switch {
	case b.props.AlarmEmail != "":
		topic := awssns.NewTopic(b.stack, jsii.String("AlarmTopic"), &awssns.TopicProps{
			DisplayName: jsii.String(*b.stack.StackName() + " alarms"),
			EnforceSSL:  jsii.Bool(true),
		})
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(b.props.AlarmEmail), nil))
		suppress(topic, "Serverless-SNSRedrivePolicy",
			"The alarm e-mail subscription: SNS retries e-mail deliveries itself, and a dead-letter queue of undeliverable alarm e-mails would need an alarm of its own that notifies nobody either")
		action, alarmTopic = awscloudwatchactions.NewSnsAction(topic), topic
	case b.props.AlarmTopicArn != "":
		alarmTopic = awssns.Topic_FromTopicArn(b.stack, jsii.String("AlarmTopic"), jsii.String(b.props.AlarmTopicArn))
		action = awscloudwatchactions.NewSnsAction(alarmTopic)
	}
	b.backupAlerts(alarmTopic) // backup.go: failed backup, copy and restore jobs

	var alarms []interfacesawscloudwatch.IAlarmRef
	add := func(id string, metric awscloudwatch.IMetric, threshold float64, description string) {
		alarm := awscloudwatch.NewAlarm(b.stack, jsii.String(id), &awscloudwatch.AlarmProps{
			Metric:             metric,
			Threshold:          jsii.Number(threshold),
			EvaluationPeriods:  jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
			AlarmDescription:   jsii.String(description),
		})
		if action != nil {
			alarm.AddAlarmAction(action)
			alarm.AddOkAction(action)
		}
		alarms = append(alarms, alarm)
	}

	// Every alarm metric bills 0.10 USD a month, idle or not (an alarm on
	// metric math bills each metric it reads): the set below is what the
	// idle-cost budget (infra/cost) affords, each alarm earning its place.
	//
	// Function errors: the WebSocket functions and the stream function. The
	// thumbnail function is watched through its failure destination instead
	// (what still failed after Lambda's retries).
	for _, name := range []string{"authorizer", "connection", "actions", "stream"} {
		fn, id := b.fns[name], titleCase(name)
		threshold := 5.0
		switch name {
		case "authorizer":
			// The authorizer answers a bad or expired token with the error
			// "Unauthorized" (API Gateway's 401 contract), which Lambda counts
			// as a function error: alarm only on a surge.
			threshold = 50
		case "stream":
			// Failed records are reported per item, not as errors: an error
			// is a whole batch failing (retried, bisected, then sent to the
			// failure queue).
			threshold = 1
		}
		add(id+"ErrorsAlarm", fn.MetricErrors(&awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("Sum")}), threshold,
			fmt.Sprintf("%s function: %v or more errors in 5 minutes", name, threshold))
	}
	// Throttles: no function has reserved concurrency, so they all throttle
	// exactly when the account's (regional) concurrency runs out: one
	// account-level metric instead of one per function.
	add("FunctionThrottlesAlarm", awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String("AWS/Lambda"), MetricName: jsii.String("Throttles"), Statistic: jsii.String("Sum"), Period: period,
	}), 1, "Lambda: invocations throttled in this account and region (concurrency exhausted); the chat's functions have no reserved concurrency")
	// Table throttles: the table-level read and write throttle events (two
	// metrics) rather than ThrottledRequests per operation (nine).
	add("TableThrottlesAlarm", awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String("r + w"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"r": b.table.Metric(jsii.String("ReadThrottleEvents"), &awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("Sum")}),
			"w": b.table.Metric(jsii.String("WriteThrottleEvents"), &awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("Sum")}),
		},
		Label:  jsii.String("throttle events"),
		Period: period,
	}), 1, "DynamoDB table: throttled reads or writes")
	add("TableSystemErrorsAlarm", b.table.MetricSystemErrorsForOperations(&awsdynamodb.SystemErrorsForOperationsMetricOptions{
		Operations: &alarmedOperations, Period: period,
	}), 1, "DynamoDB table: service-side errors on the operations of a send (get, put, update, query)")
	add("ApiIntegrationErrorsAlarm", b.apiMetric("IntegrationError", "Sum"), 5,
		"WebSocket API: integration (Lambda) errors, the 5xx of a WebSocket API")
	add("ApiExecutionErrorsAlarm", b.apiMetric("ExecutionError", "Sum"), 5,
		"WebSocket API: errors while API Gateway executed the route")
	add("StreamIteratorAgeAlarm", b.streamIteratorAge(), StreamIteratorAgeAlarmMs,
		"stream function: stream records were 60 s or more old when read (events reach the bus late; see its errors and the failure queue)")
	add("FanoutDeadLetterAlarm", b.fanoutDeadLetters(), 1,
		"fan-out dead-letter queue: fan-out jobs were given up on (their recipients missed a message until they resume)")
	add("PushDeadLetterAlarm", b.pushDeadLetters(), 1,
		"push dead-letter queue: Web Push jobs were given up on (the push service stayed unavailable; those people got no notification)")
	add("UnfurlDeadLetterAlarm", b.unfurlDeadLetters(), 1,
		"unfurl dead-letter queue: link-preview jobs could not be stored (those messages got no preview)")
	add("ExportDeadLetterAlarm", b.exportDeadLetters(), 1,
		"export dead-letter queue: data exports were given up on (those people's exports failed: they can ask again)")
	add("ErasureDeadLetterAlarm", b.erasureDeadLetters(), 1,
		"erasure dead-letter queue: an account erasure was given up on (the account is refused; redrive the job once the cause is fixed)")
	add("StreamFailureQueueAlarm", b.streamFailuresVisible(), 1,
		"stream failure queue: batches of the table stream were given up on (their chat events never reached the bus)")
	add("ThumbnailFailureQueueAlarm", b.thumbnailFailures.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
		Period: period, Statistic: jsii.String("Maximum"),
	}), 1, "asynchronous functions' failure queue: uploads whose thumbnail failed, or messages an outgoing webhook did not take, after Lambda's retries (the event is in the queue)")

	b.digestAlarms(add)
	b.scheduledAlarms(add)

	if b.props.Dashboard {
		b.dashboard(alarms)
	}
}

// alarmedOperations are the table operations whose system errors raise an
// alarm: those of a send and of connecting (each one is an alarm metric).
// alarmedOperations are the operations of a send (connection, rate limit,
// membership, seq counter, client-id claim, message, fan-out query): a send
// has used no transaction since the claim-then-put design, and each
// operation is one alarm metric on the idle bill.
var alarmedOperations = []awsdynamodb.Operation{
	awsdynamodb.Operation_GET_ITEM, awsdynamodb.Operation_PUT_ITEM, awsdynamodb.Operation_UPDATE_ITEM,
	awsdynamodb.Operation_QUERY,
}

// StreamIteratorAgeAlarmMs is the stream function's IteratorAge (the age of
// the last record of each batch when it was read) that raises the alarm.
const StreamIteratorAgeAlarmMs = 60_000

func (b *builder) streamIteratorAge() awscloudwatch.Metric {
	return b.fns["stream"].Metric(jsii.String("IteratorAge"), &awscloudwatch.MetricOptions{
		Period: period, Statistic: jsii.String("Maximum"),
	})
}

func (b *builder) streamFailuresVisible() awscloudwatch.Metric {
	return b.streamFailures.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
		Period: period, Statistic: jsii.String("Maximum"),
	})
}

// apiMetric is a stage-level AWS/ApiGateway metric of the WebSocket API.
func (b *builder) apiMetric(name, statistic string) awscloudwatch.Metric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:  jsii.String("AWS/ApiGateway"),
		MetricName: jsii.String(name),
		DimensionsMap: &map[string]*string{
			"ApiId": b.api.ApiId(),
			"Stage": jsii.String(b.props.StageName),
		},
		Statistic: jsii.String(statistic),
		Period:    period,
	})
}

// fanoutMetric finds an EMF metric whatever dimensions the publisher uses.
func fanoutMetric(name, statistic string) awscloudwatch.IMetric {
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression:   jsii.String(fmt.Sprintf(`SEARCH('Namespace="%s" MetricName="%s"', '%s', 300)`, MetricsNamespace, name, statistic)),
		UsingMetrics: &map[string]awscloudwatch.IMetric{},
		Label:        jsii.String(name),
		Period:       period,
	})
}

// AnalyticsMetrics are the usage analytics consumer's EMF metrics
// (internal/analytics), the dashboard's "Usage" row.
var AnalyticsMetrics = []string{"AnalyticsMessages", "AnalyticsActivePeople", "AnalyticsFiles", "AnalyticsEstimatedCostMicroUSD"}

// analyticsWidgets is the dashboard's "Usage" row: messages, files and
// connections a day, active people (the daily maximum of the consumer's
// gauge), and the estimated cost in micro-USD a day. Same figures as the
// admin dashboard's (getAnalytics has the exact ones).
func (b *builder) analyticsWidgets() *[]awscloudwatch.IWidget {
	day := func(name, stat string) awscloudwatch.IMetric {
		return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression:   jsii.String(fmt.Sprintf(`SEARCH('Namespace="%s" MetricName="%s"', '%s', 86400)`, MetricsNamespace, name, stat)),
			UsingMetrics: &map[string]awscloudwatch.IMetric{},
			Label:        jsii.String(name),
			Period:       awscdk.Duration_Days(jsii.Number(1)),
		})
	}
	usage := func(title string, metrics ...awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Left: &metrics, Width: jsii.Number(8), Height: jsii.Number(6),
			Period: awscdk.Duration_Days(jsii.Number(1)),
		})
	}
	return &[]awscloudwatch.IWidget{
		usage("Usage: messages and files a day", day("AnalyticsMessages", "Sum"), day("AnalyticsFiles", "Sum")),
		usage("Usage: active people a day", day("AnalyticsActivePeople", "Maximum")),
		usage("Usage: estimated cost a day (micro-USD)", day("AnalyticsEstimatedCostMicroUSD", "Sum")),
	}
}

func (b *builder) dashboard(alarms []interfacesawscloudwatch.IAlarmRef) {
	graph := func(title string, metrics ...awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Left: &metrics, Width: jsii.Number(8), Height: jsii.Number(6),
		})
	}
	perFunction := func(metric func(name string) awscloudwatch.IMetric) []awscloudwatch.IMetric {
		var ms []awscloudwatch.IMetric
		for _, name := range b.deployedFunctions() {
			ms = append(ms, metric(name))
		}
		return ms
	}
	opts := func(stat, label string) *awscloudwatch.MetricOptions {
		return &awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String(stat), Label: jsii.String(label)}
	}
	var fanoutCounts []awscloudwatch.IMetric
	for _, m := range FanoutMetrics[:4] {
		fanoutCounts = append(fanoutCounts, fanoutMetric(m, "Sum"))
	}

	awscloudwatch.NewDashboard(b.stack, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DefaultInterval: awscdk.Duration_Hours(jsii.Number(3)),
		Widgets: &[]*[]awscloudwatch.IWidget{
			{
				graph("Connections and messages", b.apiMetric("ConnectCount", "Sum"), b.apiMetric("MessageCount", "Sum")),
				graph("WebSocket API errors", b.apiMetric("ClientError", "Sum"), b.apiMetric("IntegrationError", "Sum"), b.apiMetric("ExecutionError", "Sum")),
				graph("Integration latency (ms)", b.apiMetric("IntegrationLatency", "p50"), b.apiMetric("IntegrationLatency", "p99")),
			},
			{
				graph("Invocations", perFunction(func(n string) awscloudwatch.IMetric { return b.fns[n].MetricInvocations(opts("Sum", n)) })...),
				graph("Function errors", perFunction(func(n string) awscloudwatch.IMetric { return b.fns[n].MetricErrors(opts("Sum", n)) })...),
				graph("Function duration p99 (ms)", perFunction(func(n string) awscloudwatch.IMetric { return b.fns[n].MetricDuration(opts("p99", n)) })...),
			},
			{
				graph("Fan-out (Backchannel EMF)", fanoutCounts...),
				graph("Fan-out duration p99 (ms)", fanoutMetric("Duration", "p99")),
				graph("DynamoDB throttled requests",
					b.table.MetricThrottledRequestsForOperations(&awsdynamodb.OperationsMetricOptions{Operations: &tableOperations, Period: period, Label: jsii.String("throttled")})),
			},
			{
				graph("DynamoDB system errors",
					b.table.MetricSystemErrorsForOperations(&awsdynamodb.SystemErrorsForOperationsMetricOptions{Operations: &tableOperations, Period: period, Label: jsii.String("system errors")})),
				awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
					Title: jsii.String("Alarms"), Alarms: &alarms, Width: jsii.Number(16),
				}),
			},
			{
				graph("Stream iterator age (ms)", b.streamIteratorAge().With(&awscloudwatch.MetricOptions{Label: jsii.String("max")})),
				graph("Stream failure queue", b.streamFailuresVisible().With(&awscloudwatch.MetricOptions{Label: jsii.String("failed batches")})),
			},
			b.analyticsWidgets(),
		},
	})
}
