// The rooms slice: the rooms we are in with their read state and unread
// counts, the room on screen and whether its newest message is in view; and
// how rooms are named for people.
import type { Message, Profile, RoomState } from "../api/protocol.gen";
import { isBlocked } from "./preferences";
import { dropRoom, roomsOf, type ChatState, type RoomsSlice, type SliceReducer } from "./types";

export const initialRooms: RoomsSlice = { rooms: {}, activeRoom: "", atBottom: true };

// isViewing: the user sees the newest messages of this room right now.
export function isViewing(state: ChatState, roomId: string): boolean {
  return state.activeRoom === roomId && state.atBottom;
}

// raiseLastSeq: a room's lastSeq covers every message received.
function raiseLastSeq(state: ChatState, roomId: string, incoming: Message[]): ChatState {
  const room = state.rooms[roomId];
  const top = incoming.reduce((max, m) => Math.max(max, m.seq), 0);
  return room && top > room.lastSeq ? { ...state, rooms: { ...state.rooms, [roomId]: { ...room, lastSeq: top } } } : state;
}

function countUnread(state: ChatState, roomId: string, msg: Message): ChatState {
  const room = state.rooms[roomId];
  const me = state.me?.userId;
  // System lines (joins, topics...) are never unread.
  if (!room || msg.senderId === me || msg.system || msg.seq <= room.readSeq || isViewing(state, roomId)) return state;
  // A reply kept in its thread is no unread of the room (threads.ts counts it).
  if (msg.parentSeq && !msg.toRoom) return state;
  // A person I blocked is no news (issue 15): the server's count at connect
  // still includes theirs (it counts by seq); this client does not add them.
  if (isBlocked(state, msg.senderId)) return state;
  const mentioned = !!me && !!msg.mentions?.includes(me);
  return {
    ...state,
    rooms: {
      ...state.rooms,
      [roomId]: { ...room, unread: Math.min(room.unread + 1, 100), mentions: room.mentions + (mentioned ? 1 : 0) },
    },
  };
}

// upsertRoom merges a room's fields; the read state only moves forward
// (roomUpdated carries room fields only, with readSeq 0).
function upsertRoom(state: ChatState, room: RoomState): ChatState {
  const old = state.rooms[room.roomId];
  let merged: RoomState = { ...room, lastSeq: Math.max(old?.lastSeq ?? 0, room.lastSeq) };
  // roomUpdated carries no role or mute: keep mine.
  if (old && !room.role) merged = { ...merged, role: old.role, mutedUntil: old.mutedUntil };
  if (old && old.readSeq >= room.readSeq) {
    merged = { ...merged, readSeq: old.readSeq, unread: old.unread, mentions: old.mentions };
  }
  return { ...state, rooms: { ...state.rooms, [room.roomId]: merged } };
}

function withMemberCount(state: ChatState, roomId: string, count: (n: number) => number): ChatState {
  const room = state.rooms[roomId];
  if (!room) return state;
  return { ...state, rooms: { ...state.rooms, [roomId]: { ...room, memberCount: count(room.memberCount) } } };
}

// ourRead: our own read position moved; unread counts what is left after
// seq among messages from others.
function ourRead(state: ChatState, roomId: string, userId: string, seq: number): ChatState {
  const room = state.rooms[roomId];
  if (userId !== state.me?.userId || !room || seq <= room.readSeq) return state;
  const left = (state.messages[roomId] ?? []).filter((m) => m.seq > seq && m.senderId !== userId && !m.system && !isBlocked(state, m.senderId));
  const unread = seq >= room.lastSeq ? 0 : Math.min(left.length, room.unread);
  const mentions = seq >= room.lastSeq ? 0 : left.filter((m) => m.mentions?.includes(userId)).length;
  return { ...state, rooms: { ...state.rooms, [roomId]: { ...room, readSeq: seq, unread, mentions } } };
}

