// The client's state and the pure functions that change it. Every server
// frame and every local intent goes through `reduce`, so the rules (merge by
// seq, dedupe by clientId, unread counts, typing expiry, receipts) are unit
// tested without a socket or a DOM.
import type { Attachment, Limits, MemberInfo, Message, Profile, RoomState, ServerEvent } from "../api/protocol.gen";

export const TYPING_TTL_MS = 4000;

export interface PendingSend {
  clientId: string;
  roomId: string;
  text: string;
  attachments?: Attachment[];
  createdAt: string;
  // "sending" until acked; "failed" when the server refused it for good.
  status: "sending" | "failed";
  error?: string;
}

export interface TypingEntry {
  userId: string;
  name: string;
  until: number;
}

export interface HistoryCursor {
  loaded: boolean; // the newest page was fetched
  hasMore: boolean;
  before: number;
}

export interface MemberState {
  role: MemberInfo["role"];
  readSeq: number;
}

export interface ChatState {
  me: Profile | null;
  connectionId: string;
  rooms: Record<string, RoomState>;
  // Messages of a room, ascending by seq, one per seq.
  messages: Record<string, Message[]>;
  // The highest seq received contiguously per room: what resume asks from.
  last: Record<string, number>;
  history: Record<string, HistoryCursor>;
  pending: PendingSend[];
  users: Record<string, Profile>;
  members: Record<string, Record<string, MemberState>>;
  typing: Record<string, TypingEntry[]>;
  // The room on screen, and whether its newest message is in view: new
  // messages there do not count as unread.
  activeRoom: string;
  atBottom: boolean;
  // This deployment's limits, from the state event (null until connected).
  limits: Limits | null;
}

export const initialState: ChatState = {
  me: null,
  connectionId: "",
  rooms: {},
  messages: {},
  last: {},
  history: {},
  pending: [],
  users: {},
  members: {},
  typing: {},
  activeRoom: "",
  limits: null,
  atBottom: true,
};

// Local intents, next to the server's frames.
export type LocalAction =
  | { type: "local/send"; pending: PendingSend }
  | { type: "local/sendFailed"; clientId: string; error: string }
  | { type: "local/discard"; clientId: string }
  | { type: "local/retry"; clientId: string }
  | { type: "local/open"; roomId: string }
  | { type: "local/atBottom"; atBottom: boolean }
  | { type: "local/tick"; now: number }
  | { type: "local/reset" };

export type Action = ServerEvent | LocalAction;

