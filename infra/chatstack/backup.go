package chatstack

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbackup"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
)

// Backups (docs/OPERATIONS.md): the table keeps 35 days of point-in-time
// recovery (storage.go); the files bucket keeps every overwritten or
// deleted object's old version for FilesVersionDays; an AWS Backup plan
// snapshots both every day and month into the stack's vault, optionally
// copied to a vault in another region.

// Context keys of the backups.
const (
	CtxBackupPlan          = "backupPlan"                 // on (default) or off
	CtxBackupDailyDays     = "backupDailyDays"            // daily recovery points kept (default 35)
	CtxBackupMonthlyDays   = "backupMonthlyDays"          // monthly recovery points kept (default 365)
	CtxBackupCopyRegion    = "backupCopyRegion"           // copy every recovery point to this region's vault
	CtxBackupCopyVaultName = "backupCopyVaultName"        // that vault (must exist; default DefaultBackupCopyVaultName)
	CtxFilesVersionDays    = "filesNoncurrentVersionDays" // old versions of files kept (default 30)
	CtxTableName           = "tableName"                  // use this existing (restored) table instead of the stack's own
	CtxTableStreamArn      = "tableStreamArn"             // with tableName: its stream's ARN
)

// Defaults of the backups.
const (
	DefaultBackupDailyDays     = 35
	DefaultBackupMonthlyDays   = 365
	DefaultFilesVersionDays    = 30
	DefaultBackupCopyVaultName = "backchannel-copy"
	// OutputBackupVault is the output naming the stack's backup vault.
	OutputBackupVault = "BackupVaultName"
)

// BackupProps configure the backups; the zero value is the default: the
// plan on, no cross-region copy.
type BackupProps struct {
	// PlanOff leaves out the AWS Backup plan (point-in-time recovery and
	// the files' old versions stay).
	PlanOff bool
	// DailyDays and MonthlyDays are how long the plan keeps its daily and
	// monthly recovery points (monthly at least as long as daily).
	DailyDays, MonthlyDays float64
	// CopyRegion copies every recovery point to the vault CopyVaultName in
	// that region, which must exist before the deploy (create it with
	// `aws backup create-backup-vault --region R --backup-vault-name N`).
	CopyRegion, CopyVaultName string
	// FilesVersionDays is how long the files bucket keeps an object's
	// noncurrent (overwritten or deleted) versions.
	FilesVersionDays float64
	// TableName switches the stack to an existing table, a restored one
	// (docs/OPERATIONS.md): the functions, the stream mapping, the alarms
	// and the backup plan use it, and the stack's own table leaves the
	// stack (retained; deleted with destroyData). TableStreamArn is its
	// stream (the restore drill enables it and prints the ARN).
	TableName, TableStreamArn string
}

func backupPropsFromContext(r *contextReader) BackupProps {
	p := BackupProps{
		DailyDays:        r.number(CtxBackupDailyDays),
		MonthlyDays:      r.number(CtxBackupMonthlyDays),
		CopyRegion:       r.str(CtxBackupCopyRegion),
		CopyVaultName:    r.str(CtxBackupCopyVaultName),
		FilesVersionDays: r.number(CtxFilesVersionDays),
		TableName:        r.str(CtxTableName),
		TableStreamArn:   r.str(CtxTableStreamArn),
	}
	switch v := r.str(CtxBackupPlan); v {
	case "", "on", "true":
	case "off", "false":
		p.PlanOff = true
	default:
		r.errs = append(r.errs, fmt.Errorf("context %s %q: want on or off", CtxBackupPlan, v))
	}
	return p
}

func (p BackupProps) withDefaults() BackupProps {
	if p.DailyDays == 0 {
		p.DailyDays = DefaultBackupDailyDays
	}
	if p.MonthlyDays == 0 {
		p.MonthlyDays = DefaultBackupMonthlyDays
	}
	if p.FilesVersionDays == 0 {
		p.FilesVersionDays = DefaultFilesVersionDays
	}
	if p.CopyRegion != "" && p.CopyVaultName == "" {
		p.CopyVaultName = DefaultBackupCopyVaultName
	}
	return p
}

