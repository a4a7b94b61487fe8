// The typing slice: who is typing in which room, each until a moment after
// their last notice or until their message arrives.
import { isBlocked } from "./preferences";
import { dropRoom, keepRooms, roomsOf, type ChatState, type SliceReducer, type TypingEntry, type TypingSlice } from "./types";

export const TYPING_TTL_MS = 4000;

export const initialTyping: TypingSlice = { typing: {} };

function clearTyping(state: ChatState, roomId: string, userId: string): ChatState {
  const list = state.typing[roomId];
  if (!list?.some((t) => t.userId === userId)) return state;
  return { ...state, typing: { ...state.typing, [roomId]: list.filter((t) => t.userId !== userId) } };
}

export const reduceTyping: SliceReducer = (state, action, { prev, now }) => {
  switch (action.type) {
    case "state":
      return { ...state, typing: keepRooms(state.typing, roomsOf(action)) };
    case "roomRemoved":
      return { ...state, typing: dropRoom(state.typing, action.roomId) };
    case "message":
      // Their message ends their typing.
      return prev.rooms[action.message.roomId] ? clearTyping(state, action.message.roomId, action.message.senderId) : state;
    case "memberLeft":
      return clearTyping(state, action.roomId, action.user.userId);
    case "typing": {
      if (action.userId === state.me?.userId || !state.rooms[action.roomId]) return state;
      // They cleared or sent their draft.
      if (action.stopped) return clearTyping(state, action.roomId, action.userId);
      const list = (state.typing[action.roomId] ?? []).filter((t) => t.userId !== action.userId);
      list.push({ userId: action.userId, name: action.displayName, until: now + TYPING_TTL_MS });
      return { ...state, typing: { ...state.typing, [action.roomId]: list } };
    }
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
    default:
      return state;
  }
};

// typingNames: who is typing now, never a person I blocked (their notices
// are kept, so unblocking shows them again at once; issue 15).
export function typingNames(state: ChatState, roomId: string, now: number): string[] {
  return (state.typing[roomId] ?? []).filter((t) => t.until > now && !isBlocked(state, t.userId)).map((t) => t.name);
}
