// The widget's state and its conversation with the server as a visitor:
// the session, then the chat socket (the app's ChatSocket: getState +
// resume on every open, reconnect with backoff, an ordered outbox), the
// support conversation (supportStarted / supportConversation), its
// messages, typing and unread count. No DOM here: ui.tsx renders the
// state; the tests drive this with a fake socket.
import type { RateSupportAction, RequestHumanAction, RequestTranscriptAction, SendMessageAction, ServerEvent } from "../src/api/protocol.gen";
import { ChatSocket, RequestError, type Payload, type SocketOptions, type Status } from "../src/api/socket";
import type { VisitorSession } from "./api";
import type { LeaveSupportMessageRequest, Message, StartSupportRequest, SupportConversation, WidgetConfig } from "./wire";

export type Conn = "idle" | Status | "refused";

export interface Pending {
  clientId: string;
  text: string;
  failed?: boolean;
}

export interface WidgetState {
  config: WidgetConfig;
  open: boolean;
  conn: Conn;
  me: string; // the visitor's user id, once connected
  conversation: SupportConversation | null;
  messages: Message[];
  pending: Pending[];
  typing: string; // who is typing ("" nobody)
  unread: number;
  busy: boolean; // a start/leave request in flight
  error: string; // the last failure to show ("" none)
  left: string; // the email a left message will be answered at
  rated: boolean;
  transcript: boolean;
}

type AnyFrame = ServerEvent | { type: string; requestId?: string; [k: string]: unknown };

type SocketLike = Pick<ChatSocket, "start" | "stop" | "request" | "sendMessage" | "notify" | "reconnectNow" | "status">;

export type MakeSocket = (opts: SocketOptions, hooks: ConstructorParameters<typeof ChatSocket>[1]) => SocketLike;

