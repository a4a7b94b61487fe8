package chatstack_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

// TestFilesBucketKeepsOldVersions: the files bucket is versioned; an
// overwritten or deleted object's old version expires after 30 days (7 by
// context), and a delete marker left alone is cleaned; the bucket's other
// rules stay.
func TestFilesBucketKeepsOldVersions(t *testing.T) {
	for cfg, days := range map[string]string{cfgDefault: "30", cfgFull: "7", cfgGoogle: "30"} {
		s := synth(t, cfg)
		bucket := s.one(t, "AWS::S3::Bucket", "FilesBucket")
		if got := render(get(bucket.Props, "VersioningConfiguration", "Status")); got != "Enabled" {
			t.Errorf("%s: files bucket versioning %q, want Enabled", cfg, got)
		}
		var ids []string
		var rule map[string]any
		for _, r := range list(get(bucket.Props, "LifecycleConfiguration", "Rules")) {
			id := render(get(r, "Id"))
			ids = append(ids, id)
			if id == "expire-old-versions" {
				rule = r.(map[string]any)
			}
		}
		if rule == nil {
			t.Fatalf("%s: no expire-old-versions rule in %v", cfg, ids)
		}
		if !slices.Contains(ids, "abort-incomplete-uploads") {
			t.Errorf("%s: the bucket's own rules are gone: %v", cfg, ids)
		}
		if got := render(get(rule, "NoncurrentVersionExpiration", "NoncurrentDays")); got != days {
			t.Errorf("%s: old versions expire after %s days, want %s", cfg, got, days)
		}
		if got := render(rule["ExpiredObjectDeleteMarker"]); got != "true" {
			t.Errorf("%s: expired delete markers kept (%q)", cfg, got)
		}
		if rule["ExpirationInDays"] != nil || rule["Prefix"] != nil {
			t.Errorf("%s: the version rule must not expire current objects or be limited to a prefix: %s", cfg, render(rule))
		}
	}
}

// TestTableKeeps35DaysOfPointInTimeRecovery: PITR on, for the longest
// period DynamoDB keeps (docs/OPERATIONS.md counts on it).
func TestTableKeeps35DaysOfPointInTimeRecovery(t *testing.T) {
	s := synth(t, cfgDefault)
	s.template.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), map[string]any{
		"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true, "RecoveryPeriodInDays": 35},
	})
}

