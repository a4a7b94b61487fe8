// The messages slice: what we hold of each room's history (merged by seq),
// the contiguous seq that resume asks from, the history cursor, and our
// pending sends until the server acknowledges them.
import type { Message } from "../api/protocol.gen";
import { keepMine } from "./polls";
import { dropRoom, keepRooms, roomsOf, type ChatState, type HistoryCursor, type MessagesSlice, type PendingSend, type SliceReducer } from "./types";

export const initialMessages: MessagesSlice = { messages: {}, last: {}, history: {}, pending: [], rejected: {} };

// mergeMessages inserts incoming messages by seq; a seq already held is
// replaced by the newer copy (an edit or deletion), never duplicated.
export function mergeMessages(existing: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return existing;
  const bySeq = new Map<number, Message>();
  for (const m of existing) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, keepMine(bySeq.get(m.seq), m));
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

// advanceLast moves the contiguous mark over every seq now held.
function advanceLast(last: number, msgs: Message[]): number {
  const held = new Set(msgs.map((m) => m.seq));
  while (held.has(last + 1)) last++;
  return last;
}

// HOLE_SETTLE_MS (docs/PROTOCOL.md §7): a gap that a resume skipped is
// holes once the message after it is this much older than the newest
// message held (both by the server's clock). A send takes at most 29 s, so
// an older gap will never fill; a younger one may be a message still being
// written, which a resume must ask for again.
export const HOLE_SETTLE_MS = 60_000;

// settleLast moves the contiguous mark, after a resume answered up to upTo,
// over every seq held and every skipped gap that has settled, and stops
// below the first gap that may still fill.
export function settleLast(last: number, msgs: Message[], upTo: number): number {
  const at = new Map<number, number>();
  let newest = -Infinity;
  for (const m of msgs) {
    const t = Date.parse(m.createdAt);
    at.set(m.seq, t);
    if (t > newest) newest = t;
  }
  while (last < upTo) {
    if (at.has(last + 1)) {
      last++;
      continue;
    }
    let next = last + 2;
    while (next <= upTo && !at.has(next)) next++;
    if (next > upTo || !((at.get(next) ?? newest) < newest - HOLE_SETTLE_MS)) break;
    last = next;
  }
  return advanceLast(last, msgs);
}

// addMessages merges messages into a room; our own among them settle
// their pending sends. (The room's lastSeq is raised by the rooms slice.)
function addMessages(state: ChatState, roomId: string, incoming: Message[]): ChatState {
  const messages = mergeMessages(state.messages[roomId] ?? [], incoming);
  const mine = new Set(incoming.filter((m) => m.senderId === state.me?.userId).map((m) => m.clientId));
  const pending = mine.size ? state.pending.filter((p) => !(p.roomId === roomId && mine.has(p.clientId))) : state.pending;
  const last = state.last[roomId] ?? 0;
  return {
    ...state,
    pending,
    messages: { ...state.messages, [roomId]: messages },
    last: { ...state.last, [roomId]: advanceLast(last, messages) },
  };
}