let ids = 0;
const newClientId = () => `w${Date.now().toString(36)}${(ids++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

export class WidgetClient {
  state: WidgetState;
  private socket: SocketLike | null = null;
  private listeners = new Set<() => void>();
  private typingTimer: ReturnType<typeof setTimeout> | null = null;
  private lastTypingSent = 0;
  private historyLoaded = "";

  constructor(
    readonly session: VisitorSession,
    config: WidgetConfig,
    private readonly makeSocket: MakeSocket = (o, h) => new ChatSocket(o, h),
  ) {
    this.state = {
      config,
      open: false,
      conn: "idle",
      me: "",
      conversation: null,
      messages: [],
      pending: [],
      typing: "",
      unread: 0,
      busy: false,
      error: "",
      left: "",
      rated: false,
      transcript: false,
    };
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(patch: Partial<WidgetState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn();
  }

  get roomId(): string {
    return this.state.conversation?.roomId ?? this.session.store.load().roomId ?? "";
  }

  // connect makes the session (the proof of work the first time) and opens
  // the socket; a no-op once started. Failures show as conn "offline"
  // (retried by the socket) or "refused".
  async connect(): Promise<void> {
    if (this.socket || this.state.conn === "refused") return;
    this.set({ conn: "connecting" });
    let wsUrl: string;
    try {
      wsUrl = (await this.session.renew()).wsUrl;
    } catch (err) {
      if (err instanceof RequestError && err.code === "auth") {
        this.refuse(err.message);
        return;
      }
      this.set({ conn: "offline", error: "failedStart" });
      return;
    }
    if (this.socket) return;
    const socket = this.makeSocket(
      { url: wsUrl },
      {
        getToken: (force) => this.session.token(force),
        onEvent: (ev) => this.onEvent(ev as AnyFrame),
        onStatus: (s) => this.onStatus(s),
        resumePoints: () => {
          const last = this.state.messages.at(-1);
          return last && this.roomId ? { [this.roomId]: last.seq } : {};
        },
        pendingSends: () =>
          this.state.pending.filter((p) => !p.failed).map((p): SendMessageAction => ({ action: "sendMessage", roomId: this.roomId, clientId: p.clientId, text: p.text })),
        onSendRejected: (clientId) => this.set({ pending: this.state.pending.map((p) => (p.clientId === clientId ? { ...p, failed: true } : p)) }),
        onAuthLost: (reason) => this.refuse(reason ?? "refused"),
      },
    );
    this.socket = socket;
    socket.start();
  }

  private refuse(reason: string): void {
    this.socket?.stop();
    this.socket = null;
    console.warn(`Backchannel: chat is not available on this site (${reason})`);
    this.set({ conn: "refused" });
  }

  // reidentify: the site identified its visitor: a new session carries it.
  reidentify(): void {
    this.session.forget();
    this.socket?.reconnectNow();
  }

  private onStatus(s: Status): void {
    this.set({ conn: s });
    if (s === "online") void this.loadHistory();
  }

  private async loadHistory(): Promise<void> {
    const roomId = this.roomId;
    if (!roomId || !this.socket || this.historyLoaded === roomId) return;
    this.historyLoaded = roomId;
    try {
      await this.socket.request({ action: "history", roomId });
    } catch {
      this.historyLoaded = "";
    }
    this.readIfOpen();
  }

  private onEvent(ev: AnyFrame): void {
    const f = ev as Record<string, unknown> & { type: string };
    switch (f.type) {
      case "state": {
        // A visitor's state: its own profile, its support rooms and their
        // conversations (state.support).
        const me = (f.me as { userId?: string } | undefined)?.userId ?? "";
        const rooms = (f.rooms as { roomId: string; unread?: number }[] | undefined) ?? [];
        const convs = (f.support as SupportConversation[] | undefined) ?? [];
        const saved = this.session.store.load().roomId;
        const conv =
          convs.find((c) => c.roomId === (this.state.conversation?.roomId ?? saved)) ??
          [...convs].sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? "")).find((c) => c.state !== "closed") ??
          null;
        const patch: Partial<WidgetState> = { me };
        if (conv) {
          const room = rooms.find((r) => r.roomId === conv.roomId);
          if (room && !this.state.open) patch.unread = room.unread ?? 0;
        }
        this.set(patch);
        if (conv) this.setConversation(conv);
        return;
      }
      case "supportStarted":
        this.setConversation(f.conversation as SupportConversation);
        return;
      case "supportConversation": {
        const c = f.conversation as SupportConversation;
        if (!this.state.conversation || c.roomId === this.state.conversation.roomId) this.setConversation(c);
        return;
      }
      case "ack": {
        const m = f.message as Message;
        this.set({ pending: this.state.pending.filter((p) => p.clientId !== f.clientId) });
        this.addMessages([m]);
        return;
      }
      case "message":
      case "messageUpdated": {
        const m = f.message as Message;
        if (m.roomId !== this.roomId) return;
        const fresh = !this.state.messages.some((x) => x.seq === m.seq);
        this.addMessages([m]);
        if (f.type === "message" && fresh && m.senderId !== this.state.me) {
          this.set({ typing: "" });
          if (this.state.open && this.visible()) this.readIfOpen();
          else this.set({ unread: this.state.unread + 1 });
        }
        return;
      }
      case "history":
        if (f.roomId === this.roomId) this.addMessages(f.messages as Message[]);
        return;
      case "missed":
        for (const r of (f.rooms as { roomId: string; messages: Message[]; changed?: Message[] }[]) ?? []) {
          if (r.roomId === this.roomId) this.addMessages([...r.messages, ...(r.changed ?? [])]);
        }
        return;
      case "typing":
        if (f.roomId !== this.roomId || f.userId === this.state.me) return;
        if (this.typingTimer) clearTimeout(this.typingTimer);
        if (f.stopped) {
          this.set({ typing: "" });
          return;
        }
        this.set({ typing: String(f.displayName ?? "") });
        this.typingTimer = setTimeout(() => this.set({ typing: "" }), 6000);
        return;
    }
  }

  private visible(): boolean {
    return typeof document === "undefined" || document.visibilityState !== "hidden";
  }

  private setConversation(c: SupportConversation): void {
    const saved = this.session.store.load();
    if (saved.roomId !== c.roomId) this.session.store.save({ ...saved, roomId: c.roomId });
    const changed = this.state.conversation?.roomId !== c.roomId;
    this.set({ conversation: c, ...(changed ? { messages: [], rated: !!c.rating, transcript: false } : c.rating ? { rated: true } : {}) });
    if (changed) void this.loadHistory();
  }

  private addMessages(ms: Message[]): void {
    if (ms.length === 0) return;
    const bySeq = new Map(this.state.messages.map((m) => [m.seq, m]));
    for (const m of ms) if (m.roomId === this.roomId) bySeq.set(m.seq, m);
    const messages = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    this.set({ messages });
  }

  // setOpen shows or hides the panel; opening starts the session (the
  // proof of work runs while the visitor reads or types) and reads.
  setOpen(open: boolean): void {
    this.set({ open });
    if (open) {
      void this.connect();
      this.readIfOpen();
    }
  }

  private readIfOpen(): void {
    const last = this.state.messages.at(-1);
    if (this.state.open) this.set({ unread: 0 });
    if (!this.state.open || !last || !this.socket || this.state.conn !== "online") return;
    this.socket.request({ action: "markRead", roomId: last.roomId, seq: last.seq }).catch(() => {});
  }

  private async ready(): Promise<SocketLike> {
    await this.connect();
    const s = this.socket;
    if (!s) throw new RequestError("unavailable", "not connected");
    for (let i = 0; i < 300 && this.state.conn !== "online"; i++) {
      if (this.state.conn === "refused") throw new RequestError("auth", "refused");
      await new Promise((r) => setTimeout(r, 100));
    }
    return s;
  }

  // startSupport: the pre-chat form was sent.
  async start(req: Omit<StartSupportRequest, "page">): Promise<void> {
    this.set({ busy: true, error: "" });
    try {
      const s = await this.ready();
      // clientId: the first message's, so a retried start stores it once.
      const res = (await s.request({ action: "startSupport", ...req, page: pageInfo(), clientId: newClientId() })) as unknown as { conversation: SupportConversation };
      this.setConversation(res.conversation);
    } catch {
      this.set({ error: "failedStart" });
    } finally {
      this.set({ busy: false });
    }
  }

  async leaveMessage(req: Omit<LeaveSupportMessageRequest, "page">): Promise<void> {
    this.set({ busy: true, error: "" });
    try {
      const s = await this.ready();
      await s.request({ action: "leaveSupportMessage", ...req, page: pageInfo(), clientId: newClientId() });
      this.set({ left: req.email });
    } catch {
      this.set({ error: "failedStart" });
    } finally {
      this.set({ busy: false });
    }
  }

  send(text: string): void {
    const t = text.trim();
    if (!t || !this.roomId) return;
    this.set({ pending: [...this.state.pending, { clientId: newClientId(), text: t }] });
    this.socket?.sendMessage({ roomId: this.roomId });
  }

  // typed: the visitor typed; the agent sees it (at most every 3 s).
  typed(): void {
    const now = Date.now();
    if (!this.roomId || !this.socket || now - this.lastTypingSent < 3000) return;
    this.lastTypingSent = now;
    this.socket.notify({ action: "typing", roomId: this.roomId });
  }

  private async act(payload: Payload<RequestHumanAction | RateSupportAction | RequestTranscriptAction> | { action: string }): Promise<boolean> {
    try {
      const s = await this.ready();
      await s.request({ roomId: this.roomId, ...payload } as Payload);
      return true;
    } catch {
      return false;
    }
  }

  requestHuman(): Promise<boolean> {
    return this.act({ action: "requestHuman" });
  }

  async rate(score: number, comment: string): Promise<void> {
    if (await this.act({ action: "rateSupport", score, comment: comment || undefined })) this.set({ rated: true });
  }

  async transcript(email?: string): Promise<void> {
    if (await this.act({ action: "requestTranscript", email: email || undefined })) this.set({ transcript: true });
  }

  // newConversation: after a closed one, back to the pre-chat form.
  newConversation(): void {
    const saved = this.session.store.load();
    this.session.store.save({ resumeToken: saved.resumeToken });
    this.historyLoaded = "";
    this.set({ conversation: null, messages: [], pending: [], rated: false, transcript: false, left: "" });
  }
}

export function pageInfo(): { url: string; title: string } {
  try {
    return { url: location.href.slice(0, 2000), title: document.title.slice(0, 200) };
  } catch {
    return { url: "", title: "" };
  }
}
