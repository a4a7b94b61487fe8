package dynamo

// The workspace default's re-stamp (issue 15): when the admins change the
// workspace's retention, every room that follows the default has its
// stored messages re-stamped, asynchronously, through the rooms' own
// re-stamp job (internal/retention). The job pages through the rooms with
// a Scan (there is no index of every room: private and direct rooms are
// in none), 100 items a page; its state (the cursor, a pass counter) is
// kept on #general's META item, which is in the stream's filter already,
// so each page's update is the next page's cue (chat.WorkspaceRestamp),
// like the rooms' re-stamp and purge passes.
//
//	#general   pk ROOM#general  sk META   wrp (pass), wrc (the Scan's cursor; "" from the start)

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.WorkspaceRestampStore = (*Store)(nil)

// ContinueWorkspaceRestamp is one UpdateItem of #general's META: SET wrc,
// ADD wrp 1 (`attribute_exists(pk)`).
func (s *Store) ContinueWorkspaceRestamp(ctx context.Context, cursor string) error {
	ctx = withOp(ctx, "ContinueWorkspaceRestamp")
	err := s.table.Update(AttrPK, roomPK(chat.GeneralRoomID)).Range(AttrSK, skMeta).
		Set("wrc", cursor).Add("wrp", 1).
		If("attribute_exists($)", AttrPK).Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.NotFound, "#general not found: the workspace re-stamp has nowhere to keep its place")
	}
	if err != nil {
		return internal(err, "continue the workspace re-stamp")
	}
	return nil
}

// RoomsPage is one Scan request of up to limit items (consistent), from
// cursor, keeping the rooms' META items (not deleted): the rooms found and
// the cursor of the next page ("" after the last).
func (s *Store) RoomsPage(ctx context.Context, cursor string, limit int) ([]chat.Room, string, error) {
	ctx = withOp(ctx, "RoomsPage")
	if limit <= 0 {
		limit = 100
	}
	in := &dynamodb.ScanInput{
		TableName: aws.String(s.name), ConsistentRead: aws.Bool(true), Limit: aws.Int32(int32(limit)),
		FilterExpression:          aws.String("begins_with(#pk, :room) AND #sk = :meta AND attribute_not_exists(deleted)"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#sk": AttrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":room": &types.AttributeValueMemberS{Value: prefixRoom}, ":meta": &types.AttributeValueMemberS{Value: skMeta}},
	}
	if cursor != "" {
		pk, sk, ok := strings.Cut(cursor, "\x00")
		if !ok {
			return nil, "", chat.Errorf(chat.Invalid, "bad rooms cursor")
		}
		in.ExclusiveStartKey = map[string]types.AttributeValue{AttrPK: &types.AttributeValueMemberS{Value: pk}, AttrSK: &types.AttributeValueMemberS{Value: sk}}
	}
	out, err := s.api.Scan(ctx, in)
	if err != nil {
		return nil, "", internal(err, "scan rooms")
	}
	rooms := make([]chat.Room, 0, len(out.Items))
	for _, item := range out.Items {
		var it roomItem
		if err := gdynamo.UnmarshalItem(item, &it); err != nil {
			return nil, "", internal(err, "decode room")
		}
		rooms = append(rooms, it.room())
	}
	next := ""
	if len(out.LastEvaluatedKey) > 0 {
		next = str(out.LastEvaluatedKey, AttrPK) + "\x00" + str(out.LastEvaluatedKey, AttrSK)
	}
	return rooms, next, nil
}

// workspaceRestampCue is the workspace re-stamp's cue in #general's MODIFY:
// its pass counter moved (ContinueWorkspaceRestamp).
func workspaceRestampCue(o, n roomItem) (chat.WorkspaceRestamp, bool) {
	if o.WorkspaceRestampPass == n.WorkspaceRestampPass {
		return chat.WorkspaceRestamp{}, false
	}
	return chat.WorkspaceRestamp{Cursor: n.WorkspaceRestampCursor, Pass: n.WorkspaceRestampPass}, true
}
