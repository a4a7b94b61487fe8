// The chat controller: owns the state and the socket, the read marks and
// resume of gaps, and offers the intents the components call. Components
// subscribe and re-render on every change. Features (uploads, downloads,
// avatars, notifications: see features/client.ts) plug in through
// ChatFeature and AttachmentSource and talk to the server through request
// and read.
import type { Attachment, ChannelsFrame, RoomFrame, Room, SearchResultsEvent, ServerEvent, UsersFrame, Profile, PinsFrame, SavedItemsFrame, VersionsFrame, Message, SavedItem, MessageVersion, Gif, GifsFrame } from "../api/protocol.gen";
import { ChatSocket, RequestError, type Payload, type Status } from "../api/socket";
import { initialState, reduce } from "./store";
import { resumePoints, sendingNow } from "./messages";
import { changePoints } from "./conversations";
import { followsThread, threadKey } from "./threads";
import type { Action, ChatState, ServerFrame } from "./types";
import type { AnyPayload } from "../api/notifyProtocol";

const TYPING_EVERY_MS = 3000;

export interface ChatEnv {
  wsUrl: string;
  getToken(force?: boolean): Promise<string>;
  // onAuthLost: the session ended ("deactivated": by an admin).
  onAuthLost(reason?: string): void;
  // The display name given at sign-up, to apply if the profile lacks it:
  // asked for once the first state arrived. ifDefault: apply only while
  // the profile still has that (the server's fallback) name.
  signUpName?: (() => Promise<SignUpName | null>) | null;
  // Where the attachments of the next message of a room come from.
  attachments?: AttachmentSource;
}

// What a feature hooks into. onChange runs on every state change, before
// the components hear of it; onEvent after the store took a server event
// (before is the state it met); onStatus when the connection's status
// changed (after the chat's own handling); onStop when the chat stops,
// before the state is reset.
export interface ChatFeature {
  // transform sees each server frame before the store takes it (the e2ee
  // engine puts the plaintext it holds into encrypted messages).
  transform?(ev: ServerFrame): ServerFrame;
  // outgoing may carry out a sendMessage or editMessage itself (the e2ee
  // engine, for encrypted rooms): a promise of the reply, or null to leave
  // it to the socket.
  outgoing?(payload: Payload, request: (p: Payload) => Promise<ServerEvent>): Promise<ServerEvent> | null;
  onChange?(state: ChatState): void;
  onEvent?(ev: ServerFrame, before: ChatState): void;
  onStatus?(status: Status): void;
  onStop?(): void;
}

// AttachmentSource holds files ready to go with the next message of a
// composer (the upload queue): slot is the room's id, or a thread's key
// (threadKey) for its reply composer.
export interface AttachmentSource {
  attachments(slot: string): Attachment[];
  takeAttachments(slot: string): Attachment[];
}

export interface SignUpName {
  name: string;
  ifDefault?: string;
  done(): void;
}

function newClientId(): string {
  return crypto.randomUUID();
}

// OPEN_REPORT_MS: how long a room stays open before the server is told it
// is the open one (getState's lastRoomId on every device).
export const OPEN_REPORT_MS = 3000;

export class Chat {
  state: ChatState = initialState;
  status: Status = "offline";
  announcement = "";
  // After the first message this user sends, offer notifications once.
  sentOnce = false;
  private listeners = new Set<() => void>();
  private socket: ChatSocket;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private lastTyping = new Map<string, number>();
  private markSent = new Map<string, number>();
  // The last open room, per account: getState's lastRoomId/lastRoomAt, and
  // the room this client still has to report (markRead {open: true}) once
  // it has stayed open OPEN_REPORT_MS, or sooner when the tab is hidden.
  // Not folded into the markRead sent on scrolling: the record is an item
  // of its own, so that would be a write per switch all the same.
  lastRoom = { roomId: "", at: 0 };
  private openToReport = "";
  private openReported = "";
  private openTimer: ReturnType<typeof setTimeout> | null = null;
  private gapTimers = new Map<string, ReturnType<typeof setTimeout>>();
  // The highest seq a resume answered per room: gaps below it were asked
  // for already (a young one is asked again on the next reconnect).
  private resumedTo = new Map<string, number>();
  private readonly features: ChatFeature[] = [];

