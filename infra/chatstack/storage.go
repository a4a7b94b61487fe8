package chatstack

import (
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

// storage creates the single table and the three buckets.
func (b *builder) storage() {
	b.table = b.chatTable() // newTable, or a restored table (backup.go)
	b.logBucket = b.newLogBucket()
	b.filesBucket = b.newFilesBucket()
	b.siteBucket = b.newPrivateBucket("SiteBucket", "site/", nil)
}

// newTable is the one DynamoDB table of internal/dynamo's schema.
// Encryption uses the AWS managed key (aws/dynamodb): usage shows in
// CloudTrail, there is no key to pay for or to grant to every function and
// stream consumer; switch to a customer key only if you need to control key
// deletion or share the table across accounts.
func (b *builder) newTable() awsdynamodb.Table {
	str := awsdynamodb.AttributeType_STRING
	table := awsdynamodb.NewTable(b.stack, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String(dynamo.AttrPK), Type: str},
		SortKey:      &awsdynamodb.Attribute{Name: jsii.String(dynamo.AttrSK), Type: str},
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
			RecoveryPeriodInDays:       jsii.Number(35), // the most PITR keeps (docs/OPERATIONS.md)
		},
		Encryption:          awsdynamodb.TableEncryption_AWS_MANAGED,
		TimeToLiveAttribute: jsii.String(dynamo.AttrTTL),
		Stream:              awsdynamodb.StreamViewType_NEW_AND_OLD_IMAGES,
		RemovalPolicy:       b.removal(),
		DeletionProtection:  jsii.Bool(!b.props.DestroyData),
	})
	table.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
		IndexName:      jsii.String(dynamo.IndexGSI1),
		PartitionKey:   &awsdynamodb.Attribute{Name: jsii.String(dynamo.AttrGSI1PK), Type: str},
		SortKey:        &awsdynamodb.Attribute{Name: jsii.String(dynamo.AttrGSI1SK), Type: str},
		ProjectionType: awsdynamodb.ProjectionType_ALL,
	})
	return table
}

// newLogBucket receives the S3 server access logs of the other buckets and
// CloudFront's standard logs. CloudFront delivers with ACLs, so ACLs stay
// enabled (bucket owner preferred); logs expire after 90 days.
func (b *builder) newLogBucket() awss3.Bucket {
	return awss3.NewBucket(b.stack, jsii.String("LogBucket"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_PREFERRED,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("expire-logs"),
			Expiration:                          awscdk.Duration_Days(jsii.Number(90)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
		}},
		RemovalPolicy:     b.removal(),
		AutoDeleteObjects: jsii.Bool(b.props.DestroyData),
	})
}

// newFilesBucket holds uploaded files; browsers reach it only through
// presigned URLs. Its CORS rule is added by site() once the site's origin is
// known.
//
// The bucket gets an explicit name built from the stack name and the stack's
// GUID (unique per stack creation, so a retained bucket never blocks a
// redeploy). The site's Content-Security-Policy needs the bucket's host and
// the bucket's CORS rule needs the distribution's host: deriving the host
// from the name expression instead of the bucket breaks that cycle.
func (b *builder) newFilesBucket() awss3.Bucket {
	name := b.filesBucketName()
	b.filesName = name
	b.filesBucketDN = name + ".s3." + *b.stack.Region() + "." + *b.stack.UrlSuffix()
	return b.newPrivateBucket("FilesBucket", "files/", &awss3.BucketProps{
		BucketName: jsii.String(name),
		Versioned:  jsii.Bool(true), // old versions expire (backup.go); AWS Backup of S3 needs versioning
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("abort-incomplete-uploads"),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
		}, pendingUploadsRule()},
	})
}

// newPrivateBucket is a bucket nobody reaches without IAM: public access
// blocked, ACLs off, TLS required, S3-managed encryption (presigned URLs and
// CloudFront OAC then need no KMS grants), access logged to the log bucket.
// extra carries the fields specific to one bucket.
func (b *builder) newPrivateBucket(id, logPrefix string, extra *awss3.BucketProps) awss3.Bucket {
	props := awss3.BucketProps{}
	if extra != nil {
		props = *extra
	}
	props.BlockPublicAccess = awss3.BlockPublicAccess_BLOCK_ALL()
	props.Encryption = awss3.BucketEncryption_S3_MANAGED
	props.EnforceSSL = jsii.Bool(true)
	props.ObjectOwnership = awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED
	props.ServerAccessLogsBucket = b.logBucket
	props.ServerAccessLogsPrefix = jsii.String(logPrefix)
	props.RemovalPolicy = b.removal()
	props.AutoDeleteObjects = jsii.Bool(b.props.DestroyData)
	return awss3.NewBucket(b.stack, jsii.String(id), &props)
}

// filesBucketArn is the files bucket's ARN from its name expression (no
// reference to the bucket resource; see newFilesBucket and thumbnail.go).
func (b *builder) filesBucketArn() string {
	return "arn:" + *awscdk.Aws_PARTITION() + ":s3:::" + b.filesName
}

// filesObjects is the ARN of the files bucket's objects matching pattern.
func (b *builder) filesObjects(pattern string) string {
	return b.filesBucketArn() + "/" + pattern
}

var notBucketChars = regexp.MustCompile(`[^a-z0-9-]+`)

// filesBucketName is "<stack name, max 20 chars>-files-<stack GUID>": at
// most 63 characters, lowercase, unique per stack creation.
func (b *builder) filesBucketName() string {
	prefix := notBucketChars.ReplaceAllString(strings.ToLower(*b.stack.StackName()), "-")
	if len(prefix) > 20 {
		prefix = prefix[:20]
	}
	prefix = strings.Trim(prefix, "-")
	if prefix == "" {
		prefix = "backchannel"
	}
	// AWS::StackId is arn:aws:cloudformation:<region>:<account>:stack/<name>/<guid>.
	guid := awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), awscdk.Aws_STACK_ID(), nil))
	return prefix + "-files-" + *guid
}

// pendingUploadsRule expires uploads never sent and replaced profile
// pictures (issue 15: retention): objects still tagged state=pending (the
// tag every presigned upload signs; taken off when the file is sent or
// becomes a picture, put back on a replaced picture) a day after their
// creation. Files of sent messages go with their message (the stream's
// REMOVE, TTL's included, and the file sweeper), not by a rule.
func pendingUploadsRule() *awss3.LifecycleRule {
	return &awss3.LifecycleRule{
		Id:         jsii.String("expire-pending-uploads"),
		TagFilters: &map[string]interface{}{chat.TagState: chat.TagPending},
		Expiration: awscdk.Duration_Days(jsii.Number(chat.PendingUploadTTL.Hours() / 24)),
	}
}
