// The moderation queue (workspace moderators and admins): open reports,
// newest first, each with the reported message in context, resolved with
// one click.
import "./moderation.css";
import { useEffect, useState } from "preact/hooks";
import type { ReportInfo, ReportsFrame } from "../../api/protocol.gen";
import { Dialog } from "../common/Dialog";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";

type Resolution = "dismiss" | "delete" | "mute" | "ban";

export function ModerationQueueDialog({ onClose }: { onClose(): void }) {
  const { chat, t, prefs } = useApp();
  const state = useChatState(chat);
  const [reports, setReports] = useState<ReportInfo[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>();
  const { error, run } = useSubmit();

  const load = (after?: string) =>
    run(async () => {
      const r = (await chat.read({ action: "listReports", cursor: after })) as ReportsFrame;
      setReports((old) => (after && old ? [...old, ...r.reports] : r.reports));
      setCursor(r.cursor);
    });
  useEffect(() => void load(), []);

  const resolve = (rep: ReportInfo, resolution: Resolution) =>
    run(async () => {
      await chat.request({ action: "resolveReport", reportId: rep.reportId, resolution });
      setReports((old) => (old ?? []).filter((r) => r.reportId !== rep.reportId));
    });

  const who = (id: string, fallback = id) => state.users[id]?.displayName ?? fallback;
  const labels: Record<Resolution, string> = { dismiss: t("mod.dismiss"), delete: t("mod.delete"), mute: t("mod.mute"), ban: t("mod.ban") };

  return (
    <Dialog title={t("mod.queue")} onClose={onClose} wide>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {reports === null ? (
        <p>{t("common.loading")}</p>
      ) : reports.length === 0 ? (
        <p class="muted">{t("mod.queueEmpty")}</p>
      ) : (
        <ul class="report-list">
          {reports.map((rep) => {
            const context = rep.context.length > 0 ? rep.context : [rep.message];
            return (
              <li key={rep.reportId} class="report" data-report={rep.reportId}>
                <p class="report-head">
                  <strong>{rep.reason ? t("mod.reportedBy", { name: who(rep.reporterId), reason: rep.reason }) : t("mod.reportedNoReason", { name: who(rep.reporterId) })}</strong>{" "}
                  <span class="muted">
                    {t("mod.inRoom", { room: rep.roomName ?? rep.roomId })} · <time dateTime={rep.createdAt}>{new Date(rep.createdAt).toLocaleString(prefs.lang)}</time>
                  </span>
                </p>
                <ol class="report-context">
                  {context.map((m) => (
                    <li key={m.seq} class={m.seq === rep.seq ? "reported" : ""} aria-current={m.seq === rep.seq ? "true" : undefined}>
                      <span class="msg-name">{m.system ? "·" : who(m.senderId, m.senderName)}</span>{" "}
                      <span>{m.seq === rep.seq && !m.deleted ? m.text || rep.message.text : m.deleted ? (m.deletedBy && m.deletedBy !== m.senderId ? t("mod.removedByModerator") : t("msg.deleted")) : m.system ? "" : m.text}</span>
                    </li>
                  ))}
                </ol>
                {context.every((m) => m.seq !== rep.seq) && <p class="report-original">{rep.message.text}</p>}
                <div class="report-actions" role="group" aria-label={t("mod.queue")}>
                  {(Object.keys(labels) as Resolution[]).map((r) => (
                    <button key={r} type="button" class={r === "dismiss" ? "btn" : "btn danger"} data-resolution={r} onClick={() => void resolve(rep, r)}>
                      {labels[r]}
                    </button>
                  ))}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {cursor && (
        <button type="button" class="btn" onClick={() => void load(cursor)}>
          {t("mod.loadMore")}
        </button>
      )}
    </Dialog>
  );
}
