// Who is in the room, online first; a click opens a DM.
import { handle } from "../common/handle";
import type { Profile } from "../../api/protocol.gen";
import { Avatar } from "../common/Avatar";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { lastSeen } from "../common/lastSeen";
import { MemberModMenu } from "../moderation/MemberModMenu";
import { BlockButton } from "../privacy/BlockButton";
import { BotBadge, isBot } from "../bots/BotBadge";
import { SafetyNumberButton } from "../e2ee/SafetyNumberButton";

export function MembersPanel({ roomId, onOpen, onClose }: { roomId: string; onOpen(roomId: string): void; onClose(): void }) {
  const { chat, t, prefs } = useApp();
  const state = useChatState(chat);
  const { error, run } = useSubmit();
  const members = state.members[roomId] ?? {};
  const room = state.rooms[roomId];
  const people = Object.keys(members)
    .map((id) => state.users[id])
    .filter((u): u is Profile => !!u)
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
  const online = people.filter((u) => u.online);
  const offline = people.filter((u) => !u.online);

  const dm = async (u: Profile) => {
    if (u.userId === state.me?.userId || isBot(u.userId, u)) return; // bots are in no direct conversation
    await run(async () => onOpen(await chat.openDirect([u.userId])));
  };

  const row = (u: Profile) => {
    const me = u.userId === state.me?.userId;
    return (
      <li key={u.userId}>
        {me ? (
          <div class="member">
            <Avatar user={u} size={28} presence />
            <span class="member-name">
              {u.displayName} <span class="muted">{t("sidebar.you")}</span>
            </span>
            <span class="sr-only">, {u.online ? t("presence.online") : t("presence.offline")}</span>
          </div>
        ) : (
          <div class="member-row">
            <button type="button" class="member" onClick={() => void dm(u)} title={isBot(u.userId, u) ? undefined : t("members.message", { name: u.displayName })}>
              <Avatar user={u} size={28} presence />
              <span class="member-name">
                {u.displayName}
                {handle(u) && <span class="muted member-handle"> {handle(u)}</span>}
                {!u.online && u.lastSeen && <span class="member-seen">{lastSeen(u.lastSeen, prefs.lang, t)}</span>}
              </span>
              {isBot(u.userId, u) && <BotBadge />}
              {members[u.userId]?.role === "owner" && <span class="tag">{t("members.owner")}</span>}
              {members[u.userId]?.role === "moderator" && <span class="tag">{t("mod.moderatorTag")}</span>}
              {!!members[u.userId]?.mutedUntil && new Date(members[u.userId]!.mutedUntil!).getTime() > Date.now() && <span class="tag muted-tag">{t("mod.mutedTag")}</span>}
              <span class="sr-only">, {u.online ? t("presence.online") : t("presence.offline")}</span>
            </button>
            {room?.encrypted && <SafetyNumberButton userId={u.userId} name={u.displayName} />}
            <BlockButton userId={u.userId} name={u.displayName} />
            {room && members[u.userId] && <MemberModMenu room={room} userId={u.userId} name={u.displayName} member={members[u.userId]!} />}
          </div>
        )}
      </li>
    );
  };

  return (
    <aside class="members" aria-labelledby="members-title">
      <div class="members-head">
        <h2 id="members-title">{t("members.title")}</h2>
        <button type="button" class="icon-btn" aria-label={t("nav.hideMembers")} title={t("nav.hideMembers")} onClick={onClose}>
          ×
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <h3>{t("members.online", { n: online.length })}</h3>
      <ul>{online.map(row)}</ul>
      <h3>{t("members.offline", { n: offline.length })}</h3>
      <ul>{offline.map(row)}</ul>
    </aside>
  );
}
