// The chat layout: sidebar (a drawer on narrow screens), the message pane,
// the members panel, the offline banner, dialogs and the live region.
import { ModerationQueueDialog } from "../moderation/ModerationQueueDialog";
import { AuditLogDialog } from "../moderation/AuditLogDialog";
import { useEffect, useRef, useState } from "preact/hooks";
import { onWorkerMessage } from "../../api/serviceWorker";
import { RoomNotifyDialog } from "../dialogs/RoomNotifyDialog";
import { linkOfMessage, parseLink, type MessageLink } from "./deepLink";
import { directPeer, roomWritable } from "../../state/rooms";
import { useApp, useChatState, type DialogName } from "../common/context";
import { Sidebar } from "../sidebar/Sidebar";
import { MessagePane } from "../messages/MessagePane";
import { CallView, IncomingCall } from "../calls/Calls";
import { MembersPanel } from "../members/MembersPanel";
import { CreateChannelDialog } from "../dialogs/CreateChannelDialog";
import { BrowseDialog } from "../dialogs/BrowseDialog";
import { UserPickerDialog } from "../dialogs/UserPickerDialog";
import { RoomSettingsDialog } from "../dialogs/RoomSettingsDialog";
import { SettingsDialog } from "../settings/SettingsDialog";
import { PeopleDialog } from "../admin/PeopleDialog";
import { AnalyticsDialog } from "../analytics/AnalyticsDialog";
import { NotifyPrompt } from "./NotifyPrompt";
import { SearchDialog } from "../search/SearchDialog";
import { QuickSwitcher } from "../switcher/QuickSwitcher";
import { pushRecent } from "../../features/recent";
import { PinsDialog } from "../conversations/PinsDialog";
import { SavedDialog } from "../conversations/SavedDialog";
import { ThreadPane } from "../threads/ThreadPane";
import { ThreadsDialog } from "../threads/ThreadsDialog";
import { ScheduledDialog } from "../scheduled/ScheduledDialog";
import { ReminderToasts } from "../scheduled/ReminderToasts";
import { E2EEHost } from "../e2ee/E2EEHost";
import type { SupportInbox as SupportInboxScreen } from "../support/SupportInbox";