  constructor(private readonly env: ChatEnv) {
    this.socket = new ChatSocket(
      { url: env.wsUrl },
      {
        getToken: env.getToken,
        onEvent: (ev) => this.onEvent(ev),
        onStatus: (s) => this.onStatus(s),
        resumePoints: () => resumePoints(this.state),
        changePoints: () => changePoints(this.state),
        pendingSends: () =>
          sendingNow(this.state).map((p) => ({ action: "sendMessage" as const, roomId: p.roomId, clientId: p.clientId, text: p.text, attachments: p.attachments, parentSeq: p.parentSeq, toRoom: p.toRoom, gif: p.gif })),
        deliver: (msg, request) => this.outgoing(msg, request),
        onSendRejected: (clientId, err) =>
          this.dispatch(err.code === "rejected" ? { type: "local/sendRejected", clientId, reason: err.message } : { type: "local/sendFailed", clientId, error: err.message, until: err.until }),
        onAuthLost: env.onAuthLost,
      },
    );
    // Tests and diagnostics read the connection id here.
    const self = this;
    (window as unknown as { backchannel?: unknown }).backchannel = {
      get connectionId() {
        return self.state.connectionId;
      },
      get status() {
        return self.status;
      },
      get state() {
        return self.state;
      },
      // The polls e2e sends a vote the UI no longer offers (a closed poll).
      vote: (roomId: string, seq: number, options: number[]) => self.vote(roomId, seq, options),
    };
  }

  start(): void {
    this.socket.start();
    if (typeof document !== "undefined") {
      document.addEventListener("visibilitychange", this.flushOpen);
      window.addEventListener("pagehide", this.flushOpen);
    }
    this.ticker = setInterval(() => {
      if (Object.values(this.state.typing).some((l) => l.length > 0)) this.dispatch({ type: "local/tick", now: Date.now() });
    }, 1000);
  }

  stop(): void {
    this.socket.stop();
    if (this.openTimer) clearTimeout(this.openTimer);
    if (typeof document !== "undefined") {
      document.removeEventListener("visibilitychange", this.flushOpen);
      window.removeEventListener("pagehide", this.flushOpen);
    }
    if (this.ticker) clearInterval(this.ticker);
    for (const t of this.gapTimers.values()) clearTimeout(t);
    this.gapTimers.clear();
    for (const f of this.features) f.onStop?.();
    this.dispatch({ type: "local/reset" });
  }

