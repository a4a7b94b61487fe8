// The sidebar's way to the support inbox (agents and admins), with how many
// visitors wait in my teams' queues and my unread replies.
import { useApp, useChatState } from "../common/context";

export function SupportLink({ active, onOpen }: { active: boolean; onOpen(): void }) {
  const { chat, support, t } = useApp();
  useChatState(chat);
  const waiting = support.lists.queued.length;
  const unread = support.totalUnread();
  return (
    <button type="button" class={`room-link support-link ${active ? "active" : ""} ${waiting || unread ? "unread" : ""}`} aria-current={active ? "page" : undefined} data-open="support" onClick={onOpen}>
      <span class="glyph" aria-hidden="true">
        🎧
      </span>
      <span class="room-name">{t("support.nav")}</span>
      {unread > 0 && (
        <span class="badge mention" aria-label={t("support.unread", { n: unread })}>
          {unread >= 100 ? "99+" : unread}
        </span>
      )}
      {waiting > 0 && (
        <span class="badge" aria-label={t("support.navCount", { n: waiting })}>
          {waiting}
        </span>
      )}
    </button>
  );
}