export function ChatShell() {
  const { chat, t, support: inbox, calls } = useApp();
  const state = useChatState(chat);
  const [drawer, setDrawer] = useState(false);
  const [members, setMembers] = useState(() => matchMedia("(min-width: 1100px)").matches);
  const [dialog, setDialog] = useState<DialogName>("");
  // The support inbox in place of the room (agents; issue 17).
  const [view, setView] = useState<"chat" | "support">("chat");
  const support = view === "support";
  // The inbox's code loads when first opened (most people are no agents).
  const [Inbox, setInbox] = useState<typeof SupportInboxScreen | null>(null);
  useEffect(() => {
    if (support && !Inbox) void import("../support/SupportInbox").then((m) => setInbox(() => m.SupportInbox));
  }, [support]);
  // On narrow screens the members panel is an overlay: closed by default.
  useEffect(() => {
    const narrow = matchMedia("(max-width: 760px)");
    const onChange = () => narrow.matches && setMembers(false);
    onChange();
    narrow.addEventListener?.("change", onChange);
    return () => narrow.removeEventListener?.("change", onChange);
  }, []);

  // Reopen the room last open, else #general (or the first room), once the
  // rooms are known. The account remembers it (getState's lastRoomId, from
  // any device); this browser too, for a room it opened more recently than
  // the account's record (a switch just before closing the tab).
  const lastKey = `backchannel.lastRoom.${state.me?.userId ?? ""}`;
  // A link into a message (a notification opened this window:
  // ?room=&seq=, &thread= for a thread reply)
  // wins over the last room, once; the address goes back to "/".
  const link = useRef<MessageLink | null>(parseLink(location.search));
  const openLink = (l: MessageLink) => {
    if (!chat.state.rooms[l.roomId] && l.roomId.startsWith("sup_")) {
      // A support conversation (its notification): the inbox, at it.
      setDialog("");
      setDrawer(false);
      inbox.focusRoom = l.roomId;
      setView("support");
      chat.emit();
      return true;
    }
    if (!chat.state.rooms[l.roomId]) return false;
    setDialog("");
    setDrawer(false);
    if (l.parentSeq) {
      // A thread reply: the room at its parent, the thread beside it on
      // the reply.
      if (chat.state.openThread && !chat.state.openThread.startsWith(`${l.roomId}:`)) chat.closeThread();
      chat.jumpTo(l.roomId, l.parentSeq).catch(() => {});
      chat.openThread(l.roomId, l.parentSeq, l.seq);
    } else if (l.seq > 0) chat.jumpTo(l.roomId, l.seq).catch(() => {});
    else chat.openRoom(l.roomId);
    return true;
  };
  useEffect(() => {
    const l = link.current;
    if (!l || Object.keys(state.rooms).length === 0 || !state.me) return;
    link.current = null;
    history.replaceState(history.state, "", location.pathname);
    openLink(l);
  }, [state.rooms, state.me]);
  // A notification clicked while this tab is open: the worker says which.
  useEffect(
    () =>
      onWorkerMessage((data) => {
        const l = linkOfMessage(data);
        if (l) openLink(l);
      }),
    [],
  );
  useEffect(() => {
    if (link.current || chat.state.activeRoom || Object.keys(state.rooms).length === 0 || !state.me) return;
    const last = pickLastRoom(chat.lastRoom, readLocalLast(lastKey), state.rooms);
    const first = last || (state.rooms.general ? "general" : Object.keys(state.rooms)[0]);
    chat.openRoom(first);
  }, [state.rooms, state.activeRoom, state.me]);
  useEffect(() => {
    if (!state.activeRoom || !state.me) return;
    localStorage.setItem(lastKey, JSON.stringify({ roomId: state.activeRoom, at: Date.now() }));
    pushRecent(state.me.userId, state.activeRoom);
  }, [state.activeRoom, state.me]);

  // Ctrl/Cmd+K: the quick switcher (over any other dialog, which it
  // replaces).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || e.key.toLowerCase() !== "k") return;
      e.preventDefault();
      setDialog("switcher");
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  // Alt+↑/↓: the previous/next room in the sidebar's order; with Shift,
  // the previous/next unread room. Escape closes the members overlay on
  // narrow screens (dialogs, the drawer, pickers close themselves).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && members && matchMedia("(max-width: 1099px)").matches && !document.querySelector("dialog[open]")) {
        setMembers(false);
        return;
      }
      if (!e.altKey || e.ctrlKey || e.metaKey || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) return;
      if (document.querySelector("dialog[open]")) return;
      const links = Array.from(document.querySelectorAll<HTMLElement>("nav.sidebar .room-link[data-room]"));
      const ids = links.map((l) => l.dataset.room!);
      const at = ids.indexOf(chat.state.activeRoom);
      const step = e.key === "ArrowDown" ? 1 : -1;
      for (let i = 1; i < ids.length; i++) {
        const j = (at + step * i + ids.length * i) % ids.length;
        if (e.shiftKey && !links[j].classList.contains("unread")) continue;
        e.preventDefault();
        chat.openRoom(ids[j]);
        return;
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [members]);

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

  const room = support ? undefined : state.rooms[state.activeRoom];
  // A 1:1 DM opens without the members panel (two people: the header says
  // who and their presence); toggling it there is remembered apart.
  const oneToOne = !!room && !!directPeer(state, room);
  const [membersInDm, setMembersInDm] = useState(false);
  const showMembers = oneToOne ? membersInDm : members;
  const toggleMembers = () => (oneToOne ? setMembersInDm(!membersInDm) : setMembers(!members));
  // Messages written while offline wait in the outbox.
  const waiting = state.pending.filter((p) => p.status === "sending").length;
  const open = (roomId: string) => {
    // A thread of another room closes with the switch.
    if (chat.state.openThread && !chat.state.openThread.startsWith(`${roomId}:`)) chat.closeThread();
    chat.openRoom(roomId);
    setDrawer(false);
    setView("chat");
  };
  const threadOpen = !support && !!state.openThread && !!state.rooms[state.threads[state.openThread]?.roomId ?? ""];
  return (
    <div class={`shell ${drawer ? "drawer-open" : ""} ${showMembers && room ? "with-members" : ""} ${threadOpen ? "with-thread" : ""}`}>
      {/* To the composer in a room; without one (offline, loading, archived, read-only DM) to the pane. */}
      <a class="skip" href={roomWritable(state, room) ? "#composer-input" : "#main"}>
        {t("nav.skip")}
      </a>
      {chat.status !== "online" && (
        <div class="banner offline" role="status">
          {chat.status === "connecting" ? t("conn.connecting") : t("conn.offline")}
          {waiting > 0 && ` ${t("conn.pending", { n: waiting })}`}
        </div>
      )}
      {/* Without a room open, the top bar holds the drawer's button (in a
          room, its header row does). */}
      {!room && !support && (
      <header class="topbar">
        <button type="button" class="icon-btn drawer-toggle" aria-expanded={drawer} aria-controls="sidebar" aria-label={t("nav.openSidebar")} title={t("nav.openSidebar")} onClick={() => setDrawer(!drawer)}>
          ☰
        </button>
        <span class="topbar-title">{t("app.name")}</span>
      </header>
      )}
      <Sidebar
        id="sidebar"
        onOpen={open}
        onDialog={setDialog}
        onClose={closeDrawer}
        supportActive={support}
        onSupport={() => {
          setView("support");
          setDrawer(false);
        }}
      />
      {drawer && <div class="scrim" onClick={closeDrawer} aria-hidden="true" />}
      <main id="main" class="pane" tabIndex={-1}>
        {support ? (
          Inbox ? (
            <Inbox drawerOpen={drawer} onOpenDrawer={() => setDrawer(!drawer)} />
          ) : (
            <p class="empty-pane">{t("support.loading")}</p>
          )
        ) : room ? (
          <MessagePane key={room.roomId} roomId={room.roomId} membersShown={showMembers} onToggleMembers={toggleMembers} drawerOpen={drawer} onOpenDrawer={() => setDrawer(!drawer)} onDialog={setDialog} />
        ) : (
          <>
          <h1 class="sr-only">{t("app.name")}</h1>
          <p class="empty-pane">{Object.keys(state.rooms).length ? t("room.none") : chat.status === "offline" ? t("conn.offlineEmpty") : t("common.loading")}</p>
          </>
        )}
        {chat.sentOnce && <NotifyPrompt />}
      </main>
      <IncomingCall onOpen={open} />
      <E2EEHost />
      {/* The call goes on while another room is open: a mini view. */}
      {calls.active && (support || room?.roomId !== calls.active.call.roomId) && <CallView mini onOpen={open} />}
      {threadOpen && <ThreadPane />}
      {showMembers && room && <MembersPanel roomId={room.roomId} onOpen={open} onClose={() => (oneToOne ? setMembersInDm(false) : setMembers(false))} />}
      <div class="sr-only" aria-live="polite" aria-atomic="true">
        {chat.announcement}
      </div>
      {dialog === "create" && <CreateChannelDialog onClose={() => setDialog("")} onCreated={open} />}
      {dialog === "browse" && <BrowseDialog onClose={() => setDialog("")} onOpen={open} />}
      {dialog === "dm" && <UserPickerDialog mode="dm" onClose={() => setDialog("")} onOpen={open} />}
      {dialog === "invite" && room && <UserPickerDialog mode="invite" roomId={room.roomId} onClose={() => setDialog("")} onOpen={open} />}
      {dialog === "room" && room && <RoomSettingsDialog roomId={room.roomId} onClose={() => setDialog("")} />}
      {dialog === "notify" && room && <RoomNotifyDialog roomId={room.roomId} onClose={() => setDialog("")} />}
      {dialog === "settings" && <SettingsDialog onClose={() => setDialog("")} />}
      {dialog === "people" && <PeopleDialog onClose={() => setDialog("")} />}
      {dialog === "queue" && <ModerationQueueDialog onClose={() => setDialog("")} />}
      {dialog === "audit" && <AuditLogDialog onClose={() => setDialog("")} />}
      {dialog === "analytics" && <AnalyticsDialog onClose={() => setDialog("")} />}
      {dialog === "switcher" && <QuickSwitcher onClose={() => setDialog("")} onOpen={open} />}
      {dialog === "pins" && room && (
        <PinsDialog
          roomId={room.roomId}
          onClose={() => setDialog("")}
          onOpen={(roomId, seq) => {
            setDialog("");
            chat.jumpTo(roomId, seq).catch(() => {});
          }}
        />
      )}
      {dialog === "scheduled" && (
        <ScheduledDialog
          onClose={() => setDialog("")}
          onOpen={(roomId, seq) => {
            setDialog("");
            setDrawer(false);
            chat.jumpTo(roomId, seq).catch(() => {});
          }}
        />
      )}
      <ReminderToasts
        onOpen={(roomId, seq) => {
          setDrawer(false);
          chat.jumpTo(roomId, seq).catch(() => {});
        }}
      />
      {dialog === "saved" && (
        <SavedDialog
          onClose={() => setDialog("")}
          onOpen={(roomId, seq) => {
            setDialog("");
            setDrawer(false);
            chat.jumpTo(roomId, seq).catch(() => {});
          }}
        />
      )}
      {dialog === "threads" && (
        <ThreadsDialog
          onClose={() => setDialog("")}
          onOpen={(roomId, parentSeq) => {
            setDialog("");
            setDrawer(false);
            open(roomId);
            chat.openThread(roomId, parentSeq);
          }}
        />
      )}
      {dialog === "search" && (
        <SearchDialog
          onClose={() => setDialog("")}
          onOpenResult={(roomId, seq, parentSeq) => {
            setDialog("");
            setDrawer(false);
            // A reply kept in its thread opens the room at its parent, and
            // the thread beside it.
            chat.jumpTo(roomId, parentSeq ?? seq).catch(() => {});
            if (parentSeq) chat.openThread(roomId, parentSeq);
          }}
        />
      )}
    </div>
  );
}

interface LastRoom {
  roomId: string;
  at: number;
}

// readLocalLast reads this browser's record ({roomId, at}; older versions
// stored the bare room id, which counts as old).
function readLocalLast(key: string): LastRoom {
  const raw = localStorage.getItem(key) ?? "";
  try {
    const v = JSON.parse(raw) as LastRoom;
    if (v && typeof v.roomId === "string" && typeof v.at === "number") return v;
  } catch {
    /* a bare id */
  }
  return { roomId: raw, at: 0 };
}

// pickLastRoom: the newer of the account's and this browser's last room,
// among the rooms the person still has; "" for none.
export function pickLastRoom(account: LastRoom, local: LastRoom, rooms: Record<string, unknown>): string {
  const known = [account, local].filter((l) => l.roomId && rooms[l.roomId]);
  known.sort((a, b) => b.at - a.at);
  return known[0]?.roomId ?? "";
}
