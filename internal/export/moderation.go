package export

import (
	"archive/zip"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Report is one row of reports.json: a report the person filed. The
// reported message is named (room, seq), not copied: it is usually someone
// else's words; nor is the moderator who resolved it named.
type Report struct {
	ReportID   string    `json:"reportId"`
	RoomID     string    `json:"roomId"`
	Seq        int64     `json:"seq"`
	Reason     string    `json:"reason,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	Resolution string    `json:"resolution,omitempty"`
	ResolvedAt time.Time `json:"resolvedAt,omitzero"`
}

// Audit is one row of audit.json: an audit entry about the person (its
// target) or by them (its actor). Ids of other people are OtherPerson (as
// the erasure replaces an erased person's id); the detail is kept only
// when it is about the person themselves (an invitation's detail is the
// invitee's email address).
type Audit struct {
	At       time.Time `json:"at"`
	Action   string    `json:"action"`
	ActorID  string    `json:"actorId,omitempty"`
	TargetID string    `json:"targetId,omitempty"`
	RoomID   string    `json:"roomId,omitempty"`
	Seq      int64     `json:"seq,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	Detail   string    `json:"detail,omitempty"`
}

// OtherPerson stands in audit.json for the id of anyone but the person.
const OtherPerson = "other"

// auditPage is how many entries one read of the audit log returns.
const auditPage = 100

// reportsAndAudit writes reports.json (the reports userID filed in rooms,
// the rooms they are in and have left: a report needs membership, so
// these are all of them, but for rooms deleted since or left before the
// left-room marker existed) and audit.json (the whole audit log is paged
// through: it holds admins' and moderators' actions for its retention, a
// year, and has no index by person).
func (w *Writer) reportsAndAudit(ctx context.Context, zw *zip.Writer, userID string, roomIDs []string) error {
	src := w.Source
	reports := []Report{}
	for _, id := range roomIDs {
		rs, err := src.RoomReports(ctx, id)
		if err != nil {
			return fmt.Errorf("reports of %s: %w", id, err)
		}
		for _, r := range rs {
			if r.ReporterID != userID {
				continue
			}
			reports = append(reports, Report{ReportID: r.ID, RoomID: r.RoomID, Seq: r.Seq, Reason: r.Reason,
				CreatedAt: r.CreatedAt, Resolution: r.Resolution, ResolvedAt: r.ResolvedAt})
		}
	}
	slices.SortFunc(reports, func(a, b Report) int { return a.CreatedAt.Compare(b.CreatedAt) })
	if err := writeJSON(zw, EntryReports, reports); err != nil {
		return err
	}
	audit := []Audit{}
	cursor := ""
	for {
		page, next, err := src.ListAudit(ctx, cursor, auditPage)
		if err != nil {
			return fmt.Errorf("audit log: %w", err)
		}
		for _, e := range page {
			if e.ActorID != userID && e.TargetID != userID {
				continue
			}
			a := Audit{At: e.At, Action: e.Action, ActorID: person(e.ActorID, userID), TargetID: person(e.TargetID, userID),
				RoomID: e.RoomID, Seq: e.Seq, Reason: e.Reason}
			if e.TargetID == userID || (e.TargetID == "" && !strings.Contains(e.Detail, "@")) {
				a.Detail = e.Detail
			}
			audit = append(audit, a)
		}
		if next == "" || len(page) == 0 {
			break
		}
		cursor = next
	}
	return writeJSON(zw, EntryAudit, audit)
}

// person is id as audit.json shows it: the person's own, "" for none,
// OtherPerson for anyone else.
func person(id, userID string) string {
	if id == "" || id == userID {
		return id
	}
	return OtherPerson
}