// TestBackupPlan: a vault (retained with the data), a plan with a daily
// rule kept 35 days and a monthly one kept a year, a selection of exactly
// the table and the files bucket, and a role AWS Backup assumes with
// exactly its service-role policies for DynamoDB and S3.
func TestBackupPlan(t *testing.T) {
	s := synth(t, cfgDefault)
	vault := s.one(t, "AWS::Backup::BackupVault", "BackupVault")
	if got := render(vault.Raw["DeletionPolicy"]); got != "Retain" {
		t.Errorf("vault DeletionPolicy %s, want Retain", got)
	}
	if len(s.resources("AWS::Backup::BackupVault")) != 1 {
		t.Errorf("want one vault")
	}
	plan := s.one(t, "AWS::Backup::BackupPlan", "BackupPlan")
	rules := map[string]any{}
	for _, r := range list(get(plan.Props, "BackupPlan", "BackupPlanRule")) {
		rules[render(get(r, "RuleName"))] = r
		if got := render(get(r, "TargetBackupVault")); !strings.Contains(got, vault.ID) {
			t.Errorf("rule %s goes to vault %s, want %s", render(get(r, "RuleName")), got, vault.ID)
		}
		if c := get(r, "CopyActions"); c != nil {
			t.Errorf("copy actions without backupCopyRegion: %s", render(c))
		}
	}
	for name, want := range map[string][2]string{
		"daily":   {"cron(0 3 * * ? *)", "35"},
		"monthly": {"cron(0 4 1 * ? *)", "365"},
	} {
		r := rules[name]
		if r == nil {
			t.Errorf("no %s rule (rules %v)", name, render(list(get(plan.Props, "BackupPlan", "BackupPlanRule"))))
			continue
		}
		if got := render(get(r, "ScheduleExpression")); got != want[0] {
			t.Errorf("%s schedule %s, want %s", name, got, want[0])
		}
		if got := render(get(r, "Lifecycle", "DeleteAfterDays")); got != want[1] {
			t.Errorf("%s kept %s days, want %s", name, got, want[1])
		}
	}
	if len(rules) != 2 {
		t.Errorf("rules %v, want daily and monthly", len(rules))
	}

	sel := s.one(t, "AWS::Backup::BackupSelection", "BackupPlanSelection")
	resources := render(get(sel.Props, "BackupSelection", "Resources"))
	table := s.one(t, "AWS::DynamoDB::Table", "Table")
	if !strings.Contains(resources, "${"+table.ID+".Arn}") || !strings.Contains(resources, "arn:${AWS::Partition}:s3:::") ||
		!strings.Contains(resources, "-files-") || len(list(get(sel.Props, "BackupSelection", "Resources"))) != 2 {
		t.Errorf("selection resources %s, want exactly the table and the files bucket", resources)
	}
	role := s.one(t, "AWS::IAM::Role", "BackupRole")
	if got := render(get(sel.Props, "BackupSelection", "IamRoleArn")); got != "${"+role.ID+".Arn}" {
		t.Errorf("selection role %s, want %s", got, role.ID)
	}
	if got := render(get(role.Props, "AssumeRolePolicyDocument", "Statement")); !strings.Contains(got, "Service(backup.amazonaws.com)") || strings.Count(got, "Action(") != 1 {
		t.Errorf("backup role trust %s, want backup.amazonaws.com only", got)
	}
	var managed []string
	for _, m := range list(role.Props["ManagedPolicyArns"]) {
		managed = append(managed, strings.TrimPrefix(render(m), "arn:${AWS::Partition}:iam::aws:policy/"))
	}
	slices.Sort(managed)
	want := []string{
		"AWSBackupServiceRolePolicyForS3Backup", "AWSBackupServiceRolePolicyForS3Restore",
		"service-role/AWSBackupServiceRolePolicyForBackup", "service-role/AWSBackupServiceRolePolicyForRestores",
	}
	if !slices.Equal(managed, want) {
		t.Errorf("backup role managed policies %v, want exactly %v", managed, want)
	}
	for _, p := range s.resources("AWS::IAM::Policy") {
		if strings.Contains(render(p.Props["Roles"]), role.ID) {
			t.Errorf("backup role has an inline policy %s: %s", p.ID, render(p.Props["PolicyDocument"]))
		}
	}
	if got := render(get(s.tmpl, "Outputs", chatstack.OutputBackupVault, "Value")); got != "${"+vault.ID+".BackupVaultName}" {
		t.Errorf("output %s = %s", chatstack.OutputBackupVault, got)
	}
}

// TestBackupCopyToAnotherRegion: with backupCopyRegion every rule copies to
// the vault of that name in that region, kept as long as the original.
func TestBackupCopyToAnotherRegion(t *testing.T) {
	s := synth(t, cfgFull)
	plan := s.one(t, "AWS::Backup::BackupPlan", "BackupPlan")
	for _, r := range list(get(plan.Props, "BackupPlan", "BackupPlanRule")) {
		name, days := render(get(r, "RuleName")), render(get(r, "Lifecycle", "DeleteAfterDays"))
		copies := list(get(r, "CopyActions"))
		if len(copies) != 1 {
			t.Errorf("%s: %d copy actions, want 1", name, len(copies))
			continue
		}
		if got := render(get(copies[0], "DestinationBackupVaultArn")); got != "arn:${AWS::Partition}:backup:eu-central-1:123456789012:backup-vault:"+chatstack.DefaultBackupCopyVaultName {
			t.Errorf("%s copies to %s", name, got)
		}
		if got := render(get(copies[0], "Lifecycle", "DeleteAfterDays")); got != days {
			t.Errorf("%s: copy kept %s days, the original %s", name, got, days)
		}
	}
	if got := render(get(list(get(plan.Props, "BackupPlan", "BackupPlanRule"))[0], "Lifecycle", "DeleteAfterDays")); got != "14" {
		t.Errorf("daily kept %s days, want 14 (backupDailyDays)", got)
	}
	vault := s.one(t, "AWS::Backup::BackupVault", "BackupVault")
	if got := render(vault.Raw["DeletionPolicy"]); got != "Delete" {
		t.Errorf("destroyData: vault DeletionPolicy %s, want Delete", got)
	}
}

