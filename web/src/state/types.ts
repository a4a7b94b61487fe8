// The client's state and the actions that change it, shared by the slices
// (rooms.ts, messages.ts, members.ts, typing.ts, connection.ts) that each
// own some of its fields, and by the store that composes them (store.ts).
import type { Attachment, Gif, InviteInfo, Limits, MemberInfo, Message, Profile, RoomState, ServerEvent } from "../api/protocol.gen";
import type { NotifyEvent, Preferences } from "../api/notifyProtocol";

export interface PendingSend {
  clientId: string;
  roomId: string;
  text: string;
  attachments?: Attachment[];
  // A reply in the thread of parentSeq (toRoom: also in the room).
  parentSeq?: number;
  toRoom?: boolean;
  gif?: Gif;
  createdAt: string;
  // "sending" until acked; "failed" when the server refused it for good.
  status: "sending" | "failed";
  error?: string;
  // errorUntil: when the refusal ends (muted: the error's until), for the
  // UI to show in local time.
  errorUntil?: string;
}

export interface TypingEntry {
  userId: string;
  name: string;
  until: number;
}

export interface HistoryCursor {
  loaded: boolean; // the newest page was fetched (or the page around focus)
  hasMore: boolean;
  before: number;
  // Opened at a message (a search result): newer messages than those held
  // remain while hasMoreAfter; after is the cursor to page forward from.
  hasMoreAfter?: boolean;
  after?: number;
  // The message to scroll to and highlight once (cleared by local/focused).
  focus?: number;
  // The around page for focus is on its way.
  jumping?: boolean;
}

export interface MemberState {
  role: MemberInfo["role"];
  readSeq: number;
  // Set while the member is muted in the room.
  mutedUntil?: string;
}

// connection.ts: this connection and the deployment's limits.
export interface ConnectionSlice {
  connectionId: string;
  // This deployment's limits, from the state event (null until connected).
  limits: Limits | null;
  // The deployment has a GIF provider (state event's gifs).
  gifs?: boolean;
  // Which provider (tenor, giphy): the picker's attribution.
  gifProvider?: string;
}

// members.ts: who we are, the people we know (presence included), and each
// room's members with their read positions.
export interface MembersSlice {
  me: Profile | null;
  users: Record<string, Profile>;
  members: Record<string, Record<string, MemberState>>;
}

// rooms.ts: the rooms we are in (read state and unread counts), the room on
// screen, and whether its newest message is in view: new messages there do
// not count as unread.
export interface RoomsSlice {
  rooms: Record<string, RoomState>;
  activeRoom: string;
  atBottom: boolean;
}

// messages.ts: what we hold of each room's history, and our pending sends.
export interface MessagesSlice {
  // Messages of a room, ascending by seq, one per seq.
  messages: Record<string, Message[]>;
  // The highest seq received contiguously per room: what resume asks from.
  last: Record<string, number>;
  history: Record<string, HistoryCursor>;
  pending: PendingSend[];
  // The message the review hook rejected last, per room: its text goes
  // back into the composer, with the reason (ui/composer/Rejection.tsx).
  rejected: Record<string, Rejection>;
}

export interface Rejection {
  clientId: string;
  text: string;
  reason: string;
}

// typing.ts: who is typing where, until when.
export interface TypingSlice {
  typing: Record<string, TypingEntry[]>;
}

// moderation.ts: my workspace groups (admins, moderators) and my pending
// invitations to private channels.
export interface ModerationSlice {
  groups: string[];
  invites: InviteInfo[];
}

// preferences.ts: the synced preferences (null until the server sent them).
export interface PreferencesSlice {
  preferences: Preferences | null;
}

// conversations.ts: each room's change position (what resume replays
// from) and which messages I saved.
export interface ConversationsSlice {
  // The last change applied per room (PROTOCOL §7): from getState, then
  // from resume and contiguous live changes.
  chg: Record<string, number>;
  // My saved messages I know of, "roomId:seq" -> savedAt.
  saved: Record<string, string>;
}

// threads.ts: the thread open beside the room, the threads loaded and
// the threads I follow.
export interface ThreadView {
  roomId: string;
  parentSeq: number;
  parent?: Message;
  // Replies loaded, ascending by seq.
  replies: Message[];
  loaded: boolean;
  hasMore: boolean;
  before: number;
  following: boolean;
  readSeq: number;
}

export interface FollowedThread {
  roomId: string;
  parentSeq: number;
  parent: Message;
  readSeq: number;
  unread: number;
}