export const reduceRooms: SliceReducer = (state, action, { prev }) => {
  switch (action.type) {
    case "state": {
      // Rooms no longer listed are dropped.
      const rooms = roomsOf(action);
      for (const r of action.rooms) if (r.kind === "support") delete rooms[r.roomId];
      return { ...state, rooms, activeRoom: state.activeRoom in rooms ? state.activeRoom : "" };
    }
    case "room":
    case "roomAdded":
    case "roomUpdated":
      // A support conversation (an agent joined it) is the support inbox's
      // (state/support.ts), never a room of the team chat.
      if (action.room.kind === "support") return state;
      return upsertRoom(state, action.room);
    case "roomRemoved":
      return { ...state, rooms: dropRoom(state.rooms, action.roomId), activeRoom: state.activeRoom === action.roomId ? "" : state.activeRoom };
    case "message": {
      const m = action.message;
      if (!prev.rooms[m.roomId]) return state;
      const had = prev.messages[m.roomId]?.some((x) => x.seq === m.seq);
      const next = raiseLastSeq(state, m.roomId, [m]);
      return had ? next : countUnread(next, m.roomId, m);
    }
    case "ack":
      return prev.rooms[action.message.roomId] ? raiseLastSeq(state, action.message.roomId, [action.message]) : state;
    case "history":
      return prev.rooms[action.roomId] ? raiseLastSeq(state, action.roomId, action.messages) : state;
    case "missed": {
      // Counted unread: what we did not hold yet (nor earlier in this frame).
      const held = new Map<string, Set<number>>();
      let next = state;
      for (const r of action.rooms) {
        if (!prev.rooms[r.roomId]) continue;
        const seqs = held.get(r.roomId) ?? new Set((prev.messages[r.roomId] ?? []).map((m) => m.seq));
        const fresh = r.messages.filter((m) => !seqs.has(m.seq));
        next = raiseLastSeq(next, r.roomId, r.messages);
        for (const m of fresh) next = countUnread(next, r.roomId, m);
        for (const m of r.messages) seqs.add(m.seq);
        held.set(r.roomId, seqs);
      }
      return next;
    }
    // The count follows the member list when it is known (a listMembers or
    // invite reply carries it whole; a join we already counted is no news).
    case "members":
      return withMemberCount(state, action.roomId, () => action.members.length);
    case "memberJoined":
      if (prev.members[action.roomId]?.[action.user.userId]) return state;
      return withMemberCount(state, action.roomId, (n) => n + 1);
    case "memberLeft":
      if (prev.members[action.roomId] && !prev.members[action.roomId][action.user.userId]) return state;
      return withMemberCount(state, action.roomId, (n) => Math.max(0, n - 1));
    case "read":
      return ourRead(state, action.roomId, action.userId, action.seq);
    case "local/open":
      return { ...state, activeRoom: action.roomId, atBottom: true };
    case "local/atBottom":
      return state.atBottom === action.atBottom ? state : { ...state, atBottom: action.atBottom };
    default:
      return state;
  }
};

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
/** A direct conversation whose every other member deleted their account
 * (their profile is the tombstone): read-only, the server refuses new
 * messages there (chat.DirectReadOnly). A member not known yet counts as
 * live. */
export function directReadOnly(state: ChatState, room: RoomState | undefined): boolean {
  if (!room || room.kind !== "direct") return false;
  const others = (room.memberIds ?? []).filter((id) => id !== state.me?.userId);
  return others.length > 0 && others.every((id) => state.users[id]?.deleted === true);
}

/** roomWritable: whether the room takes writes (sending, replying in a
 * thread, editing, reacting, pinning, voting, closing a poll, removing a
 * preview): not an archived channel, not a direct conversation with nobody
 * left (directReadOnly; the server refuses those with read_only). Reading,
 * saving, reminders and deleting one's own messages are offered either way. */
export function roomWritable(state: ChatState, room: RoomState | undefined): boolean {
  return !!room && !room.archived && !directReadOnly(state, room);
}

export function directPeer(state: ChatState, room: RoomState): Profile | undefined {
  if (room.kind !== "direct") return undefined;
  const others = (room.memberIds ?? []).filter((id) => id !== state.me?.userId);
  return others.length === 1 ? state.users[others[0]] : undefined;
}

// unreadDividerSeq: where the "New messages" divider goes, the first held
// message from `from` on that is not from a person I blocked (their
// messages are collapsed, no news; issue 15); 0 when there is none yet.
export function unreadDividerSeq(state: Pick<ChatState, "preferences">, msgs: Message[], from: number): number {
  return msgs.find((m) => m.seq >= from && !isBlocked(state, m.senderId))?.seq ?? 0;
}

// newsAfter: a message after seq worth the "jump to latest" button (one
// from a person I blocked is not).
export function newsAfter(state: Pick<ChatState, "preferences">, msgs: Message[], seq: number): boolean {
  return msgs.some((m) => m.seq > seq && !isBlocked(state, m.senderId));
}
