// The conversation actions among a message's actions (shown on hover and
// focus): quick reactions, pin or unpin (when I may), save or unsave.
import type { Message } from "../../api/protocol.gen";
import { useApp, useChatState } from "../common/context";
import { canPin, isSaved } from "../../state/conversations";
import { roomWritable } from "../../state/rooms";
import { errorText } from "../common/errorText";
import { QuickReactions } from "./Reactions";
import { RemindMe } from "../scheduled/RemindMe";

export function MessageConvActions({ msg }: { msg: Message }) {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const room = state.rooms[msg.roomId];
  if (!room || msg.deleted || msg.seq <= 0) return null;
  const saved = isSaved(state, msg);
  const pinned = !!msg.pinnedBy;
  const fail = (err: unknown) => chat.announce(errorText(err, t));
  return (
    <>
      {roomWritable(state, room) && <QuickReactions msg={msg} />}
      {!msg.parentSeq && !msg.system && (
        <button type="button" class="icon-btn" data-action="thread" aria-label={t("thread.reply")} title={t("thread.reply")} onClick={() => chat.openThread(msg.roomId, msg.seq)}>
          <span aria-hidden="true">💬</span>
        </button>
      )}
      {canPin(state, msg.roomId) && (
        <button
          type="button"
          class="icon-btn"
          data-action={pinned ? "unpin" : "pin"}
          aria-label={pinned ? t("pin.unpin") : t("pin.pin")}
          title={pinned ? t("pin.unpin") : t("pin.pin")}
          aria-pressed={pinned}
          onClick={() => chat.pin(msg.roomId, msg.seq, !pinned).catch(fail)}
        >
          <span aria-hidden="true">📌</span>
        </button>
      )}
      <button
        type="button"
        class="icon-btn"
        data-action={saved ? "unsave" : "save"}
        aria-label={saved ? t("saved.unsave") : t("saved.save")}
        title={saved ? t("saved.unsave") : t("saved.save")}
        aria-pressed={saved}
        onClick={() =>
          chat
            .save(msg.roomId, msg.seq, !saved)
            .then(() => chat.announce(saved ? t("saved.removed") : t("saved.done")))
            .catch(fail)
        }
      >
        <span aria-hidden="true">{saved ? "🔖" : "🏷"}</span>
      </button>
      <RemindMe msg={msg} />
    </>
  );
}