// TestBackupPlanOff: backupPlan=off leaves out the vault, plan, selection
// and role; PITR and the files' old versions stay.
func TestBackupPlanOff(t *testing.T) {
	s := synth(t, cfgGoogle)
	for _, typ := range []string{"AWS::Backup::BackupVault", "AWS::Backup::BackupPlan", "AWS::Backup::BackupSelection"} {
		s.template.ResourceCountIs(jsii.String(typ), jsii.Number(0))
	}
	s.template.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), map[string]any{
		"PointInTimeRecoverySpecification": assertions.Match_ObjectLike(&map[string]any{"PointInTimeRecoveryEnabled": true}),
	})
}

func TestBackupValidate(t *testing.T) {
	valid := chatstack.ChatStackProps{AssetDir: fixtures.assetDir}
	for name, tc := range map[string]struct {
		b    chatstack.BackupProps
		want string
	}{
		"region":         {chatstack.BackupProps{CopyRegion: "Frankfurt"}, "backupCopyRegion"},
		"vault name":     {chatstack.BackupProps{CopyRegion: "eu-central-1", CopyVaultName: "a b"}, "backupCopyVaultName"},
		"copy, no plan":  {chatstack.BackupProps{CopyRegion: "eu-central-1", PlanOff: true}, "needs the backup plan"},
		"part days":      {chatstack.BackupProps{DailyDays: 1.5}, "backupDailyDays"},
		"monthly short":  {chatstack.BackupProps{DailyDays: 40, MonthlyDays: 30}, "backupMonthlyDays"},
		"negative files": {chatstack.BackupProps{FilesVersionDays: -1}, "filesNoncurrentVersionDays"},
		"table alone":    {chatstack.BackupProps{TableName: "t-restored"}, "go together"},
		"other stream": {chatstack.BackupProps{TableName: "t-restored",
			TableStreamArn: "arn:aws:dynamodb:eu-west-1:1:table/t-old/stream/2026"}, "want the stream ARN of table t-restored"},
	} {
		p := valid
		p.Backup = tc.b
		err := p.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, tc.want)
		}
	}
	p := valid
	p.Backup = chatstack.BackupProps{CopyRegion: "eu-central-1", DailyDays: 7, MonthlyDays: 90, FilesVersionDays: 1}
	if err := p.Validate(); err != nil {
		t.Errorf("valid backup props: %v", err)
	}
}

