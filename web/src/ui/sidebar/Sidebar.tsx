// The room list: channels and DMs with unread badges and presence dots,
// and the entry points to create, browse, message and settings.
import { isStaff } from "../../state/moderation";
import { Invitations } from "../moderation/Invitations";
import { ThreadsLink } from "../threads/ThreadsLink";
import { SupportLink } from "../support/SupportLink";
import type { RoomState } from "../../api/protocol.gen";
import { directPeer, roomTitle } from "../../state/rooms";
import { isMuted, roomBadge } from "../../state/preferences";
import { Avatar, PresenceDot } from "../common/Avatar";
import { useApp, useChatState, type DialogName } from "../common/context";
import { LockBadge } from "../e2ee/LockBadge";

export function Sidebar({ id, onOpen, onDialog, onClose, onSupport, supportActive }: { id: string; onOpen(roomId: string): void; onDialog(d: DialogName): void; onClose(): void; onSupport?(): void; supportActive?: boolean }) {
  const { chat, t, signOut, session, support } = useApp();
  const isAdmin = !!session?.groups.includes("admins");
  const state = useChatState(chat);
  // Support rooms live in the support inbox, never in the room list.
  const rooms = Object.values(state.rooms).filter((r) => r.kind !== "support");
  const channels = rooms.filter((r) => r.kind !== "direct").sort((a, b) => (a.roomId === "general" ? -1 : b.roomId === "general" ? 1 : a.name.localeCompare(b.name)));
  const directs = rooms.filter((r) => r.kind === "direct").sort((a, b) => roomTitle(state, a).localeCompare(roomTitle(state, b)));

  const item = (r: RoomState) => {
    const title = roomTitle(state, r);
    const peer = directPeer(state, r);
    const active = r.roomId === state.activeRoom && !supportActive;
    // A muted room counts only its mentions, and says it is muted.
    const muted = isMuted(state, r.roomId, Date.now());
    const count = roomBadge(state, r, Date.now());
    return (
      <li key={r.roomId}>
        <button type="button" class={`room-link ${active ? "active" : ""} ${count ? "unread" : ""} ${muted ? "muted" : ""}`} aria-current={active ? "page" : undefined} data-room={r.roomId} onClick={() => onOpen(r.roomId)}>
          {r.kind === "direct" ? (
            peer ? (
              <PresenceDot online={peer.online} label={peer.online ? t("presence.online") : t("presence.offline")} />
            ) : (
              <span class="glyph" aria-hidden="true" title={t("room.group")}>
                ⁂
              </span>
            )
          ) : (
            <span class="glyph" aria-hidden="true">
              {r.kind === "private" ? "🔒" : "#"}
            </span>
          )}
          <span class="room-name">{title}</span>
          {r.encrypted && <LockBadge />}
          {muted && (
            <span class="muted-mark" title={t("sidebar.muted")}>
              <span aria-hidden="true">🔕</span>
              <span class="sr-only">{t("sidebar.muted")}</span>
            </span>
          )}
          {count > 0 && (
            <span class={`badge ${r.mentions ? "mention" : ""}`} aria-label={r.mentions ? t("sidebar.mentions", { n: r.mentions }) : t("sidebar.unread", { n: r.unread })}>
              {r.mentions ? `@${r.mentions}` : r.unread >= 100 ? "99+" : r.unread}
            </span>
          )}
        </button>
      </li>
    );
  };

  return (
    <nav id={id} class="sidebar" aria-label={t("sidebar.label")}>
      <div class="sidebar-head">
        <span class="brand">{t("app.name")}</span>
        <button type="button" class="icon-btn drawer-close" aria-label={t("nav.closeSidebar")} title={t("nav.closeSidebar")} onClick={onClose}>
          ×
        </button>
      </div>
      <div class="sidebar-scroll">
        <ThreadsLink onDialog={onDialog} />
        {onSupport && (support.isAgent() || isAdmin) && (
          <SupportLink active={!!supportActive} onOpen={onSupport} />
        )}
        <Invitations onOpen={onOpen} />
        <section aria-labelledby="h-channels">
          <div class="section-head">
            <h2 id="h-channels">{t("sidebar.channels")}</h2>
            <button type="button" class="text-btn" aria-label={t("sidebar.browse")} title={t("sidebar.browse")} onClick={() => onDialog("browse")}>
              {t("sidebar.browseShort")}
            </button>
            <button type="button" class="icon-btn" aria-label={t("sidebar.createChannel")} title={t("sidebar.createChannel")} onClick={() => onDialog("create")}>
              +
            </button>
          </div>
          <ul class="room-list">{channels.map(item)}</ul>
        </section>
        <section aria-labelledby="h-direct">
          <div class="section-head">
            <h2 id="h-direct">{t("sidebar.direct")}</h2>
            <button type="button" class="icon-btn" aria-label={t("sidebar.newDirect")} title={t("sidebar.newDirect")} onClick={() => onDialog("dm")}>
              +
            </button>
          </div>
          <ul class="room-list">{directs.map(item)}</ul>
        </section>
      </div>
      {state.me && (isStaff(state) || isAdmin) && (
        // The workspace tools, on their own row: with them the me-bar would
        // have no room left for the name.
        <div class="staff-bar" role="group" aria-label={t("mod.tools")}>
          {isStaff(state) && (
            <button type="button" class="icon-btn" aria-label={t("mod.queue")} title={t("mod.queue")} data-open="queue" onClick={() => onDialog("queue")}>
              ⚑
            </button>
          )}
          {isAdmin && (
            <button type="button" class="icon-btn" aria-label={t("mod.audit")} title={t("mod.audit")} data-open="audit" onClick={() => onDialog("audit")}>
              ☰
            </button>
          )}
          {isAdmin && (
            <button type="button" class="icon-btn" aria-label={t("analytics.open")} title={t("analytics.open")} data-open="analytics" onClick={() => onDialog("analytics")}>
              📊
            </button>
          )}
          {isAdmin && (
            <button type="button" class="icon-btn" aria-label={t("admin.open")} title={t("admin.open")} onClick={() => onDialog("people")}>
              👥
            </button>
          )}
        </div>
      )}
      {state.me && (
        <div class="me-bar">
          <Avatar user={{ ...state.me, online: chat.status === "online" }} size={32} presence />
          <span class="me-text">
            <span class="me-name">{state.me.displayName}</span>
            <span class={`me-status ${chat.status}`}>{chat.status === "online" ? t("conn.statusOnline") : chat.status === "connecting" ? t("conn.statusConnecting") : t("conn.statusOffline")}</span>
          </span>
          <button type="button" class="icon-btn" aria-label={t("sidebar.settings")} title={t("sidebar.settings")} onClick={() => onDialog("settings")}>
            ⚙
          </button>
          <button type="button" class="icon-btn" aria-label={t("sidebar.signOut")} title={t("sidebar.signOut")} onClick={signOut}>
            ⎋
          </button>
        </div>
      )}
    </nav>
  );
}
