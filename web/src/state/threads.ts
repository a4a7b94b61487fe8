// The threads slice (issue 14): the thread open beside the room, the
// threads loaded (their parent and replies, paged back), and the threads
// I follow with their unread replies (listThreads, then kept live).
//
// Replies come as ordinary `message` events with parentSeq. The messages
// slice holds them like any message of the room (so the contiguous mark
// that resume asks from moves over their seqs); the room's timeline shows
// only those in it (inTimeline).
import type { Message } from "../api/protocol.gen";
import { mergeMessages } from "./messages";
import { isBlocked } from "./preferences";
import type { ChatState, SliceReducer, ThreadView, ThreadsSlice, FollowedThread } from "./types";

export const initialThreads: ThreadsSlice = { openThread: "", threads: {}, followed: {}, threadsListed: false, threadFocus: 0 };

export const threadKey = (roomId: string, parentSeq: number) => `${roomId}:${parentSeq}`;

// inTimeline: whether a message shows in its room's timeline (not a reply
// kept in its thread).
export function inTimeline(m: Pick<Message, "parentSeq" | "toRoom">): boolean {
  return !m.parentSeq || !!m.toRoom;
}

const emptyView = (roomId: string, parentSeq: number): ThreadView => ({ roomId, parentSeq, replies: [], loaded: false, hasMore: false, before: 0, following: false, readSeq: 0 });

// withParent updates a thread's parent wherever the slice holds it.
function withParent(state: ChatState, m: Message): ChatState {
  const key = threadKey(m.roomId, m.seq);
  let next = state;
  const view = state.threads[key];
  if (view) next = { ...next, threads: { ...next.threads, [key]: { ...view, parent: m } } };
  const f = state.followed[key];
  if (f) next = { ...next, followed: { ...next.followed, [key]: { ...f, parent: m } } };
  return next;
}

// withReply adds (or replaces) a reply in its loaded thread.
function withReply(state: ChatState, m: Message): ChatState {
  const key = threadKey(m.roomId, m.parentSeq!);
  const view = state.threads[key];
  if (!view) return state;
  return { ...state, threads: { ...state.threads, [key]: { ...view, replies: mergeMessages(view.replies, [m]) } } };
}

// changed applies a message as it is now: a parent, a reply, or both kinds
// of nothing.
function changed(state: ChatState, m: Message): ChatState {
  let next = state;
  if (m.parentSeq) next = withReply(next, m);
  if (m.thread || next.threads[threadKey(m.roomId, m.seq)] || next.followed[threadKey(m.roomId, m.seq)]) next = withParent(next, m);
  return next;
}

