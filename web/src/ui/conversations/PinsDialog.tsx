// The room's pinned messages (the header's 📌), most recently sent first;
// one opens the room at it. Kept current while open: a pin or unpin the
// room hears of reloads the list.
import { useEffect, useState } from "preact/hooks";
import type { Message } from "../../api/protocol.gen";
import { Dialog } from "../common/Dialog";
import { useApp, useChatState } from "../common/context";
import { previewText } from "../e2ee/previewText";
import { errorText } from "../common/errorText";
import { canPin } from "../../state/conversations";

export function PinsDialog({ roomId, onClose, onOpen }: { roomId: string; onClose(): void; onOpen(roomId: string, seq: number): void }) {
  const { chat, t, prefs } = useApp();
  const state = useChatState(chat);
  const [pins, setPins] = useState<Message[] | null>(null);
  const [error, setError] = useState("");
  // The pins held in view: reload when one of them (or a new one) changes.
  const signature = (state.messages[roomId] ?? [])
    .filter((m) => m.pinnedBy || pins?.some((p) => p.seq === m.seq))
    .map((m) => `${m.seq}:${m.pinnedBy ?? ""}:${m.deleted ? 1 : 0}`)
    .join(",");
  useEffect(() => {
    chat.listPins(roomId).then(setPins, (err) => setError(errorText(err, t)));
  }, [roomId, signature]);
  const mayUnpin = canPin(state, roomId);
  return (
    <Dialog title={t("pin.title")} onClose={onClose} wide className="pins-dialog">
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {pins === null && !error && <p class="hint">{t("common.loading")}</p>}
      {pins?.length === 0 && <p class="hint">{t("pin.none")}</p>}
      {pins && pins.length > 0 && (
        <ul class="conv-list">
          {pins.map((m) => (
            <li key={m.seq} class="conv-item" data-seq={m.seq}>
              <button type="button" class="conv-open" onClick={() => onOpen(roomId, m.seq)}>
                <span class="conv-meta">
                  <strong>{state.users[m.senderId]?.displayName ?? m.senderName}</strong>{" "}
                  <time dateTime={m.createdAt}>{new Date(m.createdAt).toLocaleString(prefs.lang, { dateStyle: "medium", timeStyle: "short" })}</time>
                </span>
                <span class="conv-text">{previewText(m, t)}</span>
                <span class="conv-meta">{t("pin.pinnedBy", { name: state.users[m.pinnedBy ?? ""]?.displayName ?? "" })}</span>
              </button>
              {mayUnpin && (
                <button type="button" class="btn" onClick={() => chat.pin(roomId, m.seq, false).catch((err) => setError(errorText(err, t)))}>
                  {t("pin.unpin")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