// mergeMessages inserts incoming messages by seq; a seq already held is
// replaced by the newer copy (an edit or deletion), never duplicated.
export function mergeMessages(existing: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return existing;
  const bySeq = new Map<number, Message>();
  for (const m of existing) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

// advanceLast moves the contiguous mark over every seq now held.
function advanceLast(last: number, msgs: Message[]): number {
  const held = new Set(msgs.map((m) => m.seq));
  while (held.has(last + 1)) last++;
  return last;
}

function addMessages(state: ChatState, roomId: string, incoming: Message[]): ChatState {
  const messages = mergeMessages(state.messages[roomId] ?? [], incoming);
  const mine = new Set(incoming.filter((m) => m.senderId === state.me?.userId).map((m) => m.clientId));
  const pending = mine.size ? state.pending.filter((p) => !(p.roomId === roomId && mine.has(p.clientId))) : state.pending;
  const room = state.rooms[roomId];
  const top = incoming.reduce((max, m) => Math.max(max, m.seq), 0);
  const rooms = room && top > room.lastSeq ? { ...state.rooms, [roomId]: { ...room, lastSeq: top } } : state.rooms;
  const last = state.last[roomId] ?? 0;
  return {
    ...state,
    rooms,
    pending,
    messages: { ...state.messages, [roomId]: messages },
    last: { ...state.last, [roomId]: advanceLast(last, messages) },
  };
}

// isViewing: the user sees the newest messages of this room right now.
export function isViewing(state: ChatState, roomId: string): boolean {
  return state.activeRoom === roomId && state.atBottom;
}

function countUnread(state: ChatState, roomId: string, msg: Message): ChatState {
  const room = state.rooms[roomId];
  const me = state.me?.userId;
  if (!room || msg.senderId === me || msg.seq <= room.readSeq || isViewing(state, roomId)) return state;
  const mentioned = !!me && !!msg.mentions?.includes(me);
  return {
    ...state,
    rooms: {
      ...state.rooms,
      [roomId]: { ...room, unread: Math.min(room.unread + 1, 100), mentions: room.mentions + (mentioned ? 1 : 0) },
    },
  };
}

function setRead(state: ChatState, roomId: string, userId: string, seq: number): ChatState {
  let next = state;
  const members = state.members[roomId];
  if (members?.[userId] && members[userId].readSeq < seq) {
    next = { ...next, members: { ...next.members, [roomId]: { ...members, [userId]: { ...members[userId], readSeq: seq } } } };
  }
  const room = next.rooms[roomId];
  if (userId === state.me?.userId && room && seq > room.readSeq) {
    // Unread counts what is left after seq among messages from others.
    const left = (next.messages[roomId] ?? []).filter((m) => m.seq > seq && m.senderId !== userId);
    const unread = seq >= room.lastSeq ? 0 : Math.min(left.length, room.unread);
    const mentions = seq >= room.lastSeq ? 0 : left.filter((m) => m.mentions?.includes(userId)).length;
    next = { ...next, rooms: { ...next.rooms, [roomId]: { ...room, readSeq: seq, unread, mentions } } };
  }
  return next;
}

function removeRoom(state: ChatState, roomId: string): ChatState {
  const drop = <T>(r: Record<string, T>) => {
    const { [roomId]: _gone, ...rest } = r;
    return rest;
  };
  return {
    ...state,
    rooms: drop(state.rooms),
    messages: drop(state.messages),
    last: drop(state.last),
    history: drop(state.history),
    members: drop(state.members),
    typing: drop(state.typing),
    pending: state.pending.filter((p) => p.roomId !== roomId),
    activeRoom: state.activeRoom === roomId ? "" : state.activeRoom,
  };
}

// upsertRoom merges a room's fields; the read state only moves forward
// (roomUpdated carries room fields only, with readSeq 0).
function upsertRoom(state: ChatState, room: RoomState): ChatState {
  const old = state.rooms[room.roomId];
  let merged: RoomState = { ...room, lastSeq: Math.max(old?.lastSeq ?? 0, room.lastSeq) };
  if (old && old.readSeq >= room.readSeq) {
    merged = { ...merged, readSeq: old.readSeq, unread: old.unread, mentions: old.mentions };
  }
  const last = state.last[room.roomId] ?? room.lastSeq;
  return { ...state, rooms: { ...state.rooms, [room.roomId]: merged }, last: { ...state.last, [room.roomId]: last } };
}

function upsertUser(state: ChatState, p: Profile): ChatState {
  return { ...state, users: { ...state.users, [p.userId]: p }, me: state.me?.userId === p.userId ? p : state.me };
}

function clearTyping(state: ChatState, roomId: string, userId: string): ChatState {
  const list = state.typing[roomId];
  if (!list?.some((t) => t.userId === userId)) return state;
  return { ...state, typing: { ...state.typing, [roomId]: list.filter((t) => t.userId !== userId) } };
}

// applyState takes a getState reply: rooms no longer listed are dropped,
// rooms we already follow keep their contiguous mark (resume continues from
// it), new rooms start from their lastSeq (older messages come as history).
function applyState(state: ChatState, ev: Extract<ServerEvent, { type: "state" }>): ChatState {
  const rooms: Record<string, RoomState> = {};
  const last: Record<string, number> = {};
  for (const r of ev.rooms) {
    rooms[r.roomId] = r;
    last[r.roomId] = state.last[r.roomId] ?? r.lastSeq;
  }
  const keep = <T>(rec: Record<string, T>) =>
    Object.fromEntries(Object.entries(rec).filter(([id]) => id in rooms)) as Record<string, T>;
  const users: Record<string, Profile> = { ...state.users };
  for (const u of ev.users) users[u.userId] = u;
  users[ev.me.userId] = ev.me;
  return {
    ...state,
    me: ev.me,
    connectionId: ev.connectionId,
    limits: ev.limits,
    rooms,
    last,
    users,
    messages: keep(state.messages),
    history: keep(state.history),
    members: keep(state.members),
    typing: keep(state.typing),
    pending: state.pending.filter((p) => p.roomId in rooms),
    activeRoom: state.activeRoom in rooms ? state.activeRoom : "",
  };
}

export function reduce(state: ChatState, action: Action, now: number = Date.now()): ChatState {
  switch (action.type) {
    case "state":
      return applyState(state, action);
    case "room":
    case "roomAdded":
    case "roomUpdated":
      return upsertRoom(state, action.room);
    case "roomRemoved":
      return removeRoom(state, action.roomId);
    case "message": {
      const m = action.message;
      if (!state.rooms[m.roomId]) return state;
      const had = state.messages[m.roomId]?.some((x) => x.seq === m.seq);
      let next = addMessages(state, m.roomId, [m]);
      if (!had) next = countUnread(next, m.roomId, m);
      return clearTyping(next, m.roomId, m.senderId);
    }
    case "ack":
      if (!state.rooms[action.message.roomId]) {
        return { ...state, pending: state.pending.filter((p) => p.clientId !== action.clientId) };
      }
      return addMessages(state, action.message.roomId, [action.message]);
    case "messageUpdated": {
      const m = action.message;
      const held = state.messages[m.roomId];
      if (!held?.some((x) => x.seq === m.seq)) return state;
      return { ...state, messages: { ...state.messages, [m.roomId]: mergeMessages(held, [m]) } };
    }
    case "history": {
      if (!state.rooms[action.roomId]) return state;
      const next = addMessages(state, action.roomId, action.messages);
      const oldest = action.messages.reduce((min, m) => Math.min(min, m.seq), Number.MAX_SAFE_INTEGER);
      const before = action.before ?? (action.messages.length ? oldest : 0);
      return { ...next, history: { ...next.history, [action.roomId]: { loaded: true, hasMore: action.hasMore, before } } };
    }
    case "missed": {
      let next = state;
      for (const r of action.rooms) {
        if (!next.rooms[r.roomId]) continue;
        const held = new Set((next.messages[r.roomId] ?? []).map((m) => m.seq));
        next = addMessages(next, r.roomId, r.messages);
        for (const m of r.messages) if (!held.has(m.seq)) next = countUnread(next, r.roomId, m);
        // Whatever resume delivered is contiguous from the asked seq.
        const top = r.messages.reduce((max, m) => Math.max(max, m.seq), next.last[r.roomId] ?? 0);
        next = { ...next, last: { ...next.last, [r.roomId]: advanceLast(top, next.messages[r.roomId] ?? []) } };
      }
      return next;
    }
    case "members": {
      const members: Record<string, MemberState> = {};
      let next = state;
      for (const m of action.members) {
        members[m.userId] = { role: m.role, readSeq: m.readSeq };
        const { role: _r, readSeq: _s, ...profile } = m;
        next = upsertUser(next, profile);
      }
      return { ...next, members: { ...next.members, [action.roomId]: members } };
    }
    case "memberJoined": {
      let next = upsertUser(state, action.user);
      const room = next.rooms[action.roomId];
      if (room) next = { ...next, rooms: { ...next.rooms, [action.roomId]: { ...room, memberCount: room.memberCount + 1 } } };
      const members = next.members[action.roomId];
      if (members && !members[action.user.userId]) {
        // Newcomers start having read everything up to now.
        const readSeq = room?.lastSeq ?? 0;
        next = { ...next, members: { ...next.members, [action.roomId]: { ...members, [action.user.userId]: { role: "member", readSeq } } } };
      }
      return next;
    }
    case "memberLeft": {
      let next = state;
      const room = next.rooms[action.roomId];
      if (room) next = { ...next, rooms: { ...next.rooms, [action.roomId]: { ...room, memberCount: Math.max(0, room.memberCount - 1) } } };
      const members = next.members[action.roomId];
      if (members?.[action.user.userId]) {
        const { [action.user.userId]: _gone, ...rest } = members;
        next = { ...next, members: { ...next.members, [action.roomId]: rest } };
      }
      return clearTyping(next, action.roomId, action.user.userId);
    }
    case "read":
      return setRead(state, action.roomId, action.userId, action.seq);
    case "typing": {
      if (action.userId === state.me?.userId || !state.rooms[action.roomId]) return state;
      const list = (state.typing[action.roomId] ?? []).filter((t) => t.userId !== action.userId);
      list.push({ userId: action.userId, name: action.displayName, until: now + TYPING_TTL_MS });
      return { ...state, typing: { ...state.typing, [action.roomId]: list } };
    }
    case "presence": {
      const u = state.users[action.userId];
      if (!u) return state;
      const lastSeen = action.lastSeen ? new Date(action.lastSeen).toISOString() : u.lastSeen;
      return upsertUser(state, { ...u, online: action.online, lastSeen });
    }
    case "profile":
    case "userUpdated":
      return upsertUser(state, action.profile);
    case "users": {
      let next = state;
      for (const u of action.users) next = upsertUser(next, u);
      return next;
    }
    case "local/send":
      return { ...state, pending: [...state.pending, action.pending] };
    case "local/sendFailed":
      return { ...state, pending: state.pending.map((p) => (p.clientId === action.clientId ? { ...p, status: "failed", error: action.error } : p)) };
    case "local/retry":
      return { ...state, pending: state.pending.map((p) => (p.clientId === action.clientId ? { ...p, status: "sending", error: undefined } : p)) };
    case "local/discard":
      return { ...state, pending: state.pending.filter((p) => p.clientId !== action.clientId) };
    case "local/open":
      return { ...state, activeRoom: action.roomId, atBottom: true };
    case "local/atBottom":
      return state.atBottom === action.atBottom ? state : { ...state, atBottom: action.atBottom };
    case "local/tick": {
      let changed = false;
      const typing: Record<string, TypingEntry[]> = {};
      for (const [roomId, list] of Object.entries(state.typing)) {
        const alive = list.filter((t) => t.until > action.now);
        if (alive.length !== list.length) changed = true;
        typing[roomId] = alive;
      }
      return changed ? { ...state, typing } : state;
    }
    case "local/reset":
      return initialState;
    default:
      return state;
  }
}

// ---- Selectors ----

// resumePoints: what resume asks for, per room.
export function resumePoints(state: ChatState): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of Object.keys(state.rooms)) out[id] = state.last[id] ?? state.rooms[id].lastSeq;
  return out;
}

