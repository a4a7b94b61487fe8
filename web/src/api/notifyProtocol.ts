// The notification types (issue 13) as the client uses them: the generated
// ones (protocol.gen.ts, from internal/protocol) with the enums the server
// validates narrowed to their values. The checks at the end fail the type
// check if the two drift apart.
import type * as gen from "./protocol.gen";
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
  lang: "en" | "de" | ""; // "": not chosen, each device uses its browser's
  sound: boolean;
}

export interface RoomNotify {
  level?: NotifyLevel; // absent: the default (DMs all, channels mentions)
  muteUntil?: string; // RFC 3339; 9999-12-31T00:00:00Z: until turned back on
}

// Privacy controls (issue 15): who sees what of me, who may start a DM.
export type DMFrom = "everyone" | "rooms" | "nobody";
export interface PrivacyPreferences {
  appearOffline: boolean;
  hideReceipts: boolean;
  dmFrom: DMFrom;
}

export interface Preferences {
  notify: NotifyPreferences;
  appearance: AppearancePreferences;
  rooms: Record<string, RoomNotify>;
  // Absent from a server older than issue 15: read as the defaults.
  privacy?: PrivacyPreferences;
  blocked?: string[]; // user ids; changed by blockUser / unblockUser only
  pushKey?: string; // the VAPID public key, base64url
}

// The `preferences` event: the reply of setPreferences and setRoomNotify,
// and pushed to the person's other connections.
export type PreferencesFrame = Omit<gen.PreferencesFrame, "preferences"> & { preferences: Preferences };
export type PushSubscribedFrame = gen.PushSubscribedFrame;
export type NotifyEvent = PreferencesFrame | PushSubscribedFrame;

// What the socket may send: the generated actions include these.
export type AnyPayload = Payload;

// The push message (JSON, encrypted by the push service's protocol):
// internal/webpush.Payload.
export interface PushPayload {
  v: 1;
  roomId: string;
  seq: number;
  // A thread reply's thread (its first message): the click opens it.
  parentSeq?: number;
  room: string;
  sender: string;
  preview?: string;
  tag: string;
}

// prefsOfEvent: the preferences a state or preferences event carries.
export function prefsOfEvent(ev: { type: string; preferences?: Preferences }): Preferences | null {
  return ev.preferences ?? null;
}

// Drift checks: the narrowed types are the generated ones.
type Assignable<A extends B, B> = A;
export type _CheckPreferences = Assignable<Required<Preferences>, gen.Preferences>;
export type _CheckPrivacy = Assignable<PrivacyPreferences, gen.Privacy>;
export type _CheckSetPrivacy = Assignable<{ action: "setPreferences"; privacy?: Partial<PrivacyPreferences> }, Payload>;
export type _CheckSetPreferences = Assignable<{ action: "setPreferences"; notify?: NotifyPreferences; appearance?: AppearancePreferences }, Payload>;
export type _CheckSetRoomNotify = Assignable<{ action: "setRoomNotify"; roomId: string; level: NotifyLevel | ""; muteUntil?: string }, Payload>;