export const reduceMessages: SliceReducer = (state, action, { prev }) => {
  switch (action.type) {
    case "state": {
      // Rooms we already follow keep their contiguous mark (resume continues
      // from it), new rooms start from their lastSeq (older messages come as
      // history); rooms no longer listed are dropped.
      const rooms = roomsOf(action);
      const last: Record<string, number> = {};
      for (const r of action.rooms) last[r.roomId] = state.last[r.roomId] ?? r.lastSeq;
      return {
        ...state,
        last,
        messages: keepRooms(state.messages, rooms),
        history: keepRooms(state.history, rooms),
        pending: state.pending.filter((p) => p.roomId in rooms),
      };
    }
    case "room":
    case "roomAdded":
    case "roomUpdated": {
      const id = action.room.roomId;
      return { ...state, last: { ...state.last, [id]: state.last[id] ?? action.room.lastSeq } };
    }
    case "roomRemoved":
      return {
        ...state,
        messages: dropRoom(state.messages, action.roomId),
        last: dropRoom(state.last, action.roomId),
        history: dropRoom(state.history, action.roomId),
        pending: state.pending.filter((p) => p.roomId !== action.roomId),
      };
    case "message":
      return prev.rooms[action.message.roomId] ? addMessages(state, action.message.roomId, [action.message]) : state;
    case "ack":
      if (!prev.rooms[action.message.roomId]) {
        return { ...state, pending: state.pending.filter((p) => p.clientId !== action.clientId) };
      }
      return addMessages(state, action.message.roomId, [action.message]);
    case "messageUpdated": {
      const m = action.message;
      const held = state.messages[m.roomId];
      if (!held?.some((x) => x.seq === m.seq)) return state;
      return { ...state, messages: { ...state.messages, [m.roomId]: mergeMessages(held, [m]) } };
    }
    case "local/jump": {
      // Open the room at a message: what is held makes way for the page
      // around it (history around), which pages both ways from there.
      if (!prev.rooms[action.roomId]) return state;
      return {
        ...state,
        messages: { ...state.messages, [action.roomId]: [] },
        history: { ...state.history, [action.roomId]: { loaded: false, hasMore: false, before: 0, hasMoreAfter: true, after: 0, focus: action.seq, jumping: true } },
      };
    }
    case "local/focused": {
      const h = state.history[action.roomId];
      if (!h || h.focus === undefined) return state;
      return { ...state, history: { ...state.history, [action.roomId]: { ...h, focus: undefined } } };
    }
    case "history": {
      if (!prev.rooms[action.roomId]) return state;
      const cur = state.history[action.roomId];
      // The newest page, overtaken by a jump: the page around is coming.
      if (cur?.jumping && action.hasMoreAfter === undefined) return state;
      const next = addMessages(state, action.roomId, action.messages);
      const oldest = action.messages.reduce((min, m) => Math.min(min, m.seq), Number.MAX_SAFE_INTEGER);
      const newest = action.messages.reduce((max, m) => Math.max(max, m.seq), 0);
      const before = action.before ?? (action.messages.length ? oldest : 0);
      let cursor: HistoryCursor;
      if (action.hasMoreAfter === undefined) {
        // An older page (or the newest): the forward cursor stays.
        cursor = { ...cur, loaded: true, hasMore: action.hasMore, before };
      } else if (cur?.jumping) {
        // The page around the focused message.
        cursor = { ...cur, loaded: true, jumping: false, hasMore: action.hasMore, before, hasMoreAfter: action.hasMoreAfter, after: action.after ?? newest };
      } else {
        // A newer page: only the forward cursor moves. Once nothing newer
        // remains the room is live again.
        if (!cur) return next;
        cursor = { ...cur, hasMoreAfter: action.hasMoreAfter, after: action.after ?? Math.max(newest, cur.after ?? 0) };
      }
      if (!cursor.hasMoreAfter) {
        delete cursor.hasMoreAfter;
        delete cursor.after;
      }
      return { ...next, history: { ...next.history, [action.roomId]: cursor } };
    }
    case "missed": {
      let next = state;
      for (const r of action.rooms) {
        if (!prev.rooms[r.roomId]) continue;
        if (r.reset) {
          // The change log no longer covers our position: what we hold of
          // the room may be stale. Drop it; the room's history is fetched
          // again (Chat.onEvent).
          next = { ...next, messages: dropRoom(next.messages, r.roomId), history: dropRoom(next.history, r.roomId) };
        }
        // Changed messages replace the ones held (those not held come as
        // they are now with history).
        const held = new Set((next.messages[r.roomId] ?? []).map((m) => m.seq));
        const changed = (r.changed ?? []).filter((m) => held.has(m.seq));
        if (changed.length > 0) next = { ...next, messages: { ...next.messages, [r.roomId]: mergeMessages(next.messages[r.roomId] ?? [], changed) } };
        next = addMessages(next, r.roomId, r.messages);
        // The seqs up to the highest returned that the answer skipped are
        // holes, once settled (settleLast): a younger gap may be a message
        // whose write is still in flight, which the next resume asks for.
        const top = r.messages.reduce((max, m) => Math.max(max, m.seq), next.last[r.roomId] ?? 0);
        next = { ...next, last: { ...next.last, [r.roomId]: settleLast(next.last[r.roomId] ?? 0, next.messages[r.roomId] ?? [], top) } };
      }
      return next;
    }
    case "local/send":
      return { ...state, pending: [...state.pending, action.pending] };
    case "local/sendFailed":
      return { ...state, pending: state.pending.map((p) => (p.clientId === action.clientId ? { ...p, status: "failed", error: action.error, errorUntil: action.until } : p)) };
    case "local/sendRejected": {
      const p = state.pending.find((x) => x.clientId === action.clientId);
      if (!p) return state;
      if (p.attachments?.length || p.gif || p.parentSeq) {
        // Files, a GIF or a thread reply stay where they are, failed, with the reason.
        return { ...state, pending: state.pending.map((x) => (x === p ? { ...x, status: "failed", error: action.reason } : x)) };
      }
      return {
        ...state,
        pending: state.pending.filter((x) => x !== p),
        rejected: { ...state.rejected, [p.roomId]: { clientId: p.clientId, text: p.text, reason: action.reason } },
      };
    }
    case "local/clearRejected":
      return action.roomId in state.rejected ? { ...state, rejected: dropRoom(state.rejected, action.roomId) } : state;
    case "local/retry": {
      // A retried message goes to the end of the room's outbox (and of the
      // pending ones shown), after those sent meanwhile.
      const p = state.pending.find((x) => x.clientId === action.clientId);
      if (!p) return state;
      return { ...state, pending: [...state.pending.filter((x) => x !== p), { ...p, status: "sending", error: undefined }] };
    }
    case "local/discard":
      return { ...state, pending: state.pending.filter((p) => p.clientId !== action.clientId) };
    default:
      return state;
  }
};

// resumePoints: what resume asks for, per room.
export function resumePoints(state: ChatState): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of Object.keys(state.rooms)) out[id] = state.last[id] ?? state.rooms[id].lastSeq;
  return out;
}

export function sendingNow(state: ChatState): PendingSend[] {
  return state.pending.filter((p) => p.status === "sending");
}