export function sendingNow(state: ChatState): PendingSend[] {
  return state.pending.filter((p) => p.status === "sending");
}

export function typingNames(state: ChatState, roomId: string, now: number): string[] {
  return (state.typing[roomId] ?? []).filter((t) => t.until > now).map((t) => t.name);
}

// receipts places each other member's "seen" mark on the newest loaded
// message by someone else that they have read, keyed by seq.
export function receipts(state: ChatState, roomId: string): Map<number, Profile[]> {
  const out = new Map<number, Profile[]>();
  const msgs = state.messages[roomId] ?? [];
  const members = state.members[roomId] ?? {};
  const me = state.me?.userId;
  for (const [userId, m] of Object.entries(members)) {
    if (userId === me || m.readSeq <= 0) continue;
    // Their own messages say nothing about what they saw: mark the newest
    // message from someone else at or before their read position.
    let at: Message | undefined;
    for (let i = msgs.length - 1; i >= 0; i--) {
      if (msgs[i].seq <= m.readSeq && msgs[i].senderId !== userId) {
        at = msgs[i];
        break;
      }
    }
    if (!at) continue;
    const who = state.users[userId];
    if (!who) continue;
    const list = out.get(at.seq) ?? [];
    list.push(who);
    out.set(at.seq, list);
  }
  return out;
}

export function totalUnread(state: ChatState): number {
  return Object.values(state.rooms).reduce((n, r) => n + r.unread, 0);
}

// roomTitle: a channel's name, or a DM's other participants.
export function roomTitle(state: ChatState, room: RoomState): string {
  if (room.kind !== "direct") return room.name;
  const me = state.me?.userId;
  const others = (room.memberIds ?? []).filter((id) => id !== me);
  if (others.length === 0) return state.me?.displayName ?? "";
  return others.map((id) => state.users[id]?.displayName ?? "…").join(", ");
}

// directPeer: the one other person of a 1:1 DM (for its presence dot).
export function directPeer(state: ChatState, room: RoomState): Profile | undefined {
  if (room.kind !== "direct") return undefined;
  const others = (room.memberIds ?? []).filter((id) => id !== state.me?.userId);
  return others.length === 1 ? state.users[others[0]] : undefined;
}
