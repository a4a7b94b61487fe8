// Actions on someone else's message: report it (any member) and, for the
// room's moderators, owners and workspace staff, remove it.
import "./moderation.css";
import type { ComponentChildren } from "preact";
import type { Message } from "../../api/protocol.gen";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { canModerate } from "../../state/moderation";
import { useState } from "preact/hooks";
import { ReportDialog } from "./ReportDialog";
import { useE2EEHandle } from "../e2ee/api";

// children: more actions shown first in the same group (reactions, pin, save).
export function MessageModActions({ msg, children }: { msg: Message; children?: ComponentChildren }) {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const { error, run } = useSubmit();
  const [reporting, setReporting] = useState(false);
  const e2ee = useE2EEHandle();
  const room = state.rooms[msg.roomId];
  if (!room) return null;
  const moderator = canModerate(state, room);

  // In an encrypted room the server cannot read the message: the report
  // carries the text as this device decrypted it (issue 19).
  const plaintext = room.encrypted ? e2ee?.reportPlaintext(msg.roomId, msg.seq) : undefined;
  const report = async (reason: string) => {
    await chat.request({ action: "reportMessage", roomId: msg.roomId, seq: msg.seq, reason: reason || undefined, plaintext: room.encrypted ? (e2ee?.reportPlaintext(msg.roomId, msg.seq) ?? "") : undefined });
    chat.announce(t("mod.reported"));
  };
  const remove = async () => {
    if (!confirm(t("mod.confirmDeleteAny"))) return;
    await run(() => chat.request({ action: "deleteMessage", roomId: msg.roomId, seq: msg.seq }));
  };

  // The dialog sits beside the actions, not in them: they hide when the
  // pointer leaves the message, and would take the dialog along.
  return (
    <>
      {reporting && <ReportDialog onReport={report} onClose={() => setReporting(false)} note={room.encrypted ? (plaintext !== undefined ? t("e2ee.reportNote") : t("e2ee.reportNoText")) : undefined} />}
      <div class="msg-actions" role="group" aria-label={t("msg.actions")}>
        {children}
        {error && (
          <span class="status-line failed" role="alert">
            {error}
          </span>
        )}
        <button type="button" class="icon-btn" aria-label={t("mod.report")} title={t("mod.report")} data-action="report" onClick={() => setReporting(true)}>
          ⚑
        </button>
        {moderator && (
          <button type="button" class="icon-btn" aria-label={t("mod.deleteAny")} title={t("mod.deleteAny")} data-action="mod-delete" onClick={() => void remove()}>
            🗑
          </button>
        )}
      </div>
    </>
  );
}
