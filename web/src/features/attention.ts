// Attention for new messages from others: the live region's announcement
// (open room), the ping and a browser notification (per the preferences, a
// notification only while the tab is hidden), and the unread count in the
// document title.
import type { Chat, ChatFeature } from "../state/chat";
import { directPeer, roomTitle, totalUnread } from "../state/rooms";
import type { Translate } from "../i18n";
import type { Prefs } from "./prefs";
import { playPing, showNotification, titleWithUnread } from "./notify";

export interface AttentionEnv {
  prefs(): Prefs;
  t(): Translate;
}

export function attention(chat: Chat, env: AttentionEnv): ChatFeature {
  const notice = (roomId: string, sender: string, text: string, mentions: string[]): void => {
    const t = env.t();
    const room = chat.state.rooms[roomId];
    if (!room) return;
    const title = roomTitle(chat.state, room);
    if (roomId === chat.state.activeRoom) chat.announce(t("msg.announce", { name: sender, text: text.slice(0, 200) }));
    const prefs = env.prefs();
    const important = room.kind === "direct" || (!!chat.state.me && mentions.includes(chat.state.me.userId));
    if (prefs.mentionsOnly && !important) return;
    const away = document.hidden || roomId !== chat.state.activeRoom;
    if (away && prefs.sound) playPing();
    if (document.hidden) {
      // A 1:1 DM's title is the sender already ("Bo in Bo" says nothing).
      const heading = directPeer(chat.state, room)
        ? t("notify.titleDirect", { name: sender })
        : t("notify.title", { name: sender, room: room.kind === "direct" ? title : `#${title}` });
      showNotification(heading, text.slice(0, 180), roomId, () => chat.openRoom(roomId));
    }
  };
  return {
    onChange(state) {
      document.title = titleWithUnread(env.t()("app.name"), totalUnread(state));
    },
    onEvent(ev, before) {
      if (ev.type !== "message" || ev.message.senderId === chat.state.me?.userId || ev.message.system) return;
      const known = before.messages[ev.message.roomId]?.some((m) => m.seq === ev.message.seq);
      if (!known) notice(ev.message.roomId, ev.message.senderName, ev.message.text, ev.message.mentions ?? []);
    },
  };
}
