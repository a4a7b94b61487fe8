package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

// fillTable writes a small chat through the real store: profiles, rooms
// with members, messages (a few with mentions), plus one item with every
// attribute type and a TTL, so the copy and the checks meet real items.
func fillTable(t *testing.T, db *dynamodb.Client, table string, rooms, messages int) {
	t.Helper()
	ctx := context.Background()
	store, err := dynamo.New(db, table)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	users := []string{"u-ada", "u-bob", "u-cyd"}
	for _, u := range users {
		if _, _, err := store.EnsureProfile(ctx, chat.Profile{UserID: u, Username: u + "@example.com", DisplayName: strings.ToUpper(u[2:3]) + u[3:], AvatarColor: "#336699"}); err != nil {
			t.Fatal(err)
		}
	}
	for r := range rooms {
		id := fmt.Sprintf("r-%d", r)
		var ms []chat.Member
		for i, u := range users {
			role := chat.RoleMember
			if i == 0 {
				role = chat.RoleOwner
			}
			ms = append(ms, chat.Member{RoomID: id, UserID: u, Role: role, JoinedAt: now})
		}
		if err := store.CreateRoom(ctx, chat.Room{ID: id, Kind: chat.KindPublic, Name: fmt.Sprintf("room-%d", r), CreatedBy: users[0], CreatedAt: now}, ms); err != nil {
			t.Fatal(err)
		}
		for m := range messages {
			msg := chat.Message{RoomID: id, ClientID: fmt.Sprintf("c-%d-%d", r, m), SenderID: users[m%3], SenderName: users[m%3], Text: fmt.Sprintf("message %d in %s: grüße", m, id), CreatedAt: now}
			if m%5 == 0 {
				msg.Mentions = []string{users[(m+1)%3]}
			}
			if _, _, err := store.AppendMessage(ctx, msg); err != nil {
				t.Fatal(err)
			}
		}
	}
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"pk": s("DRILL#types"), "sk": s("ALL"), "gsi1pk": s("DRILL#index"), "gsi1sk": s("1"),
		"n": &types.AttributeValueMemberN{Value: "42.5"}, "b": &types.AttributeValueMemberB{Value: []byte{0, 1, 2}},
		"ss": &types.AttributeValueMemberSS{Value: []string{"z", "a", "m"}}, "ns": &types.AttributeValueMemberNS{Value: []string{"3", "1"}},
		"bool": &types.AttributeValueMemberBOOL{Value: true}, "null": &types.AttributeValueMemberNULL{Value: true},
		"l":   &types.AttributeValueMemberL{Value: []types.AttributeValue{s("x"), &types.AttributeValueMemberN{Value: "1"}}},
		"m":   &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"k": s("v")}},
		"ttl": &types.AttributeValueMemberN{Value: fmt.Sprint(now.Add(24 * time.Hour).Unix())},
	}}); err != nil {
		t.Fatal(err)
	}
}

