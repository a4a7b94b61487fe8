// Browse public channels and join them; the search box asks the server
// (listChannels with a query: name and topic words, by prefix).
import { useState } from "preact/hooks";
import { Dialog } from "../common/Dialog";
import { useApp, useChatState } from "../common/context";
import { usePagedList } from "../common/usePagedList";
import { useSubmit } from "../common/useSubmit";

export function BrowseDialog({ onClose, onOpen }: { onClose(): void; onOpen(roomId: string): void }) {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const { error, run, fail } = useSubmit();
  const [query, setQuery] = useState("");
  const { items: rooms, cursor, loading, more } = usePagedList((from, q) => chat.listChannels(from, q).then((p) => ({ items: p.rooms, cursor: p.cursor })), fail, query);

  const join = (id: string) =>
    run(async () => {
      if (!state.rooms[id]) await chat.joinChannel(id);
      onClose();
      onOpen(id);
    });

  return (
    <Dialog title={t("browse.title")} onClose={onClose} wide>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <label>
        {t("browse.search")}
        <input type="search" name="channel-search" value={query} autocomplete="off" spellcheck={false} onInput={(e) => setQuery(e.currentTarget.value)} />
      </label>
      {!loading && rooms.length === 0 && <p>{query.trim() ? t("browse.noMatch") : t("browse.empty")}</p>}
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
        <button type="button" class="btn" onClick={() => void more()}>
          {t("browse.more")}
        </button>
      )}
    </Dialog>
  );
}
