// The WebSocket connection: connect with the ID token, getState + resume on
// every open, request/reply by requestId with timeouts, a keepalive ping,
// reconnect with capped exponential backoff and full jitter, and re-sending
// unacknowledged messages with their original clientId.
import type { ClientAction, ErrorFrame, MissedFrame, SendMessageAction, ServerEvent, StateFrame } from "./protocol.gen";

export type Status = "connecting" | "online" | "offline";

export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    // until: when the refusal ends, RFC 3339 (the error event's until: a mute).
    readonly until?: string,
  ) {
    super(message);
  }
}

export interface SocketHooks {
  // A valid ID token, refreshed first when it is about to expire, or
  // anyway when force is set (the server kept refusing the current one).
  getToken(force?: boolean): Promise<string>;
  // Every frame the server sends, replies included, in arrival order.
  onEvent(ev: ServerEvent): void;
  onStatus(s: Status): void;
  // After getState was applied: the last seq held per room.
  resumePoints(): Record<string, number>;
  // changePoints: per room, the last change applied (resume replays the
  // changes after it); rooms left out replay none.
  changePoints?(): Record<string, number>;
  // Sends still waiting for an ack, oldest first: each room's are sent one
  // at a time in this order, and re-sent after resume.
  pendingSends(): SendMessageAction[];
  // deliver, when given, sends a pending message in place of request (the
  // e2ee engine encrypts it first, and retries after a stale key); it
  // rejects with a RequestError as request does.
  deliver?(msg: Payload<SendMessageAction>, request: (p: Payload) => Promise<ServerEvent>): Promise<ServerEvent>;
  // A send the server refused for good (not worth retrying).
  onSendRejected?(clientId: string, err: RequestError): void;
  // The token was refused and cannot be refreshed: stop and sign out.
  onAuthLost?(reason?: string): void;
}