// The drill on DynamoDB Local: the copy stands in for PITR, then the same
// settings and checks as in AWS; the restored table passes every check,
// has the stream and TTL the restore did not carry, and is deleted.
func TestRestoreDrillOnACopy(t *testing.T) {
	cfg := testenv.AWSConfig(t)
	db := dynamodb.NewFromConfig(cfg)
	table := testenv.NewTable(t, cfg)
	const rooms, messages = 3, 40
	fillTable(t, db, table, rooms, messages)
	ctx := context.Background()
	var log bytes.Buffer
	target := table + "-restored"
	res, err := Drill(ctx, db, Options{
		Table: table, Target: target, Restorer: Copy{DB: db}, Settings: StackSettings(true), Wait: time.Minute, Delete: false,
		Check: CheckOptions{Sample: 50, PKAttr: dynamo.AttrPK, SKAttr: dynamo.AttrSK},
	}, &log)
	t.Log("\n" + log.String())
	if err != nil {
		t.Fatalf("drill: %v", err)
	}
	t.Cleanup(func() { _ = DeleteTable(context.Background(), db, target) })
	r := res.Report
	if r.TargetItems != r.SourceItems || r.SourceItems < rooms*messages {
		t.Errorf("restored %d items of %d (want at least %d messages)", r.TargetItems, r.SourceItems, rooms*messages)
	}
	if got := r.TargetCounts[Kind("MSG#r-0", "00000000000000000001")]; got != rooms*messages {
		t.Errorf("%d message items restored, want %d (counts %v)", got, rooms*messages, r.TargetCounts)
	}
	if r.Sampled != 50 || r.SampleDiffers != 0 || r.IndexLookups < 10 {
		t.Errorf("sample: %d compared, %d differ, %d index lookups", r.Sampled, r.SampleDiffers, r.IndexLookups)
	}
	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(target)})
	if err != nil {
		t.Fatal(err)
	}
	if st := desc.Table.StreamSpecification; st == nil || !aws.ToBool(st.StreamEnabled) || st.StreamViewType != types.StreamViewTypeNewAndOldImages {
		t.Errorf("restored stream %+v, want NEW_AND_OLD_IMAGES", st)
	}
	if res.StreamArn == "" || res.StreamArn != aws.ToString(desc.Table.LatestStreamArn) {
		t.Errorf("drill's stream ARN %q, the table's %q", res.StreamArn, aws.ToString(desc.Table.LatestStreamArn))
	}
	if !strings.Contains(log.String(), "-c tableName="+target+" -c tableStreamArn="+res.StreamArn) {
		t.Error("the drill does not print the context that switches the stack")
	}
	if len(desc.Table.GlobalSecondaryIndexes) != 1 || aws.ToString(desc.Table.GlobalSecondaryIndexes[0].IndexName) != dynamo.IndexGSI1 {
		t.Errorf("restored indexes %+v", desc.Table.GlobalSecondaryIndexes)
	}

	// The checks catch a bad restore: an item changed, one gone, a setting
	// missing.
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(target),
		Key:              map[string]types.AttributeValue{"pk": s("DRILL#types"), "sk": s("ALL")},
		UpdateExpression: aws.String("SET ss = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberSS{Value: []string{"a"}}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(target),
		Key: map[string]types.AttributeValue{"pk": s("MSG#r-1"), "sk": s("00000000000000000003")}}); err != nil {
		t.Fatal(err)
	}
	want := StackSettings(true)
	want.DeletionProtection = true // not applied on the copy
	bad, err := Check(ctx, db, table, target, CheckOptions{Sample: 1000, PKAttr: dynamo.AttrPK, SKAttr: dynamo.AttrSK, Settings: want})
	if err != nil {
		t.Fatal(err)
	}
	problems := strings.Join(bad.Problems, "\n")
	for _, p := range []string{"MSG# / n: 120 items in the source, 119 restored", "item DRILL#types / ALL differs", "deletion protection off"} {
		if !strings.Contains(problems, p) {
			t.Errorf("problems lack %q:\n%s", p, problems)
		}
	}

	// -delete: the drill's table goes away (deletion protection first).
	if err := DeleteTable(ctx, db, target); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(target)}); err == nil {
		t.Error("the restored table is still there")
	}
}

// A copy has no history: asking it for a point in time is refused.
func TestCopyRefusesAPointInTime(t *testing.T) {
	err := Copy{}.Restore(context.Background(), "a", "b", time.Now())
	if err == nil || !strings.Contains(err.Error(), "no history") {
		t.Errorf("Restore(at) = %v, want a refusal", err)
	}
}