var (
	regionPattern    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	vaultNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{2,50}$`)
	tableNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)
)

// chatTable is the stack's own table (newTable), or with tableName the
// existing restored table, which must have the stream (NEW_AND_OLD_IMAGES),
// TTL and PITR the restore drill re-applies.
func (b *builder) chatTable() awsdynamodb.ITable {
	p := b.props.Backup
	if p.TableName == "" {
		return b.newTable()
	}
	return awsdynamodb.Table_FromTableAttributes(b.stack, jsii.String("RestoredTable"), &awsdynamodb.TableAttributes{
		TableName:      jsii.String(p.TableName),
		TableStreamArn: jsii.String(p.TableStreamArn),
	})
}

// tableIndexFinding is the cdk-nag IAM5 finding of a grant on the table's
// indexes (table ARN + "/index/*"), as cdk-nag prints it for the stack's
// own table or a restored one.
func (b *builder) tableIndexFinding() any {
	if b.props.Backup.TableName == "" {
		return "Resource::<" + b.logicalID(b.table) + ".Arn>/index/*"
	}
	return arnMatching("dynamodb", "table/"+b.props.Backup.TableName+"/index/*")
}

func (p BackupProps) validate() []error {
	p = p.withDefaults()
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if p.DailyDays < 1 || p.DailyDays != float64(int(p.DailyDays)) {
		bad("%s %v: want whole days, at least 1", CtxBackupDailyDays, p.DailyDays)
	}
	if p.MonthlyDays < p.DailyDays || p.MonthlyDays != float64(int(p.MonthlyDays)) {
		bad("%s %v: want whole days, at least %s (%v)", CtxBackupMonthlyDays, p.MonthlyDays, CtxBackupDailyDays, p.DailyDays)
	}
	if p.FilesVersionDays < 1 || p.FilesVersionDays != float64(int(p.FilesVersionDays)) {
		bad("%s %v: want whole days, at least 1", CtxFilesVersionDays, p.FilesVersionDays)
	}
	if p.CopyRegion != "" && !regionPattern.MatchString(p.CopyRegion) {
		bad("%s %q: want a region such as eu-central-1", CtxBackupCopyRegion, p.CopyRegion)
	}
	if p.CopyVaultName != "" && !vaultNamePattern.MatchString(p.CopyVaultName) {
		bad("%s %q: 2 to 50 letters, digits, '-' or '_'", CtxBackupCopyVaultName, p.CopyVaultName)
	}
	if (p.TableName == "") != (p.TableStreamArn == "") {
		bad("%s and %s go together", CtxTableName, CtxTableStreamArn)
	}
	if p.TableName != "" && !tableNamePattern.MatchString(p.TableName) {
		bad("%s %q: 3 to 255 letters, digits, '_', '-' or '.'", CtxTableName, p.TableName)
	}
	if p.TableStreamArn != "" && (!strings.HasPrefix(p.TableStreamArn, "arn:") || !strings.Contains(p.TableStreamArn, ":table/"+p.TableName+"/stream/")) {
		bad("%s %q: want the stream ARN of table %s (arn:aws:dynamodb:REGION:ACCOUNT:table/%s/stream/LABEL)", CtxTableStreamArn, p.TableStreamArn, p.TableName, p.TableName)
	}
	if p.PlanOff && p.CopyRegion != "" {
		bad("%s needs the backup plan (%s=off)", CtxBackupCopyRegion, CtxBackupPlan)
	}
	return errs
}

// Managed policies of the backup role: exactly AWS Backup's service-role
// policies for DynamoDB (backup, restore) and for S3 (backup, restore).
// The restore pair lets an operator pass this role to start-restore-job
// (docs/OPERATIONS.md); the scheduled jobs use only the backup pair.
var backupManagedPolicies = []string{
	"service-role/AWSBackupServiceRolePolicyForBackup",
	"service-role/AWSBackupServiceRolePolicyForRestores",
	"AWSBackupServiceRolePolicyForS3Backup",
	"AWSBackupServiceRolePolicyForS3Restore",
}

// backups versions the files bucket with old versions expiring, and (unless
// off) adds the AWS Backup vault, plan and selection of the table and the
// files bucket.
func (b *builder) backups() {
	p := b.props.Backup.withDefaults()
	// Old versions expire; a delete marker left with no versions under it
	// is removed. Added beside the bucket's other rules (storage.go, the
	// retention rules).
	b.filesBucket.AddLifecycleRule(&awss3.LifecycleRule{
		Id:                          jsii.String("expire-old-versions"),
		NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(p.FilesVersionDays)),
		ExpiredObjectDeleteMarker:   jsii.Bool(true),
	})
	if p.PlanOff {
		return
	}

	// The vault outlives the stack unless destroyData (a vault holding
	// recovery points cannot be deleted anyway); encrypted with the AWS
	// managed key aws/backup, like the table.
	vault := awsbackup.NewBackupVault(b.stack, jsii.String("BackupVault"), &awsbackup.BackupVaultProps{
		RemovalPolicy: b.removal(),
	})
	var copies *[]*awsbackup.BackupPlanCopyActionProps
	copyTo := func(days float64) *[]*awsbackup.BackupPlanCopyActionProps {
		if p.CopyRegion == "" {
			return nil
		}
		arn := fmt.Sprintf("arn:%s:backup:%s:%s:backup-vault:%s", *awscdk.Aws_PARTITION(), p.CopyRegion, *b.stack.Account(), p.CopyVaultName)
		dest := awsbackup.BackupVault_FromBackupVaultArn(b.stack, jsii.String(fmt.Sprintf("BackupCopyVault%v", days)), jsii.String(arn))
		return &[]*awsbackup.BackupPlanCopyActionProps{{DestinationBackupVault: dest, DeleteAfter: awscdk.Duration_Days(jsii.Number(days))}}
	}
	copies = copyTo(p.DailyDays)
	plan := awsbackup.NewBackupPlan(b.stack, jsii.String("BackupPlan"), &awsbackup.BackupPlanProps{
		BackupVault: vault,
		BackupPlanRules: &[]awsbackup.BackupPlanRule{
			awsbackup.NewBackupPlanRule(&awsbackup.BackupPlanRuleProps{
				RuleName: jsii.String("daily"),
				// 03:00 UTC, outside European and American working hours.
				ScheduleExpression: awsevents.Schedule_Cron(&awsevents.CronOptions{Hour: jsii.String("3"), Minute: jsii.String("0")}),
				StartWindow:        awscdk.Duration_Hours(jsii.Number(1)),
				CompletionWindow:   awscdk.Duration_Hours(jsii.Number(8)),
				DeleteAfter:        awscdk.Duration_Days(jsii.Number(p.DailyDays)),
				CopyActions:        copies,
			}),
			awsbackup.NewBackupPlanRule(&awsbackup.BackupPlanRuleProps{
				RuleName:           jsii.String("monthly"),
				ScheduleExpression: awsevents.Schedule_Cron(&awsevents.CronOptions{Day: jsii.String("1"), Hour: jsii.String("4"), Minute: jsii.String("0")}),
				StartWindow:        awscdk.Duration_Hours(jsii.Number(1)),
				CompletionWindow:   awscdk.Duration_Hours(jsii.Number(8)),
				DeleteAfter:        awscdk.Duration_Days(jsii.Number(p.MonthlyDays)),
				CopyActions:        copyTo(p.MonthlyDays),
			}),
		},
	})
	role := awsiam.NewRole(b.stack, jsii.String("BackupRole"), &awsiam.RoleProps{
		Description: jsii.String("AWS Backup: backs up and restores the chat table and the files bucket"),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("backup.amazonaws.com"), nil),
	})
	for _, name := range backupManagedPolicies {
		role.AddManagedPolicy(awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String(name)))
	}
	plan.AddSelection(jsii.String("Selection"), &awsbackup.BackupSelectionOptions{
		BackupSelectionName: jsii.String("table-and-files"),
		Resources: &[]awsbackup.BackupResource{
			awsbackup.BackupResource_FromDynamoDbTable(b.table),
			awsbackup.BackupResource_FromArn(jsii.String(b.filesBucketArn())),
		},
		Role:                       role,
		DisableDefaultBackupPolicy: jsii.Bool(true), // the role carries exactly the policies above
	})
	suppress(role, "AwsSolutions-IAM4",
		"AWS Backup's own service-role policies, the documented way to let it back up and restore DynamoDB and S3 (they follow the services' new backup features)",
		"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
		"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
		"Policy::arn:<AWS::Partition>:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
		"Policy::arn:<AWS::Partition>:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore")
	awscdk.NewCfnOutput(b.stack, jsii.String(OutputBackupVault), &awscdk.CfnOutputProps{
		Description: jsii.String("AWS Backup vault of the table and the files bucket"),
		Value:       vault.BackupVaultName(),
	})
}

// backupAlerts sends AWS Backup's failed, aborted and expired backup, copy
// and restore jobs to the alarm topic (nil: none configured): an
// EventBridge rule on the default bus, where AWS service events cost
// nothing, instead of an alarm (0.10 USD a month each). A topic given by
// alarmTopicArn must let events.amazonaws.com publish (as it must let
// CloudWatch).
func (b *builder) backupAlerts(topic awssns.ITopic) {
	if topic == nil || b.props.Backup.PlanOff {
		return
	}
	rule := awsevents.NewRule(b.stack, jsii.String("BackupJobFailedRule"), &awsevents.RuleProps{
		Description: jsii.String("AWS Backup jobs of the chat's vault that failed, were aborted or expired"),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.backup"),
			DetailType: jsii.Strings("Backup Job State Change", "Copy Job State Change", "Restore Job State Change"),
			Detail:     &map[string]any{"state": []string{"FAILED", "ABORTED", "EXPIRED"}},
		},
	})
	rule.AddTarget(awseventstargets.NewSnsTopic(topic, nil))
	suppress(rule, "Serverless-EventBusDLQ",
		"An alert to the alarm topic: EventBridge retries the delivery to SNS for 24 hours, and a dead-letter queue of undelivered alerts would need an alarm of its own (0.10 USD a month) notifying the same topic")
}
