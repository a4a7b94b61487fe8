// Attention for new messages from others: the live region's announcement
// (open room), the ping and a notification (per the preferences: the
// room's level and mute, do-not-disturb, the device's mentions-only switch;
// a notification only while the tab is hidden, and none from the page when
// this device gets Web Push, which the server sends while no tab is
// visible), and the unread count in the document title and on the app
// icon (muted rooms count only mentions).
import { followsThread } from "../state/threads";
import type { Message } from "../api/protocol.gen";
import type { Chat, ChatFeature } from "../state/chat";
import { directPeer, roomTitle } from "../state/rooms";
import { badgeCount, isBlocked, notifyPrefs, shouldNotify } from "../state/preferences";
import type { Translate } from "../i18n";
import type { Prefs } from "./prefs";
import { playPing, setAppBadge, showNotification, titleWithUnread } from "./notify";

export interface AttentionEnv {
  prefs(): Prefs;
  t(): Translate;
  // pushActive: this device is subscribed to Web Push.
  pushActive?(): boolean;
}

// summary is what a notification says of a message: its text, or for a
// message of files or a GIF only what it sent (as the Web Push preview,
// notify.Preview on the server).
export function summary(m: Pick<Message, "text" | "attachments" | "gif">, t: Translate): string {
  if (m.text) return m.text;
  const files = m.attachments ?? [];
  if (files.length === 1) return t("notify.sentFile", { name: files[0].name });
  if (files.length > 1) return t("notify.sentFiles", { n: files.length });
  return m.gif ? t("notify.sentGif") : "";
}

export function attention(chat: Chat, env: AttentionEnv): ChatFeature {
  const notice = (roomId: string, seq: number, parentSeq: number, sender: string, text: string, mentions: string[]): void => {
    const t = env.t();
    const room = chat.state.rooms[roomId];
    if (!room) return;
    const title = roomTitle(chat.state, room);
    // An end-to-end encrypted room: never a preview (issue 19).
    if (room.encrypted) text = t("notify.encrypted");
    if (roomId === chat.state.activeRoom) chat.announce(t("msg.announce", { name: sender, text: text.slice(0, 200) }));
    const prefs = env.prefs();
    const mentioned = !!chat.state.me && mentions.includes(chat.state.me.userId);
    const important = room.kind === "direct" || mentioned;
    if (prefs.mentionsOnly && !important) return;
    if (!shouldNotify(chat.state, roomId, { direct: room.kind === "direct", mentioned }, new Date())) return;
    const away = document.hidden || roomId !== chat.state.activeRoom;
    if (away && prefs.sound) playPing();
    if (document.hidden && !env.pushActive?.()) {
      // A 1:1 DM's title is the sender already ("Bo in Bo" says nothing).
      const heading = directPeer(chat.state, room)
        ? t("notify.titleDirect", { name: sender })
        : t("notify.title", { name: sender, room: room.kind === "direct" ? title : `#${title}` });
      const body = room.encrypted ? t("notify.encrypted") : notifyPrefs(chat.state).previews ? text.slice(0, 180) : t("notify.hiddenPreview");
      void showNotification(heading, body, roomId, parentSeq > 0 ? { roomId, seq, parentSeq } : { roomId, seq });
    }
  };
  let badge = -1;
  return {
    onChange(state) {
      // "(3) #general · Backchannel": the unread count, then the open room.
      const room = state.rooms[state.activeRoom];
      const app = env.t()("app.name");
      const base = room ? `${room.kind === "direct" ? roomTitle(state, room) : `#${room.name}`} · ${app}` : app;
      const n = badgeCount(state, Date.now());
      document.title = titleWithUnread(base, n);
      if (n !== badge) {
        badge = n;
        setAppBadge(n);
      }
    },
    onEvent(ev, before) {
      if (ev.type !== "message" || ev.message.senderId === chat.state.me?.userId || ev.message.system) return;
      // A blocked person's message: no sound, no notification, not read out (issue 15).
      if (isBlocked(chat.state, ev.message.senderId)) return;
      // A reply kept in its thread tells the thread's followers only.
      if (ev.message.parentSeq && !ev.message.toRoom && !followsThread(chat.state, ev.message)) return;
      const known = before.messages[ev.message.roomId]?.some((m) => m.seq === ev.message.seq);
      if (!known) notice(ev.message.roomId, ev.message.seq, ev.message.parentSeq ?? 0, ev.message.senderName, summary(ev.message, env.t()), ev.message.mentions ?? []);
    },
    onStop() {
      badge = -1;
      setAppBadge(0);
    },
  };
}
