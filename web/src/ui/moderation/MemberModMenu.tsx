// A member's moderation menu in the members panel: mute or unmute, remove,
// ban, and (owners and admins) their role. Only offered to those the
// policy lets act; the server checks again.
import "./moderation.css";
import { useRef } from "preact/hooks";
import type { MemberState } from "../../state/types";
import type { RoomState } from "../../api/protocol.gen";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { canModerate, canSetRoles } from "../../state/moderation";

export function MemberModMenu({ room, userId, name, member }: { room: RoomState; userId: string; name: string; member: MemberState }) {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const { error, run } = useSubmit();
  const menu = useRef<HTMLDetailsElement>(null);
  const roles = canSetRoles(state, room);
  if (!canModerate(state, room) || room.kind === "direct") return null;
  const muted = !!member.mutedUntil && new Date(member.mutedUntil).getTime() > Date.now();
  const general = room.roomId === "general";
  // The menu closes once the action is done (it stays open on an error).
  const act = (payload: Parameters<typeof chat.request>[0]) =>
    run(async () => {
      await chat.request(payload);
      if (menu.current) menu.current.open = false;
    });
  const base = { roomId: room.roomId, userId };
  return (
    <details class="mod-menu" ref={menu}>
      <summary class="icon-btn" aria-label={t("mod.memberActions", { name })} title={t("mod.memberActions", { name })}>
        ⋯
      </summary>
      <div class="mod-menu-items" role="group" aria-label={t("mod.memberActions", { name })}>
        {muted ? (
          <button type="button" class="btn" onClick={() => void act({ action: "unmuteMember", ...base })}>
            {t("mod.unmute")}
          </button>
        ) : (
          <button type="button" class="btn" data-action="mute" onClick={() => void act({ action: "muteMember", ...base, minutes: 10 })}>
            {t("mod.muteFor")}
          </button>
        )}
        {!general && (
          <button type="button" class="btn" onClick={() => void act({ action: "removeMember", ...base })}>
            {t("mod.remove")}
          </button>
        )}
        {!general && (
          <button type="button" class="btn danger" onClick={() => void act({ action: "banMember", ...base })}>
            {t("mod.banMember")}
          </button>
        )}
        {roles && member.role !== "owner" && (
          <button type="button" class="btn" onClick={() => void act({ action: "setMemberRole", ...base, role: "owner" })}>
            {t("mod.makeOwner")}
          </button>
        )}
        {roles && member.role !== "moderator" && (
          <button type="button" class="btn" onClick={() => void act({ action: "setMemberRole", ...base, role: "moderator" })}>
            {t("mod.makeModerator")}
          </button>
        )}
        {roles && member.role !== "member" && (
          <button type="button" class="btn" onClick={() => void act({ action: "setMemberRole", ...base, role: "member" })}>
            {t("mod.makeMember")}
          </button>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </div>
    </details>
  );
}
