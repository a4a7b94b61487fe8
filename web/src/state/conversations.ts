// The conversations slice: each room's change position, which resume
// replays changes from (docs/PROTOCOL.md §7), and the messages I saved.
import type { Message } from "../api/protocol.gen";
import { dropRoom, type ChatState, type ConversationsSlice, type SliceReducer } from "./types";
import { canManage } from "./moderation";
import { roomWritable } from "./rooms";

export const initialConversations: ConversationsSlice = { chg: {}, saved: {} };

export const savedKey = (roomId: string, seq: number) => `${roomId}:${seq}`;

export const reduceConversations: SliceReducer = (state, action) => {
  switch (action.type) {
    case "state": {
      // Rooms we follow keep their position; new ones start from now.
      const chg: Record<string, number> = {};
      for (const r of action.rooms) chg[r.roomId] = state.chg[r.roomId] ?? r.lastChg ?? 0;
      return { ...state, chg };
    }
    case "room":
    case "roomAdded":
    case "roomUpdated": {
      const id = action.room.roomId;
      if (id in state.chg) return state;
      return { ...state, chg: { ...state.chg, [id]: action.room.lastChg ?? 0 } };
    }
    case "roomRemoved":
      return { ...state, chg: dropRoom(state.chg, action.roomId) };
    case "messageUpdated": {
      // Live changes arrive in any order, and a numbered change may never
      // show up (numbered, then failed): the position moves only to the
      // next number; anything else the next resume replays.
      const id = action.message.roomId;
      const at = state.chg[id];
      if (at === undefined || action.chg !== at + 1) return state;
      return { ...state, chg: { ...state.chg, [id]: action.chg } };
    }
    case "missed": {
      let chg = state.chg;
      for (const r of action.rooms) {
        if (r.lastChg === undefined || !(r.roomId in chg)) continue;
        // On reset the room's current position replaces ours, whatever it was.
        if (r.reset || r.lastChg > (chg[r.roomId] ?? 0)) chg = { ...chg, [r.roomId]: r.lastChg };
      }
      return chg === state.chg ? state : { ...state, chg };
    }
    case "saved": {
      const key = savedKey(action.roomId, action.seq);
      if (action.saved) return { ...state, saved: { ...state.saved, [key]: action.savedAt ?? "" } };
      return key in state.saved ? { ...state, saved: dropRoom(state.saved, key) } : state;
    }
    case "savedItems": {
      const saved = { ...state.saved };
      for (const it of action.items) saved[savedKey(it.roomId, it.seq)] = it.savedAt;
      return { ...state, saved };
    }
    default:
      return state;
  }
};

// changePoints: what resume asks changes from, per room we resume.
export function changePoints(state: ChatState): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of Object.keys(state.rooms)) out[id] = state.chg[id] ?? state.rooms[id].lastChg ?? 0;
  return out;
}

export function isSaved(state: ChatState, m: Message): boolean {
  return savedKey(m.roomId, m.seq) in state.saved;
}

// canPin: whether I may pin in the room (the server decides again).
export function canPin(state: ChatState, roomId: string): boolean {
  const room = state.rooms[roomId];
  if (!roomWritable(state, room)) return false;
  return room!.kind === "direct" || !!room.membersCanPin || canManage(state, room);
}

// reactionUsers: who reacted, by display name (me as "you"), in order.
export function reactionNames(state: ChatState, userIds: string[], you: string): string[] {
  return userIds.map((id) => (id === state.me?.userId ? you : (state.users[id]?.displayName ?? id)));
}
