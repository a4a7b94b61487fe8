import type { Limits, Message, Preferences, Profile, RoomState, StateFrame } from "../src/api/protocol.gen";

export const ME: Profile = { userId: "me", username: "ada", displayName: "Ada Lovelace", avatarColor: "#7986cb", online: true, createdAt: "2026-11-20T09:00:00Z" };
export const BOB: Profile = { userId: "bob", username: "bob", displayName: "Bob", avatarColor: "#4db6ac", online: true, createdAt: "2026-11-20T09:00:00Z" };
export const CY: Profile = { userId: "cy", username: "cy", displayName: "Cy Young", avatarColor: "#ffb74d", online: false, createdAt: "2026-11-20T09:00:00Z" };
export const LIMITS: Limits = { maxTextBytes: 8192, files: true, maxUploadBytes: 26214400, allowedUploadTypes: ["image/png", "image/jpeg"] };

// The server's defaults (chat.DefaultPreferences).
export const PREFS: Preferences = {
  notify: { previews: true, email: true, emailDelayMinutes: 15, dnd: { enabled: false, start: "22:00", end: "07:00", tz: "UTC", days: [1, 2, 3, 4, 5, 6, 7] } },
  appearance: { theme: "system", accent: "#3b6fd8", layout: "compact", lang: "en", sound: true },
  rooms: {},
  privacy: { appearOffline: false, hideReceipts: false, dmFrom: "everyone" },
  blocked: [],
};

export function room(id: string, over: Partial<RoomState> = {}): RoomState {
  return { roomId: id, kind: "public", name: id, createdBy: "me", createdAt: "2026-11-20T09:00:00Z", lastSeq: 0, memberCount: 3, readSeq: 0, unread: 0, mentions: 0, ...over };
}

export function msg(roomId: string, seq: number, over: Partial<Message> = {}): Message {
  return { roomId, seq, clientId: `c${seq}`, senderId: "bob", senderName: "Bob", text: `m${seq}`, createdAt: new Date(Date.UTC(2026, 10, 21, 2, 0, seq)).toISOString(), ...over };
}

export function stateFrame(rooms: RoomState[], users: Profile[] = [BOB, CY]): StateFrame {
  return { type: "state", requestId: "r1", connectionId: "conn-1", me: ME, rooms, users, limits: LIMITS, invites: [], preferences: PREFS };
}