// TestStackOnARestoredTable: with tableName and tableStreamArn the stack
// has no table of its own; the functions, the stream mapping, the grants,
// the alarms and the backup plan use the restored table.
func TestStackOnARestoredTable(t *testing.T) {
	s := synth(t, cfgRestored)
	s.template.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(0))
	mapping := false
	for _, m := range s.resources("AWS::Lambda::EventSourceMapping") {
		if render(m.Props["EventSourceArn"]) == restoredStreamArn {
			mapping = true
		}
	}
	if !mapping {
		t.Error("no event source mapping on the restored table's stream")
	}
	tables := 0
	for _, fn := range s.resources("AWS::Lambda::Function") {
		if name := render(get(fn.Props, "Environment", "Variables", "TABLE_NAME")); name != "" {
			tables++
			if name != restoredTable {
				t.Errorf("%s: TABLE_NAME %s, want %s", fn.ID, name, restoredTable)
			}
		}
	}
	if tables == 0 {
		t.Error("no function names a table")
	}
	if got := render(get(s.tmpl, "Outputs", chatstack.OutputTableName, "Value")); got != restoredTable {
		t.Errorf("table output %s", got)
	}
	sel := s.one(t, "AWS::Backup::BackupSelection", "BackupPlanSelection")
	if got := render(get(sel.Props, "BackupSelection", "Resources")); !strings.Contains(got, ":table/"+restoredTable) {
		t.Errorf("backup selection %s lacks the restored table", got)
	}
	policies := ""
	for _, p := range s.resources("AWS::IAM::Policy") {
		policies += render(p.Props["PolicyDocument"])
	}
	if !strings.Contains(policies, ":table/"+restoredTable+"/index/gsi1") || !strings.Contains(policies, ":table/"+restoredTable) {
		t.Error("no grant names the restored table")
	}
	if len(s.errors) > 0 {
		t.Errorf("cdk-nag: %v", s.errors)
	}
}

func TestBackupPropsFromContext(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{
		chatstack.CtxBackupPlan: "off", chatstack.CtxBackupDailyDays: "7", chatstack.CtxBackupMonthlyDays: 90.0,
		chatstack.CtxBackupCopyRegion: "eu-central-1", chatstack.CtxBackupCopyVaultName: "dr-vault",
		chatstack.CtxFilesVersionDays: "14", chatstack.CtxTableName: "t-restored", chatstack.CtxTableStreamArn: "arn:x",
	}})
	p, err := chatstack.PropsFromContext(app.Node())
	if err != nil {
		t.Fatal(err)
	}
	want := chatstack.BackupProps{PlanOff: true, DailyDays: 7, MonthlyDays: 90, CopyRegion: "eu-central-1", CopyVaultName: "dr-vault",
		FilesVersionDays: 14, TableName: "t-restored", TableStreamArn: "arn:x"}
	if p.Backup != want {
		t.Errorf("backup props %+v, want %+v", p.Backup, want)
	}
	bad := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{chatstack.CtxBackupPlan: "sometimes"}})
	if _, err := chatstack.PropsFromContext(bad.Node()); err == nil || !strings.Contains(err.Error(), "want on or off") {
		t.Errorf("backupPlan=sometimes: %v", err)
	}
}

// TestBackupFailuresNotify: with an alarm topic, failed, aborted and
// expired backup, copy and restore jobs go to it (an EventBridge rule on
// the default bus); without a topic or a plan, no rule.
func TestBackupFailuresNotify(t *testing.T) {
	s := synth(t, cfgFull)
	rule := s.one(t, "AWS::Events::Rule", "BackupJobFailedRule")
	if got := render(rule.Props["EventPattern"]); got != "detail(state([FAILED,ABORTED,EXPIRED])),detail-type([Backup Job State Change,Copy Job State Change,Restore Job State Change]),source([aws.backup])" {
		t.Errorf("pattern %s", got)
	}
	if rule.Props["EventBusName"] != nil {
		t.Errorf("rule on bus %s, want the default bus", render(rule.Props["EventBusName"]))
	}
	topic := s.one(t, "AWS::SNS::Topic", "AlarmTopic")
	if got := render(rule.Props["Targets"]); !strings.Contains(got, "Arn(${"+topic.ID+"})") {
		t.Errorf("targets %s, want the alarm topic %s", got, topic.ID)
	}
	for _, cfg := range []string{cfgDefault, cfgGoogle} {
		for _, r := range synth(t, cfg).resources("AWS::Events::Rule") {
			if strings.HasPrefix(r.ID, "BackupJobFailedRule") {
				t.Errorf("%s: backup alert rule without an alarm topic", cfg)
			}
		}
	}
}
