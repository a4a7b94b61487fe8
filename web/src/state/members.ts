// The members slice (members and presence): who we are, every profile we
// know with its presence, and each room's members with their role and read
// position; "seen by" (receipts) is read from those positions.
import type { Message, Profile } from "../api/protocol.gen";
import { dropRoom, keepRooms, roomsOf, type ChatState, type MemberState, type MembersSlice, type SliceReducer } from "./types";

export const initialMembers: MembersSlice = { me: null, users: {}, members: {} };

function upsertUser(state: ChatState, p: Profile): ChatState {
  return { ...state, users: { ...state.users, [p.userId]: p }, me: state.me?.userId === p.userId ? p : state.me };
}

export const reduceMembers: SliceReducer = (state, action) => {
  switch (action.type) {
    case "state": {
      const users: Record<string, Profile> = { ...state.users };
      for (const u of action.users) users[u.userId] = u;
      users[action.me.userId] = action.me;
      return { ...state, me: action.me, users, members: keepRooms(state.members, roomsOf(action)) };
    }
    case "roomRemoved":
      return { ...state, members: dropRoom(state.members, action.roomId) };
    case "members": {
      const members: Record<string, MemberState> = {};
      let next = state;
      for (const m of action.members) {
        members[m.userId] = { role: m.role, readSeq: m.readSeq, mutedUntil: m.mutedUntil };
        const { role: _r, readSeq: _s, mutedUntil: _m, ...profile } = m;
        next = upsertUser(next, profile);
      }
      return { ...next, members: { ...next.members, [action.roomId]: members } };
    }
    case "memberJoined": {
      let next = upsertUser(state, action.user);
      const members = next.members[action.roomId];
      if (members && !members[action.user.userId]) {
        // Newcomers start having read everything up to now.
        const readSeq = next.rooms[action.roomId]?.lastSeq ?? 0;
        next = { ...next, members: { ...next.members, [action.roomId]: { ...members, [action.user.userId]: { role: "member", readSeq } } } };
      }
      return next;
    }
    case "memberLeft": {
      const members = state.members[action.roomId];
      if (!members?.[action.user.userId]) return state;
      const { [action.user.userId]: _gone, ...rest } = members;
      return { ...state, members: { ...state.members, [action.roomId]: rest } };
    }
    case "read": {
      // Read positions only move forward.
      const members = state.members[action.roomId];
      const m = members?.[action.userId];
      if (!m || m.readSeq >= action.seq) return state;
      return { ...state, members: { ...state.members, [action.roomId]: { ...members, [action.userId]: { ...m, readSeq: action.seq } } } };
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
    default:
      return state;
  }
};

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
      if (msgs[i].seq <= m.readSeq && msgs[i].senderId !== userId && !msgs[i].system) {
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
