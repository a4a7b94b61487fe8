// Reminders that fired while the app is open: a card each at the corner
// of the screen (and a line for screen readers, from the feature), with
// the message it is about, until opened or dismissed.
import "./scheduled.css";
import { useApp, useChatState } from "../common/context";
import { roomTitle } from "../../state/rooms";

export function ReminderToasts({ onOpen }: { onOpen(roomId: string, seq: number): void }) {
  const { scheduled, chat, t } = useApp();
  const state = useChatState(chat);
  if (scheduled.fired.length === 0) return null;
  return (
    <section class="reminder-toasts" aria-label={t("sched.notifications")}>
      {scheduled.fired.slice(0, 3).map(({ item, roomName, message }) => {
        const room = state.rooms[item.roomId];
        const where = room ? (room.kind === "direct" ? roomTitle(state, room) : `#${room.name}`) : roomName;
        return (
          <article key={item.id} class="reminder-toast" data-id={item.id}>
            <h3>
              <span aria-hidden="true">⏰</span> {t("sched.reminder")}
              {where && <span class="muted"> · {where}</span>}
            </h3>
            {item.text && <p class="reminder-note">{item.text}</p>}
            {message && !message.deleted ? (
              <p class="reminder-text">
                <strong>{state.users[message.senderId]?.displayName ?? message.senderName}</strong>: {message.text}
              </p>
            ) : (
              <p class="hint">{t("sched.messageGone")}</p>
            )}
            <div class="sched-actions">
              {message && room && item.seq && (
                <button
                  type="button"
                  class="btn primary"
                  onClick={() => {
                    scheduled.dismissFired(item.id);
                    onOpen(item.roomId, item.seq!);
                  }}
                >
                  {t("sched.openMessage")}
                </button>
              )}
              <button type="button" class="btn" onClick={() => scheduled.dismissFired(item.id)}>
                {t("sched.dismiss")}
              </button>
            </div>
          </article>
        );
      })}
    </section>
  );
}