func TestKind(t *testing.T) {
	for _, c := range [][3]string{
		{"MSG#r1", "00000000000000000007", "MSG# / n"},
		{"ROOM#r1", "META", "ROOM# / META"},
		{"ROOM#r1", "MEMBER#u1", "ROOM# / MEMBER#"},
		{"USER#u1", "PROFILE", "USER# / PROFILE"},
		{"UNAME#ada", "u-ada", "UNAME# / *"},
		{"UWORD#x", "ada#u1", "UWORD# / *"},
		{"", "", "- / -"},
	} {
		if got := Kind(c[0], c[1]); got != c[2] {
			t.Errorf("Kind(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}

// The bucket restore against the local S3 stand-in (gofakes3, versioning
// on): a key overwritten after T gets its old bytes back, a key deleted
// after T comes back, a key created after T stays (and is hidden with
// DeleteNewer), an untouched key is left alone.
func TestBucketRestoreToAPointInTime(t *testing.T) {
	endpoint := testenv.NewS3(t)
	// Both stand-ins need the download copy: gofakes3 ignores a copy
	// source's versionId, and LocalStack (2026.3) refuses a version copied
	// onto its own key as "a copy to itself", which S3 allows (it is how
	// S3's documentation restores a previous version).
	key, mode := "local", CopyDownload
	if testenv.ExternalS3() != "" {
		key = "test"
	}
	creds := credentials.NewStaticCredentialsProvider(key, key, "")
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true, Credentials: creds})
	bucket := testenv.NewBucket(t, aws.Config{Region: "us-east-1", Credentials: creds}, endpoint)
	ctx := context.Background()
	if _, err := client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteAllVersions(context.Background(), client, bucket) })
	put := func(k, body string) {
		t.Helper()
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(body), ContentType: aws.String("text/plain")}); err != nil {
			t.Fatal(err)
		}
	}
	del := func(k string) {
		t.Helper()
		if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(k string) string {
		t.Helper()
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if err != nil {
			return "<none>"
		}
		defer out.Body.Close()
		b, _ := io.ReadAll(out.Body)
		return string(b)
	}
	put("files/a.txt", "a at T")
	put("files/b.txt", "b at T")
	put("files/d.txt", "d at T")
	put("other/x.txt", "outside the prefix")
	at := time.Now()
	// S3 keeps a version's time in whole seconds: the changes after T are
	// made in a later second, so no version ties with T.
	time.Sleep(time.Until(at.Truncate(time.Second).Add(time.Second + 10*time.Millisecond)))
	put("files/a.txt", "a overwritten")
	del("files/b.txt")
	put("files/c.txt", "c created after T")
	put("other/x.txt", "outside, changed")

	dry, err := BucketRestore{S3: client, Bucket: bucket, Prefix: "files/", At: at, Mode: mode, DryRun: true}.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (BucketReport{Keys: 4, Unchanged: 1, Restored: 2, Newer: 1}); dry != want {
		t.Errorf("dry run %+v, want %+v", dry, want)
	}
	if get("files/a.txt") != "a overwritten" {
		t.Error("the dry run changed a.txt")
	}
	rep, err := BucketRestore{S3: client, Bucket: bucket, Prefix: "files/", At: at, Mode: mode}.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep != dry {
		t.Errorf("restore %+v, want the dry run's %+v", rep, dry)
	}
	for k, want := range map[string]string{
		"files/a.txt": "a at T", "files/b.txt": "b at T", "files/c.txt": "c created after T", "files/d.txt": "d at T",
		"other/x.txt": "outside, changed",
	} {
		if got := get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	// Again: nothing left to restore; with DeleteNewer c.txt is hidden.
	again, err := BucketRestore{S3: client, Bucket: bucket, Prefix: "files/", At: at, Mode: mode, DeleteNewer: true}.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (BucketReport{Keys: 4, Unchanged: 3, Newer: 1, Deleted: 1}); again != want {
		t.Errorf("second restore %+v, want %+v", again, want)
	}
	if got := get("files/c.txt"); got != "<none>" {
		t.Errorf("c.txt = %q after DeleteNewer, want it hidden", got)
	}
}

func deleteAllVersions(ctx context.Context, client *s3.Client, bucket string) {
	out, err := client.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	if err != nil {
		return
	}
	for _, v := range out.Versions {
		_, _ = client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: v.Key, VersionId: v.VersionId})
	}
	for _, m := range out.DeleteMarkers {
		_, _ = client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: m.Key, VersionId: m.VersionId})
	}
}

// Bad flags get a clear error before anything is touched.
func TestRunRefusesBadFlags(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-table", "t", "-mode", "export"}, "want pitr, backup or copy"},
		{[]string{"-mode", "backup", "-table", "t"}, "needs -backup-arn"},
		{[]string{"-table", "t", "-at", "yesterday"}, "-at"},
		{[]string{"-bucket", "b"}, "-bucket needs -bucket-at or -at"},
		{[]string{"-bucket", "b", "-bucket-at", "2026-11-30T10:00:00Z", "-copy", "rsync"}, "want server or download"},
		{[]string{}, "nothing to do"},
	} {
		err := run(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("run(%q) = %v, want an error mentioning %q", c.args, err, c.want)
		}
	}
}
