// One room on screen: its header, the message list, who is typing, and the
// composer. Files dropped anywhere on it are attached to the next message.
import { useEffect, useRef, useState } from "preact/hooks";
import { directPeer, roomTitle, roomWritable } from "../../state/rooms";
import { PresenceDot } from "../common/Avatar";
import { lastSeen } from "../common/lastSeen";
import { typingNames } from "../../state/typing";
import { isMuted } from "../../state/preferences";
import { useApp, useChatState, type DialogName } from "../common/context";
import { MessageList } from "./MessageList";
import { Composer } from "../composer/Composer";
import { ConfirmDialog } from "../common/ConfirmDialog";
import { RoomBanner } from "../moderation/RoomBanner";
import { RetentionNotice } from "../privacy/RetentionNotice";
import { DeletedPartnerNotice } from "../privacy/DeletedPartnerNotice";
import { DirectBlockButton } from "../privacy/BlockButton";
import { CallBanner, CallButtons, CallErrorNotice, CallView } from "../calls/Calls";
import { LockBadge } from "../e2ee/LockBadge";
import { KeyWarningBanner } from "../e2ee/KeyWarningBanner";
import { SafetyNumberDialog } from "../e2ee/SafetyNumberDialog";
import { useE2EE } from "../e2ee/api";

