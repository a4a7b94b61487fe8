// My saved messages, newest saved first, a page at a time. A deleted one
// shows as deleted; one of a room I left as unavailable. One opens its
// room at it; each can be removed from the list.
import { useState } from "preact/hooks";
import type { SavedItem } from "../../api/protocol.gen";
import { Dialog } from "../common/Dialog";
import { useApp, useChatState } from "../common/context";
import { previewText } from "../e2ee/previewText";
import { errorText } from "../common/errorText";
import { usePagedList } from "../common/usePagedList";
import { savedKey } from "../../state/conversations";

export function SavedDialog({ onClose, onOpen }: { onClose(): void; onOpen(roomId: string, seq: number): void }) {
  const { chat, t, prefs } = useApp();
  const state = useChatState(chat);
  const [error, setError] = useState("");
  const list = usePagedList<SavedItem>((cursor) => chat.listSaved(cursor), (err) => setError(errorText(err, t)));
  // Unsaved here (or elsewhere) leaves the list at once.
  const items = list.items.filter((it) => savedKey(it.roomId, it.seq) in state.saved);
  return (
    <Dialog title={t("saved.title")} onClose={onClose} wide className="saved-dialog">
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {list.loading && list.items.length === 0 && <p class="hint">{t("common.loading")}</p>}
      {!list.loading && items.length === 0 && <p class="hint">{t("saved.none")}</p>}
      {items.length > 0 && (
        <ul class="conv-list">
          {items.map((it) => {
            const m = it.message;
            const room = it.roomName ? (state.rooms[it.roomId]?.kind === "direct" ? it.roomName : `#${it.roomName}`) : "";
            return (
              <li key={savedKey(it.roomId, it.seq)} class="conv-item" data-seq={it.seq}>
                {it.unavailable || !m ? (
                  <p class="conv-text tombstone">{t("saved.unavailable")}</p>
                ) : (
                  <button type="button" class="conv-open" onClick={() => onOpen(it.roomId, it.seq)} disabled={!state.rooms[it.roomId]}>
                    <span class="conv-meta">
                      <strong>{state.users[m.senderId]?.displayName ?? m.senderName}</strong> {room && t("saved.in", { room })}{" "}
                      {!m.deleted && <time dateTime={m.createdAt}>{new Date(m.createdAt).toLocaleString(prefs.lang, { dateStyle: "medium", timeStyle: "short" })}</time>}
                    </span>
                    {m.deleted ? <span class="conv-text tombstone">{t("msg.deleted")}</span> : <span class="conv-text">{previewText(m, t)}</span>}
                  </button>
                )}
                <button type="button" class="btn" onClick={() => chat.save(it.roomId, it.seq, false).catch((err) => setError(errorText(err, t)))}>
                  {t("saved.unsave")}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {list.cursor && (
        <button type="button" class="btn" disabled={list.loading} onClick={() => void list.more()}>
          {list.loading ? t("common.loading") : t("saved.more")}
        </button>
      )}
    </Dialog>
  );
}
