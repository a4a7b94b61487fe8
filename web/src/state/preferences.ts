// The preferences slice: the person's synced preferences (notifications,
// appearance, per-room levels and mutes, the push key), from the state
// event and the preferences event; and the decisions that follow from
// them on this client: which rooms are muted, what the badges count, and
// whether a message is worth a notification (DND included).
import { prefsOfEvent, type PrivacyPreferences, type DndSchedule, type NotifyLevel, type NotifyPreferences, type RoomNotify } from "../api/notifyProtocol";
import type { RoomState } from "../api/protocol.gen";
import type { ChatState, PreferencesSlice, SliceReducer } from "./types";

export const initialPreferences: PreferencesSlice = { preferences: null };

// FOREVER: "mute until I turn it back on" (an RFC 3339 time no one lives to).
export const FOREVER = "9999-12-31T00:00:00Z";

export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export function defaultNotify(tz = localTimeZone()): NotifyPreferences {
  return { previews: true, email: true, emailDelayMinutes: 15, dnd: { enabled: false, start: "22:00", end: "07:00", tz, days: [1, 2, 3, 4, 5, 6, 7] } };
}

export function defaultPrivacy(): PrivacyPreferences {
  return { appearOffline: false, hideReceipts: false, dmFrom: "everyone" };
}

// privacyOf: the person's privacy settings (the defaults until known).
export function privacyOf(state: Pick<ChatState, "preferences">): PrivacyPreferences {
  return { ...defaultPrivacy(), ...(state.preferences?.privacy ?? {}) };
}

// isBlocked: the person blocked userId (their messages are collapsed).
export function isBlocked(state: Pick<ChatState, "preferences">, userId: string): boolean {
  return !!userId && !!state.preferences?.blocked?.includes(userId);
}

export const reducePreferences: SliceReducer = (state, action) => {
  switch (action.type) {
    case "state":
    case "preferences": {
      const p = prefsOfEvent(action as Parameters<typeof prefsOfEvent>[0]);
      return p ? { ...state, preferences: p } : state;
    }
    case "local/preferences":
      return { ...state, preferences: action.preferences };
    default:
      return state;
  }
};

export function notifyPrefs(state: ChatState): NotifyPreferences {
  return state.preferences?.notify ?? defaultNotify();
}

export function roomNotify(state: ChatState, roomId: string): RoomNotify {
  return state.preferences?.rooms?.[roomId] ?? {};
}

// roomLevel: the room's level, or the default when it has none of its own:
// "all" for a DM, "mentions" for a channel (chat.Preferences.RoomLevel).
export function roomLevel(state: ChatState, roomId: string): NotifyLevel {
  return roomNotify(state, roomId).level || defaultLevel(state, roomId);
}

export function defaultLevel(state: ChatState, roomId: string): NotifyLevel {
  return state.rooms[roomId]?.kind === "direct" ? "all" : "mentions";
}

// mutedUntil: when the room's mute ends (an RFC 3339 time), "" when not muted.
export function mutedUntil(rn: RoomNotify, now: number): string {
  return rn.muteUntil && Date.parse(rn.muteUntil) > now ? rn.muteUntil : "";
}

// isMuted: muted for a while, or set to "nothing": such a room counts
// only mentions.
export function isMuted(state: ChatState, roomId: string, now: number): boolean {
  const rn = roomNotify(state, roomId);
  return rn.level === "nothing" || !!mutedUntil(rn, now);
}

// roomBadge: what a room's badge counts: its unread messages, or only its
// mentions while muted.
export function roomBadge(state: ChatState, room: RoomState, now: number): number {
  return isMuted(state, room.roomId, now) ? room.mentions : room.unread;
}

// badgeCount: the app's badge (and the title's count).
export function badgeCount(state: ChatState, now: number): number {
  return Object.values(state.rooms).reduce((n, r) => n + roomBadge(state, r, now), 0);
}

// localParts: the weekday (ISO, 1 = Monday) and minutes after midnight of
// an instant in a time zone (an unknown zone counts as UTC).
export function localParts(at: Date, tz: string): { day: number; minutes: number } {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-US", { timeZone: tz, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(at);
  } catch {
    parts = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(at);
  }
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  const day = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(get("weekday")) + 1;
  return { day, minutes: (Number(get("hour")) % 24) * 60 + Number(get("minute")) };
}

const minutesOf = (hhmm: string) => {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : -1;
};

// inDnd: whether an instant falls in the do-not-disturb schedule. days
// are the days a quiet period begins on: 22:00–07:00 with Friday listed
// covers Friday night until Saturday 07:00.
export function inDnd(dnd: DndSchedule, at: Date): boolean {
  if (!dnd.enabled) return false;
  const start = minutesOf(dnd.start);
  const end = minutesOf(dnd.end);
  if (start < 0 || end < 0 || start === end) return false;
  const { day, minutes } = localParts(at, dnd.tz);
  const yesterday = day === 1 ? 7 : day - 1;
  if (start < end) return dnd.days.includes(day) && minutes >= start && minutes < end;
  return (dnd.days.includes(day) && minutes >= start) || (dnd.days.includes(yesterday) && minutes < end);
}

// shouldNotify: whether a message from someone else in a room is worth a
// notification on this device: the server's decision (chat.DecideNotify)
// by the room's level and mute, and DND. direct: a DM; mentioned: it
// mentions me. "nothing" notifies nothing; a muted room only mentions; a
// DM counts as a mention for the "mentions" level ("mentions and DMs").
export function shouldNotify(state: ChatState, roomId: string, msg: { direct: boolean; mentioned: boolean }, at: Date): boolean {
  const rn = roomNotify(state, roomId);
  if (inDnd(notifyPrefs(state).dnd, at)) return false;
  const level = rn.level || (msg.direct ? "all" : "mentions");
  if (level === "nothing") return false;
  if (mutedUntil(rn, at.getTime())) return msg.mentioned;
  return level === "all" || msg.direct || msg.mentioned;
}