  // use plugs a feature in (in order: features hear of things in the order
  // they were added).
  use(feature: ChatFeature): void {
    this.features.push(feature);
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  // emit tells the subscribers something changed (features call it for
  // changes of their own, such as upload progress).
  emit(): void {
    for (const fn of this.listeners) fn();
  }

  dispatch(action: Action): void {
    const next = reduce(this.state, action);
    if (next === this.state) return;
    this.state = next;
    for (const f of this.features) f.onChange?.(this.state);
    this.emit();
  }

  // announce puts a line in the screen reader's live region.
  announce(text: string): void {
    this.announcement = text;
    this.emit();
  }

  private onStatus(s: Status): void {
    this.status = s;
    const active = this.state.activeRoom;
    if (s === "online" && active) {
      this.refreshRoom(active);
      // What resume brought into view while still syncing counts as seen.
      if (this.state.atBottom && document.visibilityState !== "hidden") this.markSeen(active);
    }
    for (const f of this.features) f.onStatus?.(s);
    this.emit();
  }

  // outgoing sends a payload through the first feature that takes it.
  private outgoing(payload: Payload, request: (p: Payload) => Promise<ServerEvent>): Promise<ServerEvent> {
    for (const f of this.features) {
      const p = f.outgoing?.(payload, request);
      if (p) return p;
    }
    return request(payload);
  }

  private onEvent(ev: ServerFrame): void {
    for (const f of this.features) if (f.transform) ev = f.transform(ev);
    const before = this.state;
    this.dispatch(ev);
    if (ev.type === "missed") {
      for (const r of ev.rooms) {
        // Away longer than the change log keeps: reload the room.
        if (r.reset && this.state.activeRoom === r.roomId) this.read({ action: "history", roomId: r.roomId }).catch(() => {});
        const top = r.messages.reduce((max, m) => Math.max(max, m.seq), 0);
        if (top > (this.resumedTo.get(r.roomId) ?? 0)) this.resumedTo.set(r.roomId, top);
      }
    }
    if (ev.type === "message") this.watchGap(ev.message.roomId);
    this.onThreadEvent(ev);
    for (const f of this.features) f.onEvent?.(ev, before);
    if (ev.type === "roomRemoved" && before.activeRoom === ev.roomId) this.emit();
    if (ev.type === "state") {
      this.lastRoom = { roomId: ev.lastRoomId ?? "", at: ev.lastRoomAt ?? 0 };
      this.openReported = ev.lastRoomId ?? "";
      void this.applySignUpName();
    }
  }

  // watchGap: a message past the contiguous mark means one was missed (or
  // is still on its way from another sender). If the gap is still there a
  // moment later, resume that room from the mark. Gaps below what a resume
  // answered already are left alone (they are holes, or writes in flight
  // whose push is coming).
  private watchGap(roomId: string): void {
    if (this.gapTimers.has(roomId)) return;
    const gapped = () => {
      const base = Math.max(this.state.last[roomId] ?? 0, this.resumedTo.get(roomId) ?? 0);
      const above = (this.state.messages[roomId] ?? []).filter((m) => m.seq > base);
      return above.length > 0 && above[above.length - 1].seq - base > above.length;
    };
    if (!gapped()) return;
    this.gapTimers.set(
      roomId,
      setTimeout(() => {
        this.gapTimers.delete(roomId);
        if (gapped() && this.socket.online) {
          this.socket.request({ action: "resume", rooms: { [roomId]: this.state.last[roomId] ?? 0 } }).catch(() => {});
        }
      }, 1500),
    );
  }

  private async applySignUpName(): Promise<void> {
    const source = this.env.signUpName;
    if (!source || !this.state.me) return;
    this.env.signUpName = null;
    let want: SignUpName | null;
    try {
      want = await source();
    } catch {
      this.env.signUpName = source;
      return;
    }
    const me = this.state.me;
    if (!want || !me) return;
    if (!want.name || me.displayName === want.name || (want.ifDefault !== undefined && me.displayName !== want.ifDefault)) {
      want.done();
      return;
    }
    // After the state reply has been handled (the socket is mid-sync).
    setTimeout(() => {
      this.socket
        .request({ action: "updateProfile", displayName: want.name })
        .then(() => want.done())
        .catch(() => {
          this.env.signUpName = source;
        });
    }, 0);
  }

  // ---- threads ----

  private threadsTimer: ReturnType<typeof setTimeout> | null = null;

  // onThreadEvent keeps the threads current: the ack of a reply carries
  // its parent's change (applied as the room's messageUpdated is); a
  // reply in a thread I follow but have not listed (mine, or I am
  // mentioned) lists my threads again; a (re)connect lists them and reloads
  // the open thread; a reply in the open thread is read at once.
  private onThreadEvent(ev: ServerFrame): void {
    if (ev.type === "ack" && ev.parent) this.dispatch({ type: "messageUpdated", message: ev.parent, chg: ev.parentChg });
    if (ev.type === "state") {
      this.listThreads();
      const open = this.state.threads[this.state.openThread];
      if (open) this.read({ action: "threadHistory", roomId: open.roomId, parentSeq: open.parentSeq }).catch(() => {});
    }
    // Another device of mine followed a thread this one has not listed:
    // list them again (read positions and unfollows the reducer applies).
    if (ev.type === "threadFollow" && !ev.requestId && ev.following && !this.state.followed[threadKey(ev.roomId, ev.parentSeq)]) this.listThreadsSoon();
    if (ev.type !== "message" || !ev.message.parentSeq) return;
    const m = ev.message;
    const key = threadKey(m.roomId, m.parentSeq!);
    if (key === this.state.openThread) this.markThreadSeen(m.roomId, m.parentSeq!, m.seq);
    else if (!this.state.followed[key] && m.senderId !== this.state.me?.userId && followsThread(this.state, m)) this.listThreadsSoon();
  }

  // listThreadsSoon lists my threads after a moment (one request for a
  // burst).
  private listThreadsSoon(): void {
    if (this.threadsTimer) clearTimeout(this.threadsTimer);
    this.threadsTimer = setTimeout(() => {
      this.threadsTimer = null;
      this.listThreads();
    }, 300);
  }

  // listThreads asks for the threads I follow (the reply updates state).
  listThreads(): void {
    this.read({ action: "listThreads" }).catch(() => {});
  }

  // openThread shows a thread beside the room: its newest replies, read
  // (focus: a reply to bring into view, a notification's).
  openThread(roomId: string, parentSeq: number, focus?: number): void {
    this.dispatch({ type: "local/openThread", roomId, parentSeq, focus });
    this.read({ action: "threadHistory", roomId, parentSeq })
      .then((ev) => {
        if (ev.type !== "threadHistory") return;
        const last = ev.parent.thread?.lastSeq ?? 0;
        if (last > 0) this.markThreadSeen(roomId, parentSeq, last);
      })
      .catch(() => {});
  }

  closeThread(): void {
    this.dispatch({ type: "local/closeThread" });
  }

  // threadFocused: the open thread's focused reply was shown (or is not
  // there to show).
  threadFocused(): void {
    this.dispatch({ type: "local/threadFocused" });
  }

  async loadOlderReplies(roomId: string, parentSeq: number): Promise<void> {
    const v = this.state.threads[threadKey(roomId, parentSeq)];
    if (!v?.hasMore) return;
    await this.read({ action: "threadHistory", roomId, parentSeq, before: v.before });
  }

  // markThreadSeen moves my read position in a thread I follow.
  markThreadSeen(roomId: string, parentSeq: number, seq: number): void {
    const key = threadKey(roomId, parentSeq);
    const f = this.state.followed[key];
    const v = this.state.threads[key];
    if (!this.socket.online || (!f && !v?.following) || seq <= Math.max(f?.readSeq ?? 0, v?.readSeq ?? 0)) return;
    this.socket.request({ action: "markThreadRead", roomId, parentSeq, seq }).catch(() => {});
  }

  async followThread(roomId: string, parentSeq: number, follow: boolean): Promise<void> {
    await this.socket.request({ action: "followThread", roomId, parentSeq, follow });
    if (follow) this.listThreads();
  }

  // reply sends a reply in a thread (toRoom: also to the room), with the
  // thread composer's finished uploads (text is optional with them).
  reply(roomId: string, parentSeq: number, text: string, toRoom: boolean): void {
    const body = text.trim();
    const slot = threadKey(roomId, parentSeq);
    const files: Attachment[] = this.env.attachments?.attachments(slot) ?? [];
    if (!body && files.length === 0) return;
    const attachments = files.length > 0 ? this.env.attachments!.takeAttachments(slot) : undefined;
    const clientId = newClientId();
    this.dispatch({ type: "local/send", pending: { clientId, roomId, text: body, attachments, parentSeq, toRoom: toRoom || undefined, createdAt: new Date().toISOString(), status: "sending" } });
    this.socket.sendMessage({ roomId });
  }

  // ---- intents ----

  // request sends a request and resolves with its reply.
  request(payload: AnyPayload): Promise<ServerFrame> {
    return this.socket.request(payload as Payload);
  }

  // notify sends a frame that has no reply (dropped while offline).
  notify(payload: AnyPayload): void {
    this.socket.notify(payload as Payload);
  }

  // read sends a read-only request, retrying with backoff while the server
  // says wait (rate limit) or fails transiently. Offline: the reconnect
  // refreshes the open room anyway.
  async read(payload: Payload, tries = 5): Promise<ServerEvent> {
    for (let i = 0; ; i++) {
      try {
        return await this.socket.request(payload);
      } catch (err) {
        const code = err instanceof RequestError ? err.code : "";
        if (i + 1 >= tries || !["rate_limited", "internal", "timeout"].includes(code)) throw err;
        await new Promise((r) => setTimeout(r, 1000 * 2 ** i + Math.random() * 500));
      }
    }
  }

  private refreshRoom(roomId: string): void {
    // Opened at an older message: scrolling down pages the rest in.
    if (!this.state.history[roomId]?.hasMoreAfter) this.read({ action: "history", roomId }).catch(() => {});
    this.read({ action: "listMembers", roomId }).catch(() => {});
  }

  openRoom(roomId: string): void {
    this.dispatch({ type: "local/open", roomId });
    this.scheduleOpenReport(roomId);
    if (!roomId) return;
    const h = this.state.history[roomId];
    if (!h?.loaded && !h?.jumping) this.read({ action: "history", roomId }).catch(() => {});
    if (!this.state.members[roomId]) this.read({ action: "listMembers", roomId }).catch(() => {});
    this.emit();
  }

  setAtBottom(atBottom: boolean): void {
    this.dispatch({ type: "local/atBottom", atBottom });
  }

  // loadOlder fetches the page before the oldest loaded message.
  async loadOlder(roomId: string): Promise<void> {
    const h = this.state.history[roomId];
    if (!h?.hasMore) return;
    await this.read({ action: "history", roomId, before: h.before });
  }

  // jumpTo opens a room at a message (a search result): the page around
  // it replaces what was held; loadOlder and loadNewer page on from there.
  async jumpTo(roomId: string, seq: number): Promise<void> {
    this.dispatch({ type: "local/jump", roomId, seq });
    this.openRoom(roomId);
    await this.read({ action: "history", roomId, around: seq });
  }

  // loadNewer fetches the page after the newest loaded message, while the
  // room was opened at an older one; the last such page makes it live.
  async loadNewer(roomId: string): Promise<void> {
    const h = this.state.history[roomId];
    if (!h?.hasMoreAfter || h.jumping || !h.after) return;
    await this.read({ action: "history", roomId, after: h.after });
  }

  // focused: the focused message was shown.
  focused(roomId: string): void {
    this.dispatch({ type: "local/focused", roomId });
  }

  // search runs a message search (before: the previous page's next).
  // search: one page of results, newest first or by relevance (order).
  async search(query: string, before?: string, order?: "newest" | "relevance"): Promise<SearchResultsEvent> {
    return (await this.socket.request({ action: "search", query, before, limit: 20, order: order === "relevance" ? order : undefined })) as SearchResultsEvent;
  }

  // scheduleOpenReport: report roomId as the open room once it has stayed
  // open OPEN_REPORT_MS, so a quick walk through rooms writes nothing.
  private scheduleOpenReport(roomId: string): void {
    if (this.openTimer) clearTimeout(this.openTimer);
    this.openTimer = null;
    this.openToReport = roomId && roomId !== this.openReported ? roomId : "";
    if (this.openToReport) this.openTimer = setTimeout(() => this.reportOpen(), OPEN_REPORT_MS);
  }

  // flushOpen: the tab is being hidden or closed: report now.
  private flushOpen = (e: Event): void => {
    if (e.type === "pagehide" || document.visibilityState === "hidden") this.reportOpen();
  };

  // reportOpen sends markRead {open: true} for the room still to report,
  // at the read position it has (nothing is marked read by it).
  private reportOpen(): void {
    if (this.openTimer) clearTimeout(this.openTimer);
    this.openTimer = null;
    const roomId = this.openToReport;
    const room = this.state.rooms[roomId];
    if (!roomId || !room || this.state.activeRoom !== roomId || !this.socket.online) return;
    this.openToReport = "";
    this.openReported = roomId;
    this.socket.request({ action: "markRead", roomId, seq: room.readSeq, open: true }).catch(() => {
      if (this.openReported === roomId) this.openReported = "";
    });
  }

  // markSeen: the user has seen the room up to upTo (what was on screen;
  // by default its newest message).
  markSeen(roomId: string, upTo?: number): void {
    const room = this.state.rooms[roomId];
    if (!room || !this.socket.online) return;
    const seq = Math.min(room.lastSeq, upTo ?? room.lastSeq);
    if (seq <= room.readSeq || seq <= (this.markSent.get(roomId) ?? 0)) return;
    this.markSent.set(roomId, seq);
    this.socket.request({ action: "markRead", roomId, seq }).catch(() => this.markSent.delete(roomId));
  }

  // send sends the text with the room's finished uploads (text is optional
  // when there are attachments).
  send(roomId: string, text: string): void {
    const body = text.trim();
    const files: Attachment[] = this.env.attachments?.attachments(roomId) ?? [];
    if (!body && files.length === 0) return;
    const attachments = files.length > 0 ? this.env.attachments!.takeAttachments(roomId) : undefined;
    const clientId = newClientId();
    this.dispatch({ type: "local/send", pending: { clientId, roomId, text: body, attachments, createdAt: new Date().toISOString(), status: "sending" } });
    this.socket.sendMessage({ roomId });
    this.stopTyping(roomId);
    if (!this.sentOnce) {
      this.sentOnce = true;
      this.emit();
    }
  }

  // sendGif sends a GIF chosen from searchGifs' results, as its own message.
  sendGif(roomId: string, gif: Gif): void {
    const clientId = newClientId();
    this.dispatch({ type: "local/send", pending: { clientId, roomId, text: "", gif, createdAt: new Date().toISOString(), status: "sending" } });
    this.socket.sendMessage({ roomId });
    this.stopTyping(roomId);
  }

  // searchGifs asks the server's GIF provider ("" for trending); pos is
  // the previous page's next.
  async searchGifs(query: string, pos?: string): Promise<GifsFrame> {
    return (await this.socket.request({ action: "searchGifs", query, pos: pos || undefined })) as GifsFrame;
  }

  retry(clientId: string): void {
    const p = this.state.pending.find((x) => x.clientId === clientId);
    if (!p) return;
    this.dispatch({ type: "local/retry", clientId });
    this.socket.sendMessage({ roomId: p.roomId });
  }

  // clearRejected forgets the room's rejected message (its notice was
  // dismissed, or the next message was sent).
  clearRejected(roomId: string): void {
    this.dispatch({ type: "local/clearRejected", roomId });
  }

  discard(clientId: string): void {
    this.dispatch({ type: "local/discard", clientId });
  }

  edit(roomId: string, seq: number, text: string): Promise<unknown> {
    return this.outgoing({ action: "editMessage", roomId, seq, text }, (p) => this.socket.request(p));
  }

  remove(roomId: string, seq: number): Promise<unknown> {
    return this.socket.request({ action: "deleteMessage", roomId, seq });
  }

  typing(roomId: string): void {
    const now = Date.now();
    if (now - (this.lastTyping.get(roomId) ?? 0) < TYPING_EVERY_MS) return;
    this.lastTyping.set(roomId, now);
    this.socket.notify({ action: "typing", roomId });
  }

  // stopTyping: the draft was cleared (or sent): the others' "is typing"
  // line goes at once, not after its 4 s expiry.
  stopTyping(roomId: string): void {
    if (!this.lastTyping.has(roomId)) return;
    this.lastTyping.delete(roomId);
    this.socket.notify({ action: "typing", roomId, stopped: true });
  }

  async createChannel(name: string, topic: string, isPrivate: boolean): Promise<string> {
    const r = (await this.socket.request({ action: "createChannel", name, topic: topic || undefined, private: isPrivate })) as RoomFrame;
    return r.room.roomId;
  }

  // listChannels pages through the public channels; with a query it
  // searches them by name and topic (one page, no cursor).
  async listChannels(cursor?: string, query?: string): Promise<{ rooms: Room[]; cursor?: string }> {
    const r = (await this.socket.request({ action: "listChannels", cursor, query: query || undefined })) as ChannelsFrame;
    return { rooms: r.rooms, cursor: r.cursor };
  }

  async joinChannel(roomId: string): Promise<void> {
    await this.socket.request({ action: "joinChannel", roomId });
  }

  async leaveChannel(roomId: string): Promise<void> {
    await this.socket.request({ action: "leaveChannel", roomId });
  }

  async invite(roomId: string, userIds: string[]): Promise<void> {
    // The members reply updates the store like any other frame.
    await this.socket.request({ action: "inviteToChannel", roomId, userIds });
  }

  async updateChannel(roomId: string, name: string | undefined, topic: string | undefined, membersCanPin?: boolean): Promise<void> {
    await this.socket.request({ action: "updateChannel", roomId, name, topic, membersCanPin });
  }

  // ---- reactions, pins, saved messages, edit history ----

  // react adds (on) or removes my reaction; the reply updates the message.
  async react(roomId: string, seq: number, emoji: string, on: boolean): Promise<void> {
    await this.socket.request({ action: "react", roomId, seq, emoji, on });
  }

  // Polls: the replies (ack, messageUpdated) update the message.
  async createPoll(roomId: string, question: string, options: string[], multiple: boolean, anonymous: boolean): Promise<void> {
    await this.socket.request({ action: "createPoll", roomId, clientId: newClientId(), question, options, multiple, anonymous });
  }

  async vote(roomId: string, seq: number, options: number[]): Promise<void> {
    await this.socket.request({ action: "vote", roomId, seq, options });
  }

  async closePoll(roomId: string, seq: number): Promise<void> {
    await this.socket.request({ action: "closePoll", roomId, seq });
  }

  // removePreview removes a link preview of my message (all without url);
  // the reply updates the message.
  async removePreview(roomId: string, seq: number, url?: string): Promise<void> {
    await this.socket.request({ action: "removePreview", roomId, seq, url });
  }

  async pin(roomId: string, seq: number, pinned: boolean): Promise<void> {
    await this.socket.request({ action: "pinMessage", roomId, seq, pinned });
  }

  async listPins(roomId: string): Promise<Message[]> {
    return ((await this.read({ action: "listPins", roomId })) as PinsFrame).messages;
  }

  async save(roomId: string, seq: number, saved: boolean): Promise<void> {
    await this.socket.request({ action: "saveMessage", roomId, seq, saved });
  }

  async listSaved(cursor?: string): Promise<{ items: SavedItem[]; cursor?: string }> {
    const r = (await this.read({ action: "listSaved", cursor })) as SavedItemsFrame;
    return { items: r.items, cursor: r.cursor };
  }

  async versions(roomId: string, seq: number): Promise<MessageVersion[]> {
    return ((await this.read({ action: "messageVersions", roomId, seq })) as VersionsFrame).versions;
  }

  async openDirect(userIds: string[]): Promise<string> {
    const r = (await this.socket.request({ action: "openDirect", userIds })) as RoomFrame;
    return r.room.roomId;
  }

  // listUsers pages through the directory; with a query it searches people
  // by display name and handle (one page, no cursor).
  async listUsers(cursor?: string, query?: string): Promise<{ users: Profile[]; cursor?: string }> {
    const r = (await this.socket.request({ action: "listUsers", cursor, query: query || undefined })) as UsersFrame;
    return { users: r.users, cursor: r.cursor };
  }

  async updateProfile(displayName: string, avatarColor: string): Promise<void> {
    await this.socket.request({ action: "updateProfile", displayName, avatarColor });
  }

  // setHandle claims another handle; a taken or invalid one is refused
  // with the server's reason (and nothing changes).
  async setHandle(handle: string): Promise<void> {
    await this.socket.request({ action: "updateProfile", handle });
  }
}
