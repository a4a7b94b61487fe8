// Under a thread's parent: how many replies, the last repliers' avatars
// and when the last reply came; it opens the thread beside the room.
import type { Message } from "../../api/protocol.gen";
import { Avatar } from "../common/Avatar";
import { useApp, useChatState } from "../common/context";
import "./threads.css";

export function ThreadSummary({ msg }: { msg: Message }) {
  const { chat, t, prefs } = useApp();
  const state = useChatState(chat);
  // A reply also sent to the room leads to its thread.
  if (msg.parentSeq && msg.toRoom) {
    return (
      <button type="button" class="link thread-from" onClick={() => chat.openThread(msg.roomId, msg.parentSeq!)}>
        {t("thread.fromThread")}
      </button>
    );
  }
  const th = msg.thread;
  if (!th || th.replies <= 0 || msg.parentSeq) return null;
  const when = relativeTime(th.lastAt, prefs.lang);
  const names = th.repliers.map((id) => state.users[id]?.displayName ?? "").filter(Boolean);
  return (
    <button type="button" class="thread-summary" data-thread={msg.seq} onClick={() => chat.openThread(msg.roomId, msg.seq)}>
      <span class="thread-avatars" aria-hidden="true">
        {th.repliers.map((id) => (
          <Avatar key={id} user={state.users[id]} size={22} />
        ))}
      </span>
      <span class="thread-count">{t("thread.replies", { n: th.replies })}</span>
      {names.length > 0 && <span class="sr-only"> {t("thread.by", { names: names.join(", ") })}{" "}</span>}
      <span class="thread-last">{t("thread.lastReply", { when })}</span>
      <span class="sr-only">: {t("thread.openHint")}</span>
    </button>
  );
}

// relativeTime: "3 min ago", "yesterday", or a date.
export function relativeTime(iso: string, lang: string): string {
  const then = Date.parse(iso);
  if (!Number.isFinite(then)) return "";
  const secs = Math.round((then - Date.now()) / 1000);
  const fmt = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
  const abs = Math.abs(secs);
  if (abs < 60) return fmt.format(Math.min(secs, 0) === 0 ? 0 : secs, "second");
  if (abs < 3600) return fmt.format(Math.round(secs / 60), "minute");
  if (abs < 86400) return fmt.format(Math.round(secs / 3600), "hour");
  if (abs < 7 * 86400) return fmt.format(Math.round(secs / 86400), "day");
  return new Date(then).toLocaleDateString(lang, { dateStyle: "medium" });
}