export function MessagePane({
  roomId,
  membersShown,
  onToggleMembers,
  onDialog,
  drawerOpen,
  onOpenDrawer,
}: {
  roomId: string;
  membersShown: boolean;
  onToggleMembers(): void;
  onDialog(d: DialogName): void;
  drawerOpen: boolean;
  onOpenDrawer(): void;
}) {
  const { chat, uploads, t, prefs, calls } = useApp();
  const state = useChatState(chat);
  const room = state.rooms[roomId];
  const [dragging, setDragging] = useState(false);
  const [confirmLeave, setConfirmLeave] = useState(false);
  const [menu, setMenu] = useState(false);
  // The safety number with the other person of an encrypted DM.
  const [safety, setSafety] = useState(false);
  const e2ee = useE2EE();
  // The menu closes on Escape and on a tap or click outside it.
  useEffect(() => {
    if (!menu) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      setMenu(false);
      document.querySelector<HTMLElement>(".room-menu-btn")?.focus();
    };
    const onDown = (e: PointerEvent) => {
      const t = e.target as Element | null;
      if (!t?.closest("#room-actions, .room-menu-btn")) setMenu(false);
    };
    document.addEventListener("keydown", onKey, true);
    document.addEventListener("pointerdown", onDown, true);
    return () => {
      document.removeEventListener("keydown", onKey, true);
      document.removeEventListener("pointerdown", onDown, true);
    };
  }, [menu]);
  // dragenter/dragleave fire for every child crossed: count the depth.
  const dragDepth = useRef(0);
  // Re-render once a second while someone types, so the line expires.
  const [now, setNow] = useState(Date.now());
  const typing = typingNames(state, roomId, now);
  useEffect(() => {
    if (typing.length === 0) return;
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [typing.length > 0]);
  useEffect(() => setNow(Date.now()), [state.typing[roomId]]);
  if (!room) return null;

  const title = roomTitle(state, room);
  const peer = directPeer(state, room);
  const label = room.kind === "direct" ? title : `#${title}`;
  const isChannel = room.kind !== "direct";
  const muted = isMuted(state, roomId, Date.now());
  const isGeneral = room.roomId === "general";
  const typingLine = typing.length === 0 ? "" : typing.length === 1 ? t("typing.one", { a: typing[0] }) : typing.length === 2 ? t("typing.two", { a: typing[0], b: typing[1] }) : t("typing.many");

  const leave = () => chat.leaveChannel(roomId);

  const carriesFiles = (e: DragEvent) =>
    state.limits?.files !== false && !!e.dataTransfer && Array.from(e.dataTransfer.types).includes("Files");
  const dragHandlers = {
    onDragEnter: (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      dragDepth.current++;
      setDragging(true);
    },
    onDragOver: (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      e.dataTransfer!.dropEffect = "copy";
    },
    onDragLeave: (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      dragDepth.current = Math.max(0, dragDepth.current - 1);
      if (dragDepth.current === 0) setDragging(false);
    },
    onDrop: (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      dragDepth.current = 0;
      setDragging(false);
      const files = Array.from(e.dataTransfer!.files);
      if (files.length > 0) uploads.add(roomId, files);
      document.getElementById("composer-input")?.focus();
    },
  };

  return (
    <section class={dragging ? "room dragging" : "room"} aria-labelledby="room-title" {...dragHandlers}>
      {dragging && (
        <div class="drop-zone" aria-hidden="true">
          <p>{t("files.dropHere", { room: label })}</p>
        </div>
      )}
      <header class="room-head">
        <button type="button" class="icon-btn drawer-toggle" aria-expanded={drawerOpen} aria-controls="sidebar" aria-label={t("nav.openSidebar")} title={t("nav.openSidebar")} onClick={onOpenDrawer}>
          ☰
        </button>
        <div class="room-head-text">
          <h1 id="room-title">
            <span class="sr-only">{room.kind === "private" ? t("room.private") : room.kind === "public" ? t("room.public") : t("room.direct")}: </span>
            {label}
            {room.encrypted && <LockBadge onClick={peer && e2ee ? () => setSafety(true) : undefined} label={peer && e2ee ? t("e2ee.lockDm") : undefined} />}
          </h1>
          {isChannel && <p class="topic">{room.topic || t("room.noTopic")}</p>}
          <RetentionNotice room={room} />
          {/* Presence is only known while connected. */}
          {peer && chat.status === "online" && (
            <p class="topic presence-line">
              <PresenceDot online={!!peer.online} label={peer.online ? t("presence.online") : t("presence.offline")} />{" "}
              {peer.online ? t("conn.statusOnline") : lastSeen(peer.lastSeen, prefs.lang, t) || t("conn.statusOffline")}
            </p>
          )}
        </div>
        <CallButtons roomId={roomId} />
        <button type="button" class="icon-btn search-btn" aria-label={t("search.open")} title={t("search.open")} onClick={() => onDialog("search")}>
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
            <circle cx="10.5" cy="10.5" r="6.5" fill="none" stroke="currentColor" stroke-width="2" />
            <path d="M15.5 15.5 21 21" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
          </svg>
        </button>
        <button type="button" class="icon-btn pins-btn" aria-label={t("pin.open")} title={t("pin.open")} onClick={() => onDialog("pins")}>
          <span aria-hidden="true">📌</span>
        </button>
        <button type="button" class="icon-btn saved-btn" aria-label={t("saved.open")} title={t("saved.open")} onClick={() => onDialog("saved")}>
          <span aria-hidden="true">🔖</span>
        </button>
        <button type="button" class="icon-btn scheduled-btn" aria-label={t("sched.open")} title={t("sched.open")} onClick={() => onDialog("scheduled")}>
          <span aria-hidden="true">🕒</span>
        </button>
        {/* On narrow screens the actions fold into a menu (one header row). */}
        <button type="button" class="icon-btn room-menu-btn" aria-expanded={menu} aria-controls="room-actions" aria-label={t(isChannel ? "room.menu" : "room.menuDirect")} title={t(isChannel ? "room.menu" : "room.menuDirect")} onClick={() => setMenu(!menu)}>
          ⋯
        </button>
        <div id="room-actions" class={menu ? "room-actions open" : "room-actions"} onClick={() => setMenu(false)}>
          <button type="button" class={`icon-btn labelled notify-btn ${muted ? "muted" : ""}`} aria-label={t("room.notifications")} title={t("room.notifications")} data-open="notify" onClick={() => onDialog("notify")}>
            <span aria-hidden="true">{muted ? "🔕" : "🔔"}</span>
            <span class="menu-label" aria-hidden="true">{t("room.notifications")}</span>
          </button>
          {isChannel && (
            <button type="button" class="btn" onClick={() => onDialog("invite")}>
              {t("room.invite")}
            </button>
          )}
          {isChannel && (
            <button type="button" class="icon-btn labelled" aria-label={t("room.settings")} title={t("room.settings")} onClick={() => onDialog("room")}>
              <span aria-hidden="true">✎</span>
              <span class="menu-label" aria-hidden="true">{t("room.settings")}</span>
            </button>
          )}
          {peer && <DirectBlockButton userId={peer.userId} name={peer.displayName} />}
          {isChannel && !isGeneral && (
            <button type="button" class="icon-btn labelled" aria-label={t("room.leave")} title={t("room.leave")} onClick={() => setConfirmLeave(true)}>
              <span aria-hidden="true">⇥</span>
              <span class="menu-label" aria-hidden="true">{t("room.leave")}</span>
            </button>
          )}
          <button type="button" class="btn members-toggle" aria-pressed={membersShown} onClick={onToggleMembers} title={membersShown ? t("nav.hideMembers") : t("nav.showMembers")}>
            {t("room.members", { n: room.memberCount })}
          </button>
        </div>
      </header>
      <CallBanner roomId={roomId} />
      {calls.active?.call.roomId === roomId ? <CallView mini={false} onOpen={(id) => chat.openRoom(id)} /> : <CallErrorNotice />}
      <MessageList roomId={roomId} label={label} />
      <p class="typing" aria-live="off">
        {typingLine}
      </p>
      <KeyWarningBanner roomId={roomId} />
      <RoomBanner roomId={roomId} />
      <DeletedPartnerNotice roomId={roomId} />
      {roomWritable(state, room) && <Composer roomId={roomId} label={label} />}
      {safety && peer && e2ee && <SafetyNumberDialog e2ee={e2ee} userId={peer.userId} name={peer.displayName} onClose={() => setSafety(false)} />}
      {confirmLeave && (
        <ConfirmDialog
          title={t("room.leaveConfirm", { name: room.name })}
          body={room.kind === "private" ? t("room.leavePrivateBody") : t("room.leaveBody")}
          action={t("room.leave")}
          onConfirm={leave}
          onClose={() => setConfirmLeave(false)}
        />
      )}
    </section>
  );
}