type WebSocketLike = Pick<WebSocket, "send" | "close" | "readyState"> & {
  onopen: ((ev: Event) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
};

export interface SocketOptions {
  url: string;
  WebSocketImpl?: new (url: string) => WebSocketLike;
  random?: () => number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  requestTimeoutMs?: number;
  pingIntervalMs?: number;
}

export const DEFAULTS = {
  backoffBaseMs: 500,
  backoffCapMs: 30_000,
  requestTimeoutMs: 15_000,
  pingIntervalMs: 5 * 60_000,
};

// Codes that will fail again if retried unchanged.
// ("rejected": the review hook denied it, or could not check it and the
// deployment fails closed; the person decides what to send instead.)
const FINAL_SEND_CODES = new Set(["invalid", "not_found", "forbidden", "too_large", "rejected"]);

// backoffDelay: full jitter, uniform in [0, min(cap, base * 2^attempt)).
export function backoffDelay(attempt: number, random: () => number, baseMs: number, capMs: number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

interface InFlight {
  resolve(ev: ServerEvent): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

// Payload: an action without its requestId (distributes over the union).
export type Payload<A extends ClientAction = ClientAction> = A extends unknown ? Omit<A, "requestId"> : never;

export class ChatSocket {
  private ws: WebSocketLike | null = null;
  private inFlight = new Map<string, InFlight>();
  private nextId = 1;
  private attempt = 0;
  // Connections that closed without ever opening: the handshake (the
  // token) may be what fails, so every few of them the token is refreshed.
  private failedOpens = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  // freshToken: the server said the token that opened the socket expired
  // ("session_expired"): the next connect forces a token refresh.
  private freshToken = false;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private stopped = true;
  private synced = false;
  // The outbox: per room, the send in flight (at most one).
  private readonly sending = new Map<string, object>();
  private readonly opts: Required<SocketOptions>;
  status: Status = "offline";
  // Exposed for tests and diagnostics: the server's id for this connection.
  connectionId = "";

  constructor(
    opts: SocketOptions,
    private readonly hooks: SocketHooks,
  ) {
    this.opts = {
      WebSocketImpl: globalThis.WebSocket as unknown as new (url: string) => WebSocketLike,
      random: Math.random,
      ...DEFAULTS,
      ...opts,
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    globalThis.addEventListener?.("offline", this.onBrowserOffline);
    globalThis.addEventListener?.("online", this.onBrowserOnline);
    void this.connect();
  }

  // The browser lost the network: a WebSocket can take minutes to notice,
  // so drop it now (pending sends wait, shown as such) ...
  private readonly onBrowserOffline = () => {
    const ws = this.ws;
    if (!ws || this.stopped) return;
    this.dropped(ws, true);
    try {
      ws.close(4001, "offline");
    } catch {
      /* already closing */
    }
  };

  // ... and reconnect at once when it is back.
  private readonly onBrowserOnline = () => {
    if (this.stopped || this.ws) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.attempt = 0;
    void this.connect();
  };

  stop(): void {
    this.stopped = true;
    globalThis.removeEventListener?.("offline", this.onBrowserOffline);
    globalThis.removeEventListener?.("online", this.onBrowserOnline);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const ws = this.ws;
    this.ws = null;
    this.teardown(new RequestError("offline", "stopped"));
    ws?.close(1000, "bye");
    this.setStatus("offline");
  }

  get online(): boolean {
    return this.synced && this.ws?.readyState === 1;
  }

  // request sends an action and resolves with its reply (rejects with a
  // RequestError for an error reply, a timeout, or a lost connection).
  request(payload: Payload, timeoutMs = this.opts.requestTimeoutMs): Promise<ServerEvent> {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return Promise.reject(new RequestError("offline", "not connected"));
    const requestId = `r${this.nextId++}`;
    return new Promise<ServerEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.inFlight.delete(requestId);
        reject(new RequestError("timeout", `${payload.action} timed out`));
      }, timeoutMs);
      this.inFlight.set(requestId, { resolve, reject, timer });
      ws.send(JSON.stringify({ ...payload, requestId }));
    });
  }

  // sendMessage queues a message for its room (it must already be among
  // pendingSends); the ack reaches onEvent. Each room is an ordered outbox:
  // at most one send in flight, the next goes once the previous one is
  // acked or refused for good, so the server stores one client's messages
  // in the order they were sent (API Gateway runs concurrent requests in
  // any order). Transient failures retry the same head later.
  sendMessage(msg: Pick<SendMessageAction, "roomId">): void {
    this.pump(msg.roomId);
  }

  // pump sends the room's oldest pending message unless one is in flight.
  private pump(roomId: string): void {
    if (!this.online || this.sending.has(roomId)) return;
    const head = this.hooks.pendingSends().find((p) => p.roomId === roomId);
    if (!head) return;
    const token = {};
    this.sending.set(roomId, token);
    const done = (next: boolean) => {
      if (this.sending.get(roomId) !== token) return;
      this.sending.delete(roomId);
      if (next) this.pump(roomId);
    };
    const { requestId: _r, ...msg } = head;
    (this.hooks.deliver ? this.hooks.deliver(msg, (p) => this.request(p)) : this.request(msg)).then(
      () => done(true),
      (e: unknown) => {
        const err = e instanceof RequestError ? e : new RequestError("rejected", e instanceof Error ? e.message : String(e));
        if (FINAL_SEND_CODES.has(err.code)) {
          this.hooks.onSendRejected?.(head.clientId, err);
          done(true);
        } else if (err.code === "timeout") {
          // No answer on an open socket: it is probably dead; reconnecting
          // re-sends with the same clientId.
          done(false);
          this.reconnectNow();
        } else if (err.code === "offline") {
          // Re-sent after the next resume.
          done(false);
        } else {
          // rate_limited, internal: the same head again a little later.
          setTimeout(() => done(true), 1000 + Math.floor(this.opts.random() * 2000));
        }
      },
    );
  }

  // Fire-and-forget frames (typing has no reply on success).
  notify(payload: Payload): void {
    if (this.online) this.ws!.send(JSON.stringify(payload));
  }

  // Drop the connection as if the network failed (used by the "reconnect"
  // path after a "connection not registered" error).
  reconnectNow(): void {
    this.ws?.close(4000, "reconnect");
  }

  private setStatus(s: Status): void {
    if (this.status === s) return;
    this.status = s;
    this.hooks.onStatus(s);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setStatus("connecting");
    let token: string;
    try {
      const force = this.freshToken || (this.failedOpens > 0 && this.failedOpens % 3 === 0);
      this.freshToken = false;
      token = await this.hooks.getToken(force);
    } catch (err) {
      if (err instanceof RequestError && err.code === "auth") {
        this.stop();
        this.hooks.onAuthLost?.();
        return;
      }
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) return;
    const sep = this.opts.url.includes("?") ? "&" : "?";
    const ws = new this.opts.WebSocketImpl(`${this.opts.url}${sep}token=${encodeURIComponent(token)}`);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      opened = true;
      this.failedOpens = 0;
      this.pingTimer = setInterval(() => this.ping(), this.opts.pingIntervalMs);
      void this.sync(ws);
    };
    ws.onmessage = (ev) => {
      if (this.ws === ws) this.handleFrame(String(ev.data));
    };
    ws.onerror = () => {
      /* onclose follows and handles it */
    };
    ws.onclose = () => this.dropped(ws, opened);
  }

  // dropped: the connection ws is gone; reconnect (after a backoff).
  private dropped(ws: WebSocketLike, opened: boolean): void {
    if (this.ws !== ws) return;
    this.ws = null;
    if (!opened) this.failedOpens++;
    this.teardown(new RequestError("offline", "connection lost"));
    if (this.stopped) return;
    this.setStatus("offline");
    this.scheduleReconnect();
  }

  private teardown(err: RequestError): void {
    this.synced = false;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    for (const f of this.inFlight.values()) {
      clearTimeout(f.timer);
      f.reject(err);
    }
    this.inFlight.clear();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    // Without a network, wait for the browser's "online" (a slow retry in
    // case that event never comes).
    if (globalThis.navigator?.onLine === false) {
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        void this.connect();
      }, this.opts.backoffCapMs);
      return;
    }
    const delay = backoffDelay(this.attempt++, this.opts.random, this.opts.backoffBaseMs, this.opts.backoffCapMs);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
  }

  // sync: getState, then resume every room from its last seq (50 rooms per
  // request, again while a room hasMore), then re-send pending messages.
  private async sync(ws: WebSocketLike): Promise<void> {
    try {
      const state = (await this.request({ action: "getState" })) as StateFrame;
      this.connectionId = state.connectionId;
      // Terms to accept first: the server answers nothing else until then
      // (terms_required), so the resume waits for the acceptance (the
      // terms gate's dialog, features/terms) on this socket. Its getState
      // held only what the dialog needs (no rooms, people or invitations),
      // so the whole state is asked for once accepted.
      if (state.terms?.required) {
        await this.termsAccepted(ws);
        await this.request({ action: "getState" });
      }
      let points = this.hooks.resumePoints();
      let changes = this.hooks.changePoints?.() ?? {};
      while (Object.keys(points).length > 0) {
        const again: Record<string, number> = {};
        const againChanges: Record<string, number> = {};
        const ids = Object.keys(points);
        for (let i = 0; i < ids.length; i += 50) {
          const batch = ids.slice(i, i + 50);
          const rooms = Object.fromEntries(batch.map((id) => [id, points[id]]));
          const chg = Object.fromEntries(batch.filter((id) => id in changes).map((id) => [id, changes[id]]));
          const missed = (await this.request({ action: "resume", rooms, changes: Object.keys(chg).length ? chg : undefined })) as MissedFrame;
          for (const r of missed.rooms) {
            const top = r.messages.length > 0 ? r.messages[r.messages.length - 1].seq : points[r.roomId];
            if (r.hasMore && r.messages.length > 0) again[r.roomId] = top;
            if (r.changesMore && r.lastChg !== undefined) {
              again[r.roomId] = top;
              againChanges[r.roomId] = r.lastChg;
            }
          }
        }
        points = again;
        changes = againChanges;
      }
      if (this.ws !== ws) return;
      this.synced = true;
      this.attempt = 0;
      this.setStatus("online");
      this.sending.clear();
      for (const roomId of new Set(this.hooks.pendingSends().map((p) => p.roomId))) this.pump(roomId);
    } catch {
      // The connection failed mid-sync: drop it and start over.
      if (this.ws === ws) ws.close(4000, "sync failed");
    }
  }

  private ping(): void {
    this.request({ action: "ping" }).catch((err: RequestError) => {
      if (err.code === "timeout") this.reconnectNow();
    });
  }

  // termsAccepted resolves once a terms frame says nothing is required
  // (the reply to acceptTerms, or another device's acceptance), and never
  // if ws closes first (a reconnect syncs again).
  private termsWaiters: (() => void)[] = [];
  private termsAccepted(ws: WebSocketLike): Promise<void> {
    return new Promise((resolve) => {
      this.termsWaiters.push(() => {
        if (this.ws === ws) resolve();
      });
    });
  }

  private handleFrame(raw: string): void {
    let ev: ServerEvent;
    try {
      ev = JSON.parse(raw) as ServerEvent;
    } catch {
      return;
    }
    if (ev.type === "signedOut") {
      // An admin deactivated this person: the server closes the socket
      // next. Stop for good; reconnecting would be refused.
      this.stop();
      this.hooks.onAuthLost?.(ev.reason);
      return;
    }
    if (ev.type === "terms" && !ev.required) {
      const waiters = this.termsWaiters;
      this.termsWaiters = [];
      for (const w of waiters) w();
    }
    const waiter = ev.requestId ? this.inFlight.get(ev.requestId) : undefined;
    // The store sees every frame, replies included, before the waiter.
    if (ev.type !== "error") this.hooks.onEvent(ev);
    if (ev.type === "error" && (ev as ErrorFrame).code === "forbidden" && /not registered/i.test(ev.message)) {
      this.reconnectNow();
    }
    if (waiter && ev.requestId) {
      this.inFlight.delete(ev.requestId);
      clearTimeout(waiter.timer);
      if (ev.type === "error") waiter.reject(new RequestError(ev.code, ev.message, (ev as ErrorFrame).until));
      else waiter.resolve(ev);
    }
    // New terms were published while this socket was open: sync again, so
    // getState brings the terms to accept (the sync then waits for them).
    if (ev.type === "error" && (ev as ErrorFrame).code === "terms_required" && this.synced) {
      this.reconnectNow();
    }
    // The token that opened this socket has expired: reconnect at once with
    // a fresh one, silently (pending sends are re-sent after the resume).
    if (ev.type === "error" && (ev as ErrorFrame).code === "session_expired") {
      this.freshToken = true;
      this.attempt = 0;
      this.reconnectNow();
    }
  }
}

