// The chat layout: sidebar (a drawer on narrow screens), the message pane,
// the members panel, the offline banner, dialogs and the live region.
import { ModerationQueueDialog } from "../moderation/ModerationQueueDialog";
import { AuditLogDialog } from "../moderation/AuditLogDialog";
import { useEffect, useState } from "preact/hooks";
import { roomTitle } from "../../state/rooms";
import { useApp, useChatState, type DialogName } from "../common/context";
import { Sidebar } from "../sidebar/Sidebar";
import { MessagePane } from "../messages/MessagePane";
import { MembersPanel } from "../members/MembersPanel";
import { CreateChannelDialog } from "../dialogs/CreateChannelDialog";
import { BrowseDialog } from "../dialogs/BrowseDialog";
import { UserPickerDialog } from "../dialogs/UserPickerDialog";
import { RoomSettingsDialog } from "../dialogs/RoomSettingsDialog";
import { SettingsDialog } from "../settings/SettingsDialog";
import { NotifyPrompt } from "./NotifyPrompt";

export function ChatShell() {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const [drawer, setDrawer] = useState(false);
  const [members, setMembers] = useState(() => matchMedia("(min-width: 1100px)").matches);
  const [dialog, setDialog] = useState<DialogName>("");
  // On narrow screens the members panel is an overlay: closed by default.
  useEffect(() => {
    const narrow = matchMedia("(max-width: 760px)");
    const onChange = () => narrow.matches && setMembers(false);
    onChange();
    narrow.addEventListener?.("change", onChange);
    return () => narrow.removeEventListener?.("change", onChange);
  }, []);

  // Open #general (or the first room) once the rooms are known.
  useEffect(() => {
    if (state.activeRoom || Object.keys(state.rooms).length === 0) return;
    const first = state.rooms.general ? "general" : Object.keys(state.rooms)[0];
    chat.openRoom(first);
  }, [state.rooms, state.activeRoom]);

  const closeDrawer = () => {
    setDrawer(false);
    document.querySelector<HTMLElement>(".drawer-toggle")?.focus();
  };
  // The open drawer takes focus, and Escape closes it.
  useEffect(() => {
    if (!drawer) return;
    document.querySelector<HTMLElement>(".drawer-close")?.focus();
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && closeDrawer();
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [drawer]);

  const room = state.rooms[state.activeRoom];
  const open = (roomId: string) => {
    chat.openRoom(roomId);
    setDrawer(false);
  };
  return (
    <div class={`shell ${drawer ? "drawer-open" : ""} ${members && room ? "with-members" : ""}`}>
      <a class="skip" href="#composer-input">
        {t("nav.skip")}
      </a>
      {chat.status !== "online" && (
        <div class="banner offline" role="status">
          {chat.status === "connecting" ? t("conn.connecting") : t("conn.offline")}
        </div>
      )}
      <header class="topbar">
        <button type="button" class="icon-btn drawer-toggle" aria-expanded={drawer} aria-controls="sidebar" aria-label={t("nav.openSidebar")} onClick={() => setDrawer(!drawer)}>
          ☰
        </button>
        <span class="topbar-title">{room ? (room.kind === "direct" ? roomTitle(state, room) : `#${room.name}`) : t("app.name")}</span>
      </header>
      <Sidebar id="sidebar" onOpen={open} onDialog={setDialog} onClose={closeDrawer} />
      {drawer && <div class="scrim" onClick={closeDrawer} aria-hidden="true" />}
      <main id="main" class="pane">
        {room ? (
          <MessagePane key={room.roomId} roomId={room.roomId} membersShown={members} onToggleMembers={() => setMembers(!members)} onDialog={setDialog} />
        ) : (
          <p class="empty-pane">{Object.keys(state.rooms).length ? t("room.none") : t("common.loading")}</p>
        )}
        {chat.sentOnce && <NotifyPrompt />}
      </main>
      {members && room && <MembersPanel roomId={room.roomId} onOpen={open} onClose={() => setMembers(false)} />}
      <div class="sr-only" aria-live="polite" aria-atomic="true">
        {chat.announcement}
      </div>
      {dialog === "create" && <CreateChannelDialog onClose={() => setDialog("")} onCreated={open} />}
      {dialog === "browse" && <BrowseDialog onClose={() => setDialog("")} onOpen={open} />}
      {dialog === "dm" && <UserPickerDialog mode="dm" onClose={() => setDialog("")} onOpen={open} />}
      {dialog === "invite" && room && <UserPickerDialog mode="invite" roomId={room.roomId} onClose={() => setDialog("")} onOpen={open} />}
      {dialog === "room" && room && <RoomSettingsDialog roomId={room.roomId} onClose={() => setDialog("")} />}
      {dialog === "settings" && <SettingsDialog onClose={() => setDialog("")} />}
      {dialog === "queue" && <ModerationQueueDialog onClose={() => setDialog("")} />}
      {dialog === "audit" && <AuditLogDialog onClose={() => setDialog("")} />}
    </div>
  );
}
