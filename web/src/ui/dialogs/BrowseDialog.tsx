// Browse public channels and join them.
import { useEffect, useState } from "preact/hooks";
import type { Room } from "../../api/protocol.gen";
import { Dialog } from "../common/Dialog";
import { useApp, useChatState } from "../common/context";
import { errorText } from "../common/errorText";

export function BrowseDialog({ onClose, onOpen }: { onClose(): void; onOpen(roomId: string): void }) {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const [rooms, setRooms] = useState<Room[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState("");

  const load = async (from?: string) => {
    setLoading(true);
    try {
      const page = await chat.listChannels(from);
      setRooms((r) => (from ? [...r, ...page.rooms] : page.rooms));
      setCursor(page.cursor);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void load(), []);

  const join = async (id: string) => {
    try {
      if (!state.rooms[id]) await chat.joinChannel(id);
      onClose();
      onOpen(id);
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <Dialog title={t("browse.title")} onClose={onClose} wide>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!loading && rooms.length === 0 && <p>{t("browse.empty")}</p>}
      <ul class="pick-list">
        {rooms.map((r) => (
          <li key={r.roomId} class="pick-row">
            <div>
              <strong>#{r.name}</strong> <span class="muted">{t("browse.members", { n: r.memberCount })}</span>
              {r.topic && <p class="muted small">{r.topic}</p>}
            </div>
            <button type="button" class="btn" onClick={() => void join(r.roomId)} aria-label={`${state.rooms[r.roomId] ? t("browse.open") : t("browse.join")} #${r.name}`}>
              {state.rooms[r.roomId] ? t("browse.open") : t("browse.join")}
            </button>
          </li>
        ))}
      </ul>
      {loading && <p role="status">{t("common.loading")}</p>}
      {cursor && !loading && (
        <button type="button" class="btn" onClick={() => void load(cursor)}>
          {t("browse.more")}
        </button>
      )}
    </Dialog>
  );
}