export interface ThreadsSlice {
  // "roomId:parentSeq" of the thread open beside the room ("" for none).
  openThread: string;
  threads: Record<string, ThreadView>;
  followed: Record<string, FollowedThread>;
  // listThreads has answered once.
  threadsListed: boolean;
  // A reply of the open thread to bring into view once it is shown (a
  // notification of it was clicked); 0: none.
  threadFocus: number;
}

export interface ChatState extends ConnectionSlice, MembersSlice, RoomsSlice, MessagesSlice, TypingSlice, ModerationSlice, PreferencesSlice, ConversationsSlice, ThreadsSlice {}

// Local intents, next to the server's frames.
export type LocalAction =
  | { type: "local/send"; pending: PendingSend }
  | { type: "local/sendFailed"; clientId: string; error: string; until?: string }
  // The review hook rejected a send (code "rejected"): a plain text message
  // leaves the timeline for the composer; others fail as local/sendFailed.
  | { type: "local/sendRejected"; clientId: string; reason: string }
  | { type: "local/clearRejected"; roomId: string }
  | { type: "local/discard"; clientId: string }
  | { type: "local/retry"; clientId: string }
  | { type: "local/open"; roomId: string }
  | { type: "local/jump"; roomId: string; seq: number }
  | { type: "local/focused"; roomId: string }
  | { type: "local/atBottom"; atBottom: boolean }
  | { type: "local/tick"; now: number }
  // Preferences changed here, shown before the server's reply.
  | { type: "local/preferences"; preferences: Preferences }
  // A thread opened beside the room, or closed.
  | { type: "local/openThread"; roomId: string; parentSeq: number; focus?: number }
  | { type: "local/closeThread" }
  | { type: "local/threadFocused" }
  // Encrypted messages of a room decrypted (or not) by the e2ee engine:
  // each applies to the held copies with that seq and ciphertext.
  | { type: "local/decrypted"; roomId: string; items: DecryptedItem[] }
  | { type: "local/reset" };

// ---- end-to-end encryption (issue 19) ----

// E2EEFileKey opens one encrypted attachment (inside the message's
// plaintext; the same shape as features/e2ee/types.ts FileKey).
export interface E2EEFileKey {
  key: string; // the S3 key of the encrypted object
  k: string; // b64 file key
  iv: string;
  name: string;
  type: string;
  size: number; // plaintext bytes
  sha256: string; // b64 of the plaintext's SHA-256
}

// MessageE2EE is the client-only field the engine sets on a message of an
// encrypted room: its files, why it cannot be read, or that its key is
// being fetched.
export interface MessageE2EE {
  files?: E2EEFileKey[];
  error?: "no-key" | "bad-device" | "tampered";
  pending?: boolean;
}

declare module "../api/protocol.gen" {
  interface Message {
    // Client-only (never sent): set in encrypted rooms by the e2ee engine.
    e2ee?: MessageE2EE;
  }
}

// DecryptedItem: the result for one message, matched by seq and ciphertext
// (iv and ct of its encrypted field).
export interface DecryptedItem {
  seq: number;
  iv: string;
  ct: string;
  text: string;
  e2ee: MessageE2EE;
}

// ServerFrame: what the socket delivers (the notification events are
// typed by hand in api/notifyProtocol.ts until the generated types have them).
export type ServerFrame = ServerEvent | NotifyEvent;

export type Action = ServerFrame | LocalAction;

// A slice's reducer updates its own fields for an action, reading any
// field it needs, and returns the state unchanged (the same object) for
// actions that do not concern it. prev is the state before the action, as
// the store received it (the slices run one after another); now is the
// clock for expiries.
export type SliceReducer = (state: ChatState, action: Action, ctx: { prev: ChatState; now: number }) => ChatState;

// dropRoom: a per-room record without the room.
export function dropRoom<T>(rec: Record<string, T>, roomId: string): Record<string, T> {
  const { [roomId]: _gone, ...rest } = rec;
  return rest;
}

// keepRooms: a per-room record without the rooms not in `rooms`.
export function keepRooms<T>(rec: Record<string, T>, rooms: Record<string, unknown>): Record<string, T> {
  return Object.fromEntries(Object.entries(rec).filter(([id]) => id in rooms)) as Record<string, T>;
}

// roomsOf: the rooms of a getState reply, by id.
export function roomsOf(ev: Extract<ServerEvent, { type: "state" }>): Record<string, RoomState> {
  const rooms: Record<string, RoomState> = {};
  for (const r of ev.rooms) rooms[r.roomId] = r;
  return rooms;
}
