// Reactions on a message: the chips under it (count, who: in the tooltip
// and for screen readers; pressed when one is mine, a click toggles it),
// and the quick-reaction bar among the message's actions, offering the
// emoji I used lately and a palette of more.
import "./conversations.css";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Message } from "../../api/protocol.gen";
import { useApp, useChatState } from "../common/context";
import { reactionNames } from "../../state/conversations";
import { roomWritable } from "../../state/rooms";
import { PALETTE, recentEmoji, rememberEmoji } from "../../features/recentEmoji";
import { errorText } from "../common/errorText";

// useReact returns a function that toggles my reaction emoji on m.
function useReact(m: Message): (emoji: string) => void {
  const { chat, t } = useApp();
  return (emoji: string) => {
    const me = chat.state.me?.userId ?? "";
    const mine = !!m.reactions?.find((r) => r.emoji === emoji)?.userIds.includes(me);
    if (!mine && me) rememberEmoji(me, emoji);
    chat.react(m.roomId, m.seq, emoji, !mine).catch((err) => chat.announce(errorText(err, t)));
  };
}

export function ReactionChips({ msg }: { msg: Message }) {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const toggle = useReact(msg);
  if (!msg.reactions?.length || msg.deleted) return null;
  const me = state.me?.userId ?? "";
  // Where nothing can be written (archived, a DM with nobody left) the chips only show.
  const writable = roomWritable(state, state.rooms[msg.roomId]);
  return (
    <div class="reactions" role="group" aria-label={t("react.list")}>
      {msg.reactions.map((r) => {
        const names = reactionNames(state, r.userIds, t("react.you")).join(", ");
        const mine = r.userIds.includes(me);
        return (
          <button
            type="button"
            key={r.emoji}
            class={mine ? "reaction mine" : "reaction"}
            aria-pressed={mine}
            disabled={!writable}
            aria-label={t("react.chip", { emoji: r.emoji, n: r.userIds.length, names })}
            title={t("react.chipTitle", { names, emoji: r.emoji })}
            onClick={() => toggle(r.emoji)}
          >
            <span class="reaction-emoji" aria-hidden="true">
              {r.emoji}
            </span>
            <span class="reaction-count" aria-hidden="true">
              {r.userIds.length}
            </span>
          </button>
        );
      })}
    </div>
  );
}

export function QuickReactions({ msg }: { msg: Message }) {
  const { chat, t } = useApp();
  const toggle = useReact(msg);
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        setOpen(false);
        ref.current?.querySelector<HTMLElement>(".react-more")?.focus();
      }
    };
    const onDown = (e: PointerEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey, true);
    document.addEventListener("pointerdown", onDown, true);
    return () => {
      document.removeEventListener("keydown", onKey, true);
      document.removeEventListener("pointerdown", onDown, true);
    };
  }, [open]);
  const recent = recentEmoji(chat.state.me?.userId ?? "");
  return (
    <div class="quick-reactions" role="group" aria-label={t("react.bar")} ref={ref}>
      {recent.map((e) => (
        <button type="button" key={e} class="icon-btn quick-react" data-emoji={e} aria-label={t("react.with", { emoji: e })} title={t("react.with", { emoji: e })} onClick={() => toggle(e)}>
          {e}
        </button>
      ))}
      <button type="button" class="icon-btn react-more" aria-expanded={open} aria-haspopup="true" aria-label={t("react.more")} title={t("react.more")} onClick={() => setOpen(!open)}>
        <span aria-hidden="true">☺+</span>
      </button>
      {open && (
        <div class="emoji-palette" role="group" aria-label={t("react.more")}>
          {PALETTE.map((e) => (
            <button
              type="button"
              key={e}
              class="icon-btn"
              data-emoji={e}
              aria-label={t("react.with", { emoji: e })}
              onClick={() => {
                setOpen(false);
                toggle(e);
              }}
            >
              {e}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
