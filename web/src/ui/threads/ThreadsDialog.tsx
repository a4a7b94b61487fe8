// The threads I follow, latest reply first, with their unread replies;
// one opens its room and the thread beside it.
import { useEffect } from "preact/hooks";
import { Dialog } from "../common/Dialog";
import { useApp, useChatState } from "../common/context";
import { previewText } from "../e2ee/previewText";
import { roomTitle } from "../../state/rooms";
import { threadKey } from "../../state/threads";
import { relativeTime } from "./ThreadSummary";
import "./threads.css";

export function ThreadsDialog({ onClose, onOpen }: { onClose(): void; onOpen(roomId: string, parentSeq: number): void }) {
  const { chat, t, prefs } = useApp();
  const state = useChatState(chat);
  useEffect(() => chat.listThreads(), []);
  const threads = Object.values(state.followed)
    .filter((f) => state.rooms[f.roomId])
    .sort((a, b) => Date.parse(b.parent.thread?.lastAt ?? b.parent.createdAt) - Date.parse(a.parent.thread?.lastAt ?? a.parent.createdAt));
  return (
    <Dialog title={t("thread.listTitle")} onClose={onClose} wide className="threads-dialog">
      {!state.threadsListed && <p class="hint">{t("common.loading")}</p>}
      {state.threadsListed && threads.length === 0 && <p class="hint">{t("thread.none")}</p>}
      {threads.length > 0 && (
        <ul class="conv-list">
          {threads.map((f) => {
            const room = state.rooms[f.roomId];
            const m = f.parent;
            const where = room.kind === "direct" ? roomTitle(state, room) : `#${room.name}`;
            return (
              <li key={threadKey(f.roomId, f.parentSeq)} class={`conv-item thread-item ${f.unread ? "unread" : ""}`} data-thread={f.parentSeq}>
                <button type="button" class="conv-open" onClick={() => onOpen(f.roomId, f.parentSeq)}>
                  <span class="conv-meta">
                    <strong>{state.users[m.senderId]?.displayName ?? m.senderName}</strong> {t("saved.in", { room: where })}{" "}
                    {m.thread && <span>· {t("thread.replies", { n: m.thread.replies })} · {t("thread.lastReply", { when: relativeTime(m.thread.lastAt, prefs.lang) })}</span>}
                  </span>
                  {m.deleted ? <span class="conv-text tombstone">{t("msg.deleted")}</span> : <span class="conv-text">{previewText(m, t)}</span>}
                </button>
                {f.unread > 0 && (
                  <span class="badge mention thread-unread" aria-label={t("thread.unread", { n: f.unread })}>
                    {f.unread >= 100 ? "99+" : f.unread}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Dialog>
  );
}
