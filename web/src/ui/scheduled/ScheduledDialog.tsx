// The Scheduled view: my scheduled messages (edit, reschedule, cancel; a
// failed one says why and can be dismissed) and my reminders (reschedule,
// cancel; fired ones open their message and can be dismissed).
import { useEffect, useState } from "preact/hooks";
import type { ScheduledItem } from "../../api/protocol.gen";
import "./scheduled.css";
import { Dialog } from "../common/Dialog";
import { useApp, useChatState } from "../common/context";
import { errorText } from "../common/errorText";
import { TimeDialog } from "./TimeDialog";
import { whenText } from "./whenText";
import { roomTitle } from "../../state/rooms";

type Editing = { item: ScheduledItem; text: boolean } | null;

export function ScheduledDialog({ onClose, onOpen }: { onClose(): void; onOpen(roomId: string, seq: number): void }) {
  const { scheduled, chat, t, prefs } = useApp();
  const state = useChatState(chat);
  const [error, setError] = useState("");
  const [editing, setEditing] = useState<Editing>(null);
  useEffect(() => {
    scheduled.load().catch((err) => setError(errorText(err, t)));
  }, [scheduled]);
  const roomName = (roomId: string) => {
    const r = state.rooms[roomId];
    if (!r) return roomId;
    return r.kind === "direct" ? roomTitle(state, r) : `#${r.name}`;
  };
  const fail = (err: unknown) => setError(errorText(err, t));
  const messages = scheduled.items.filter((it) => it.kind === "message");
  const reminders = scheduled.items.filter((it) => it.kind === "reminder");
  const row = (it: ScheduledItem) => {
    const waiting = it.state === "pending";
    const room = roomName(it.roomId);
    const target = it.kind === "reminder" ? state.messages[it.roomId]?.find((m) => m.seq === it.seq) : undefined;
    return (
      <li key={it.id} class={`conv-item sched-item ${it.state}`} data-id={it.id} data-state={it.state}>
        <div class="sched-body">
          <span class="conv-meta">
            {it.kind === "message" ? t("sched.to", { room }) : room}
            {" · "}
            <time dateTime={it.at}>
              {it.state === "fired"
                ? t("sched.firedAt", { time: whenText(it.firedAt ?? it.at, prefs.lang) })
                : it.kind === "message"
                  ? t("sched.sendsAt", { time: whenText(it.at, prefs.lang) })
                  : t("sched.remindsAt", { time: whenText(it.at, prefs.lang) })}
            </time>
          </span>
          {it.kind === "message" ? <span class="conv-text">{it.text}</span> : <span class="conv-text">{it.text || target?.text || ""}</span>}
          {it.state === "failed" && (
            <span class="sched-failed" role="status">
              {t("sched.failed", { reason: it.reason ?? "" })}
            </span>
          )}
          {it.state === "sending" && <span class="hint">{t("sched.sending")}</span>}
        </div>
        <div class="sched-actions">
          {it.kind === "reminder" && it.seq && state.rooms[it.roomId] && (
            <button type="button" class="btn" onClick={() => onOpen(it.roomId, it.seq!)}>
              {t("sched.openMessage")}
            </button>
          )}
          {waiting && it.kind === "message" && (
            <button type="button" class="btn sched-edit" onClick={() => setEditing({ item: it, text: true })}>
              {t("sched.edit")}
            </button>
          )}
          {waiting && (
            <button type="button" class="btn sched-reschedule" onClick={() => setEditing({ item: it, text: false })}>
              {t("sched.reschedule")}
            </button>
          )}
          {(waiting || it.state === "failed" || it.state === "fired") && (
            <button
              type="button"
              class="btn sched-cancel"
              aria-label={waiting && it.kind === "message" ? t("sched.cancelLabel", { room }) : undefined}
              onClick={() =>
                scheduled
                  .cancel(it.id)
                  .then(() => waiting && it.kind === "message" && chat.announce(t("sched.cancelled")))
                  .catch(fail)
              }
            >
              {waiting ? t("sched.cancel") : t("sched.dismiss")}
            </button>
          )}
        </div>
      </li>
    );
  };
  return (
    <Dialog title={t("sched.title")} onClose={onClose} wide className="scheduled-dialog">
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!scheduled.loaded && scheduled.loading && <p class="hint">{t("common.loading")}</p>}
      <section aria-labelledby="sched-messages">
        <h3 id="sched-messages">{t("sched.messages")}</h3>
        {scheduled.loaded && messages.length === 0 && <p class="hint">{t("sched.noneMessages")}</p>}
        {messages.length > 0 && <ul class="conv-list sched-messages">{messages.map(row)}</ul>}
      </section>
      <section aria-labelledby="sched-reminders">
        <h3 id="sched-reminders">{t("sched.reminders")}</h3>
        {scheduled.loaded && reminders.length === 0 && <p class="hint">{t("sched.noneReminders")}</p>}
        {reminders.length > 0 && <ul class="conv-list sched-reminders">{reminders.map(row)}</ul>}
      </section>
      {editing && (
        <TimeDialog
          title={editing.text ? t("sched.editTitle") : t("sched.reschedule")}
          action={t("sched.save")}
          initial={new Date(editing.item.at)}
          text={editing.text ? (editing.item.text ?? "") : undefined}
          onSubmit={(at, text) => {
            const moved = at.getTime() !== Date.parse(editing.item.at) ? at : undefined;
            const changed = text !== undefined && text !== editing.item.text ? text : undefined;
            if (!moved && changed === undefined) return Promise.resolve();
            return scheduled.edit(editing.item.id, { text: changed, at: moved }).then(() => chat.announce(t("sched.saved")));
          }}
          onClose={() => setEditing(null)}
        />
      )}
    </Dialog>
  );
}
