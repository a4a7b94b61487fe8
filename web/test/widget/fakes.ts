// Fakes for the widget's tests: a fetch that plays the session routes and
// a WebSocket the test drives as the server.
import { ChatSocket } from "../../src/api/socket";
import type { Store, Saved } from "../../widget/api";
import type { MakeSocket } from "../../widget/client";

export class FakeWS {
  static all: FakeWS[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  constructor(readonly url: string) {
    FakeWS.all.push(this);
  }
  static last(): FakeWS {
    return FakeWS.all[FakeWS.all.length - 1];
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({} as CloseEvent);
  }
  open() {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }
  push(frame: Record<string, unknown>) {
    this.onmessage?.({ data: JSON.stringify(frame) } as MessageEvent);
  }
  // sentOf: the frames sent for action.
  sentOf(action: string) {
    return this.sent.filter((f) => f.action === action);
  }
  // answer replies to the last request for action.
  answer(action: string, frame: Record<string, unknown>) {
    const req = this.sentOf(action).at(-1);
    if (!req) throw new Error(`no ${action} sent; sent: ${this.sent.map((f) => f.action).join(", ")}`);
    this.push({ ...frame, requestId: req.requestId });
  }
}

export const makeFakeSocket: MakeSocket = (opts, hooks) => new ChatSocket({ ...opts, WebSocketImpl: FakeWS, random: () => 0, backoffBaseMs: 1 }, hooks);

export function memStore(init: Saved = {}): Store & { saved: Saved } {
  const s = {
    saved: { ...init },
    load: () => ({ ...s.saved }),
    save: (v: Saved) => {
      s.saved = { ...v };
    },
  };
  return s;
}

export interface Call {
  url: string;
  method: string;
  body: Record<string, unknown>;
}

// fakeFetch answers the session routes like the server: a challenge of
// difficulty 4, a session for a solved one or a known resume token.
export function fakeFetch(opts: { refuse?: boolean; resumeOk?: boolean; config?: unknown } = {}) {
  const calls: Call[] = [];
  let n = 0;
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  const fetchImpl = async (url: string, init?: RequestInit) => {
    const body = init?.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : {};
    calls.push({ url, method: init?.method ?? "GET", body });
    if (opts.refuse) return json(403, { error: { code: "forbidden", message: "origin not allowed" } });
    if (url.endsWith("/config")) return json(200, opts.config ?? { languages: ["en", "de"], preChat: ["name"] });
    if (url.endsWith("/challenge")) return json(200, { challenge: "ch.1", difficulty: 4, expiresAt: "2099-01-01T00:00:00Z" });
    if (url.endsWith("/session")) {
      if (body.resumeToken && !opts.resumeOk && !body.reopenToken) return json(401, { error: { code: "unauthorized", message: "expired" } });
      n++;
      return json(200, { token: `T${n}`, expiresAt: new Date(Date.now() + 3600_000).toISOString(), visitorId: "vis_1", resumeToken: `R${n}`, wsUrl: "wss://gw.example/ws" });
    }
    return json(404, {});
  };
  return { calls, fetchImpl };
}