export const reduceThreads: SliceReducer = (state, action, { prev }) => {
  switch (action.type) {
    case "local/openThread": {
      const key = threadKey(action.roomId, action.parentSeq);
      const threads = state.threads[key] ? state.threads : { ...state.threads, [key]: emptyView(action.roomId, action.parentSeq) };
      return { ...state, openThread: key, threads, threadFocus: action.focus && action.focus > 0 ? action.focus : 0 };
    }
    case "local/closeThread":
      return state.openThread || state.threadFocus ? { ...state, openThread: "", threadFocus: 0 } : state;
    case "local/threadFocused":
      return state.threadFocus ? { ...state, threadFocus: 0 } : state;
    case "threadHistory": {
      const key = threadKey(action.roomId, action.parentSeq);
      const view = state.threads[key] ?? emptyView(action.roomId, action.parentSeq);
      const next: ThreadView = {
        ...view,
        parent: action.parent,
        replies: mergeMessages(view.replies, action.messages),
        loaded: true,
        hasMore: action.hasMore,
        before: action.before ?? (action.messages.length ? action.messages[action.messages.length - 1].seq : 0),
        following: action.following,
        readSeq: Math.max(view.readSeq, action.readSeq ?? 0),
      };
      return { ...state, threads: { ...state.threads, [key]: next } };
    }
    case "threads": {
      const followed: Record<string, FollowedThread> = {};
      for (const it of action.threads) followed[threadKey(it.roomId, it.parentSeq)] = { roomId: it.roomId, parentSeq: it.parentSeq, parent: it.parent, readSeq: it.readSeq, unread: it.unread };
      return { ...state, followed, threadsListed: true };
    }
    case "threadFollow": {
      const key = threadKey(action.roomId, action.parentSeq);
      const view = state.threads[key];
      let next = state;
      if (view) next = { ...next, threads: { ...next.threads, [key]: { ...view, following: action.following, readSeq: Math.max(view.readSeq, action.readSeq ?? 0) } } };
      const f = next.followed[key];
      if (!action.following && f) {
        const { [key]: _gone, ...rest } = next.followed;
        return { ...next, followed: rest };
      }
      if (action.following && f) {
        const readSeq = Math.max(f.readSeq, action.readSeq ?? 0);
        const last = f.parent.thread?.lastSeq ?? 0;
        next = { ...next, followed: { ...next.followed, [key]: { ...f, readSeq, unread: readSeq >= last ? 0 : f.unread } } };
      }
      return next;
    }
    case "message": {
      const m = action.message;
      if (!m.parentSeq) return state;
      let next = withReply(state, m);
      const key = threadKey(m.roomId, m.parentSeq);
      const f = next.followed[key];
      const me = state.me?.userId;
      const fresh = !prev.messages[m.roomId]?.some((x) => x.seq === m.seq);
      // A blocked person's reply is no unread of the thread either (issue 15).
      if (f && fresh && m.senderId !== me && m.seq > f.readSeq && next.openThread !== key && !isBlocked(state, m.senderId)) {
        next = { ...next, followed: { ...next.followed, [key]: { ...f, unread: Math.min(f.unread + 1, 100) } } };
      }
      return next;
    }
    case "ack": {
      const m = action.message;
      if (!m.parentSeq) return state;
      let next = withReply(state, m);
      // I replied: I follow the thread, read up to my reply.
      const key = threadKey(m.roomId, m.parentSeq);
      const parent = action.parent ?? next.followed[key]?.parent ?? next.threads[key]?.parent;
      if (parent) {
        const f = next.followed[key];
        next = { ...next, followed: { ...next.followed, [key]: { roomId: m.roomId, parentSeq: m.parentSeq, parent, readSeq: Math.max(f?.readSeq ?? 0, m.seq), unread: f?.unread ?? 0 } } };
      }
      return next;
    }
    case "messageUpdated": {
      const m = action.message;
      let next = changed(state, m);
      // A reply deleted while it counted as unread counts no more (once:
      // a replayed tombstone finds it deleted before).
      const key = m.parentSeq ? threadKey(m.roomId, m.parentSeq) : "";
      const f = key ? next.followed[key] : undefined;
      const was = f && m.deleted ? prev.messages[m.roomId]?.find((x) => x.seq === m.seq) : undefined;
      if (f && was && !was.deleted && was.senderId !== state.me?.userId && !isBlocked(state, was.senderId) && m.seq > f.readSeq && f.unread > 0) {
        next = { ...next, followed: { ...next.followed, [key]: { ...f, unread: f.unread - 1 } } };
      }
      return next;
    }
    case "missed": {
      let next = state;
      for (const r of action.rooms) for (const m of r.changed ?? []) next = changed(next, m);
      return next;
    }
    case "roomRemoved": {
      const gone = (k: string) => k.startsWith(`${action.roomId}:`);
      return {
        ...state,
        openThread: gone(state.openThread) ? "" : state.openThread,
        threads: Object.fromEntries(Object.entries(state.threads).filter(([k]) => !gone(k))),
        followed: Object.fromEntries(Object.entries(state.followed).filter(([k]) => !gone(k))),
      };
    }
    default:
      return state;
  }
};

// followsThread: whether I follow the thread m replies in, as far as this
// client knows (listed, or mine, or I am mentioned).
export function followsThread(state: ChatState, m: Message): boolean {
  if (!m.parentSeq) return false;
  const me = state.me?.userId;
  if (state.followed[threadKey(m.roomId, m.parentSeq)]) return true;
  if (me && m.mentions?.includes(me)) return true;
  const parent = state.messages[m.roomId]?.find((x) => x.seq === m.parentSeq);
  return !!me && parent?.senderId === me;
}

// unreadThreads: the unread replies across the threads I follow.
export function unreadThreads(state: ChatState): number {
  let n = 0;
  for (const f of Object.values(state.followed)) if (state.rooms[f.roomId]) n += f.unread;
  return n;
}

// openThreadView: the thread open beside the room, if any.
export function openThreadView(state: ChatState): ThreadView | undefined {
  return state.openThread ? state.threads[state.openThread] : undefined;
}
