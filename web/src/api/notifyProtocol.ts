// HAND-WRITTEN STAND-IN for the notification actions and events of issue 13
// (server side built on another branch). The lead replaces this module with
// the types generated into protocol.gen.ts at merge; keep it to the agreed
// shapes only.
import type { Payload } from "./socket";

export type NotifyLevel = "all" | "mentions" | "nothing";

export interface DndSchedule {
  enabled: boolean;
  start: string; // "HH:MM", local to tz
  end: string;
  tz: string; // IANA time zone, e.g. "Europe/Berlin"
  days: number[]; // ISO weekdays, 1 = Monday … 7 = Sunday
}

export interface NotifyPreferences {
  previews: boolean;
  email: boolean;
  emailDelayMinutes: number;
  dnd: DndSchedule;
}

export interface AppearancePreferences {
  theme: "system" | "light" | "dark";
  accent: string;
  layout: "compact" | "bubble";
  lang: "en" | "de";
  sound: boolean;
}

export interface RoomNotify {
  level?: NotifyLevel | "";
  muteUntil?: string; // RFC 3339
}

export interface Preferences {
  notify: NotifyPreferences;
  appearance: AppearancePreferences;
  rooms: Record<string, RoomNotify>;
  pushKey?: string; // the VAPID public key, base64url
}

// The `preferences` event: the reply of setPreferences and setRoomNotify,
// and pushed to the person's other connections. The agreed shape lists the
// preference fields; whether the server nests them under "preferences" or
// puts them beside "type" is read either way (prefsOfEvent).
export type PreferencesFrame = { type: "preferences"; requestId?: string; preferences?: Preferences } & Partial<Preferences>;

export interface PushSubscribedFrame {
  type: "pushSubscribed";
  requestId?: string;
  endpoint: string; // "" after pushUnsubscribe
}

export type NotifyEvent = PreferencesFrame | PushSubscribedFrame;

// The requests (without requestId).
export interface SetPreferencesAction {
  action: "setPreferences";
  notify?: NotifyPreferences;
  appearance?: AppearancePreferences;
}
export interface SetRoomNotifyAction {
  action: "setRoomNotify";
  roomId: string;
  level: NotifyLevel | ""; // "" = the default
  muteUntil?: string;
}
export interface SetVisibilityAction {
  action: "setVisibility";
  visible: boolean;
}
export interface PushSubscribeAction {
  action: "pushSubscribe";
  endpoint: string;
  keys: { p256dh: string; auth: string };
  device?: string;
}
export interface PushUnsubscribeAction {
  action: "pushUnsubscribe";
  endpoint: string;
}
export type NotifyPayload = SetPreferencesAction | SetRoomNotifyAction | SetVisibilityAction | PushSubscribeAction | PushUnsubscribeAction;

// AnyPayload: what the socket may send, the generated actions and these.
export type AnyPayload = Payload | NotifyPayload;

// The push message (JSON, encrypted by the push service's protocol).
export interface PushPayload {
  v: 1;
  roomId: string;
  seq: number;
  room: string;
  sender: string;
  preview?: string;
  tag: string;
}

// prefsOfEvent: the preferences a state or preferences event carries.
export function prefsOfEvent(ev: { type: string; preferences?: Preferences } & Partial<Preferences>): Preferences | null {
  if (ev.preferences) return ev.preferences;
  if (ev.type === "preferences" && ev.notify && ev.appearance) return { notify: ev.notify, appearance: ev.appearance, rooms: ev.rooms ?? {}, pushKey: ev.pushKey };
  return null;
}
