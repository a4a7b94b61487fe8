// The sidebar's way to the threads I follow, with their unread replies.
import { useApp, useChatState, type DialogName } from "../common/context";
import { unreadThreads } from "../../state/threads";
import "./threads.css";

export function ThreadsLink({ onDialog }: { onDialog(d: DialogName): void }) {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const n = unreadThreads(state);
  return (
    <button type="button" class={`room-link threads-link ${n ? "unread" : ""}`} onClick={() => onDialog("threads")}>
      <span class="glyph" aria-hidden="true">
        🧵
      </span>
      <span class="room-name">{t("thread.listTitle")}</span>
      {n > 0 && (
        <span class="badge mention" aria-label={t("thread.unread", { n })}>
          {n >= 100 ? "99+" : n}
        </span>
      )}
    </button>
  );
}
