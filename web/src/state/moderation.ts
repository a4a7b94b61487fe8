// The moderation slice: my workspace groups (from the state event) and the
// roles and mutes of room members (memberUpdated), and the selectors the
// screens ask: may I manage or moderate this room, am I muted in it.
// The server decides (internal/chat/policy.go); these only decide what to
// offer, mirroring its rules.
import type { RoomState } from "../api/protocol.gen";
import type { ChatState, ModerationSlice, SliceReducer } from "./types";

export const initialModeration: ModerationSlice = { groups: [], invites: [] };

export const reduceModeration: SliceReducer = (state, action) => {
  switch (action.type) {
    case "state":
      return { ...state, groups: action.groups ?? [], invites: action.invites ?? [] };
    case "invited":
      return { ...state, invites: [...state.invites.filter((i) => i.roomId !== action.invite.roomId), action.invite] };
    case "invites":
      return { ...state, invites: action.invites };
    case "room":
    case "roomAdded":
      // Accepted (here or on another connection): no longer pending.
      return state.invites.some((i) => i.roomId === action.room.roomId) ? { ...state, invites: state.invites.filter((i) => i.roomId !== action.room.roomId) } : state;
    case "memberUpdated": {
      const { roomId, member } = action;
      let next = state;
      const members = state.members[roomId];
      if (members) {
        const old = members[member.userId];
        next = { ...next, members: { ...next.members, [roomId]: { ...members, [member.userId]: { role: member.role, readSeq: old?.readSeq ?? member.readSeq, mutedUntil: member.mutedUntil } } } };
      }
      const room = next.rooms[roomId];
      if (room && member.userId === state.me?.userId) {
        next = { ...next, rooms: { ...next.rooms, [roomId]: { ...room, role: member.role, mutedUntil: member.mutedUntil } } };
      }
      return next;
    }
    default:
      return state;
  }
};

export const isAdmin = (state: ChatState) => state.groups.includes("admins");
export const isStaff = (state: ChatState) => isAdmin(state) || state.groups.includes("moderators");

function roleIn(state: ChatState, room: RoomState): string {
  return room.role ?? state.members[room.roomId]?.[state.me?.userId ?? ""]?.role ?? "";
}

// canManage: rename, topic, archive, invite to a private channel.
export function canManage(state: ChatState, room: RoomState): boolean {
  if (room.kind === "direct") return false;
  const role = roleIn(state, room);
  return isAdmin(state) || role === "owner" || role === "moderator";
}

// canModerate: delete others' messages, mute, remove, ban.
export function canModerate(state: ChatState, room: RoomState): boolean {
  if (room.kind === "direct") return isAdmin(state);
  return canManage(state, room) || isStaff(state);
}

// canSetRoles: owners and admins.
export function canSetRoles(state: ChatState, room: RoomState): boolean {
  return room.kind !== "direct" && (isAdmin(state) || roleIn(state, room) === "owner");
}

// mutedUntil: when my mute in the room ends, or null when I am not muted
// (at now).
export function mutedUntil(room: RoomState | undefined, now: number = Date.now()): Date | null {
  if (!room?.mutedUntil) return null;
  const until = new Date(room.mutedUntil);
  return until.getTime() > now ? until : null;
}
