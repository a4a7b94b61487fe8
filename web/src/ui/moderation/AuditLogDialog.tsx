// The audit log (admins): every moderation and administration action,
// newest first: who, what, target, when, why.
import "./moderation.css";
import { useEffect, useState } from "preact/hooks";
import type { AuditEntry, AuditFrame } from "../../api/protocol.gen";
import { Dialog } from "../common/Dialog";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";

export function AuditLogDialog({ onClose }: { onClose(): void }) {
  const { chat, t, prefs } = useApp();
  const state = useChatState(chat);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>();
  const { error, run } = useSubmit();
  const load = (after?: string) =>
    run(async () => {
      const r = (await chat.read({ action: "listAudit", cursor: after })) as AuditFrame;
      setEntries((old) => (after && old ? [...old, ...r.entries] : r.entries));
      setCursor(r.cursor);
    });
  useEffect(() => void load(), []);
  const who = (id?: string) => (id ? (state.users[id]?.displayName ?? id) : "");
  const room = (id?: string) => (id ? `#${state.rooms[id]?.name || id}` : "");
  return (
    <Dialog title={t("mod.audit")} onClose={onClose} wide>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {entries === null ? (
        <p>{t("common.loading")}</p>
      ) : entries.length === 0 ? (
        <p class="muted">{t("mod.auditEmpty")}</p>
      ) : (
        <div class="table-wrap">
          <table class="audit">
            <thead>
              <tr>
                <th scope="col">{t("mod.auditWhen")}</th>
                <th scope="col">{t("mod.auditWho")}</th>
                <th scope="col">{t("mod.auditWhat")}</th>
                <th scope="col">{t("mod.auditTarget")}</th>
                <th scope="col">{t("mod.auditReason")}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.auditId} data-action={e.action}>
                  <td data-label={t("mod.auditWhen")}>
                    <time dateTime={e.at}>{new Date(e.at).toLocaleString(prefs.lang)}</time>
                  </td>
                  <td data-label={t("mod.auditWho")}>{who(e.actorId)}</td>
                  <td data-label={t("mod.auditWhat")}>
                    {e.action}
                    {e.detail ? ` (${e.detail})` : ""}
                  </td>
                  <td data-label={t("mod.auditTarget")}>
                    {[who(e.targetId), room(e.roomId), e.seq ? `#${e.seq}` : ""].filter(Boolean).join(" ")}
                  </td>
                  <td data-label={t("mod.auditReason")}>{e.reason ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" class="btn" onClick={() => void load(cursor)}>
          {t("mod.loadMore")}
        </button>
      )}
    </Dialog>
  );
}
