import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffDelay, ChatSocket, RequestError, type SocketHooks } from "../../src/api/socket";
import type { SendMessageAction, ServerEvent } from "../../src/api/protocol.gen";

// FakeWebSocket records what the client sends and lets the test play the
// server: open, answer frames, close.
class FakeWebSocket {
  static all: FakeWebSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  constructor(readonly url: string) {
    FakeWebSocket.all.push(this);
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
  reply(frame: Record<string, unknown>) {
    this.onmessage?.({ data: JSON.stringify(frame) } as MessageEvent);
  }
  last(action: string) {
    return [...this.sent].reverse().find((f) => f.action === action);
  }
}

const flush = () => vi.advanceTimersByTimeAsync(0);

function setup(over: Partial<SocketHooks> = {}, random = () => 0.5) {
  const events: ServerEvent[] = [];
  const pending: SendMessageAction[] = [];
  let points: Record<string, number> = { general: 41, d_x: 3 };
  const hooks: SocketHooks = {
    getToken: vi.fn(async () => "tok"),
    onEvent: (ev) => events.push(ev),
    onStatus: vi.fn(),
    resumePoints: () => points,
    pendingSends: () => pending,
    ...over,
  };
  const sock = new ChatSocket({ url: "ws://x/local", WebSocketImpl: FakeWebSocket as never, random }, hooks);
  return { sock, hooks, events, pending, setPoints: (p: Record<string, number>) => (points = p) };
}

// handshake plays getState and an empty resume on the newest socket.
async function handshake(missed: unknown[] = []) {
  await flush();
  const ws = FakeWebSocket.all[FakeWebSocket.all.length - 1];
  ws.open();
  const gs = ws.last("getState")!;
  ws.reply({ type: "state", requestId: gs.requestId, connectionId: "c1", me: {}, rooms: [], users: [] });
  await flush();
  const rs = ws.last("resume")!;
  ws.reply({ type: "missed", requestId: rs.requestId, rooms: missed });
  await flush();
  return ws;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.all = [];
});
afterEach(() => vi.useRealTimers());

describe("backoffDelay", () => {
  it("grows exponentially, is capped, and is jittered over [0, ceiling)", () => {
    expect(backoffDelay(0, () => 0.999, 500, 30_000)).toBe(499);
    expect(backoffDelay(3, () => 0.999, 500, 30_000)).toBe(3996);
    expect(backoffDelay(20, () => 0.999, 500, 30_000)).toBe(29_970);
    expect(backoffDelay(20, () => 0, 500, 30_000)).toBe(0);
    expect(backoffDelay(5, () => 0.25, 500, 30_000)).toBe(4000);
  });
});

describe("ChatSocket", () => {
  it("connects with the token, sends getState then resume with the last seqs, goes online", async () => {
    const { sock, hooks } = setup();
    sock.start();
    await flush();
    const ws = FakeWebSocket.all[0];
    expect(ws.url).toBe("ws://x/local?token=tok");
    ws.open();
    expect(ws.sent.map((f) => f.action)).toEqual(["getState"]);
    ws.reply({ type: "state", requestId: ws.sent[0].requestId, connectionId: "c1", me: {}, rooms: [], users: [] });
    await flush();
    expect(ws.last("resume")!.rooms).toEqual({ general: 41, d_x: 3 });
    ws.reply({ type: "missed", requestId: ws.last("resume")!.requestId, rooms: [] });
    await flush();
    expect(sock.online).toBe(true);
    expect(sock.connectionId).toBe("c1");
    expect(hooks.onStatus).toHaveBeenLastCalledWith("online");
  });

  it("keeps resuming a room while hasMore, from the last seq received", async () => {
    const { sock } = setup();
    sock.start();
    await flush();
    const ws = FakeWebSocket.all[0];
    ws.open();
    ws.reply({ type: "state", requestId: ws.sent[0].requestId, connectionId: "c1", me: {}, rooms: [], users: [] });
    await flush();
    ws.reply({
      type: "missed",
      requestId: ws.last("resume")!.requestId,
      rooms: [
        { roomId: "general", hasMore: true, messages: [{ seq: 42 }, { seq: 141 }] },
        { roomId: "d_x", hasMore: false, messages: [] },
      ],
    });
    await flush();
    expect(ws.last("resume")!.rooms).toEqual({ general: 141 });
  });

  it("sends the change positions with resume and resumes again while changesMore, from the reply's lastChg", async () => {
    const { sock } = setup({ changePoints: () => ({ general: 17, d_x: 0 }) });
    sock.start();
    await flush();
    const ws = FakeWebSocket.all[0];
    ws.open();
    ws.reply({ type: "state", requestId: ws.sent[0].requestId, connectionId: "c1", me: {}, rooms: [], users: [] });
    await flush();
    const first = ws.last("resume")!;
    expect(first.rooms).toEqual({ general: 41, d_x: 3 });
    expect(first.changes).toEqual({ general: 17, d_x: 0 });
    ws.reply({
      type: "missed",
      requestId: first.requestId,
      rooms: [
        { roomId: "general", hasMore: false, messages: [{ seq: 42 }], changed: [], lastChg: 117, changesMore: true },
        { roomId: "d_x", hasMore: false, messages: [], lastChg: 0 },
      ],
    });
    await flush();
    const second = ws.last("resume")!;
    expect(second.rooms).toEqual({ general: 42 });
    expect(second.changes).toEqual({ general: 117 });
    ws.reply({ type: "missed", requestId: second.requestId, rooms: [{ roomId: "general", hasMore: false, messages: [], lastChg: 130 }] });
    await flush();
    expect(sock.online).toBe(true);
  });

  it("reconnects with growing, capped, jittered backoff after each close", async () => {
    const { sock } = setup({}, () => 0.999);
    sock.start();
    await flush();
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      const n = FakeWebSocket.all.length;
      FakeWebSocket.all[n - 1].close();
      // Find the smallest wait after which a new socket appears.
      let waited = 0;
      while (FakeWebSocket.all.length === n) {
        await vi.advanceTimersByTimeAsync(100);
        waited += 100;
        expect(waited).toBeLessThanOrEqual(30_000);
      }
      delays.push(waited);
    }
    expect(delays.slice(0, 4)).toEqual([500, 1000, 2000, 4000]);
    expect(delays[8]).toBe(30_000);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]);
  });

  it("resets the backoff once a connection synced", async () => {
    const { sock } = setup({}, () => 0.999);
    sock.start();
    await flush();
    FakeWebSocket.all[0].close();
    await vi.advanceTimersByTimeAsync(500);
    FakeWebSocket.all[1].close();
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeWebSocket.all).toHaveLength(3);
    await handshake();
    FakeWebSocket.all[2].close();
    await vi.advanceTimersByTimeAsync(498);
    expect(FakeWebSocket.all).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWebSocket.all).toHaveLength(4);
  });

  it("re-sends unacknowledged messages after resume with the same clientId", async () => {
    const { sock, pending } = setup();
    sock.start();
    const first = await handshake();
    pending.push({ action: "sendMessage", roomId: "general", clientId: "k-1", text: "hello" });
    sock.sendMessage(pending[0]);
    expect(first.last("sendMessage")).toMatchObject({ clientId: "k-1", text: "hello" });
    first.close(); // no ack: the message stays pending
    await vi.advanceTimersByTimeAsync(30_000);
    const second = await handshake();
    const resent = second.sent.filter((f) => f.action === "sendMessage");
    expect(resent).toHaveLength(1);
    expect(resent[0]).toMatchObject({ clientId: "k-1", roomId: "general", text: "hello" });
    // The re-send comes after getState and resume.
    expect(second.sent.map((f) => f.action)).toEqual(["getState", "resume", "sendMessage"]);
  });

  it("gives up on a send the review hook rejected, and sends the next", async () => {
    const onSendRejected = vi.fn();
    const { sock, pending } = setup({ onSendRejected });
    sock.start();
    const ws = await handshake();
    pending.push({ action: "sendMessage", roomId: "general", clientId: "r-1", text: "card 4111 1111 1111 1111" });
    pending.push({ action: "sendMessage", roomId: "general", clientId: "r-2", text: "fine" });
    sock.sendMessage({ roomId: "general" });
    const f = ws.last("sendMessage")!;
    pending.shift(); // the hook takes it out of the pending sends
    ws.reply({ type: "error", requestId: f.requestId, code: "rejected", message: "No card numbers here." });
    await flush();
    expect(onSendRejected).toHaveBeenCalledWith("r-1", expect.objectContaining({ code: "rejected", message: "No card numbers here." }));
    expect(ws.sent.filter((x) => x.action === "sendMessage").map((x) => x.clientId)).toEqual(["r-1", "r-2"]);
  });

  it("sends one room's messages one at a time, in order, the next after the ack", async () => {
    const { sock, pending } = setup();
    sock.start();
    const ws = await handshake();
    for (const id of ["k-1", "k-2", "k-3"]) {
      pending.push({ action: "sendMessage", roomId: "general", clientId: id, text: id });
      sock.sendMessage({ roomId: "general" });
    }
    pending.push({ action: "sendMessage", roomId: "d_x", clientId: "d-1", text: "dm" });
    sock.sendMessage({ roomId: "d_x" });
    const sends = () => ws.sent.filter((f) => f.action === "sendMessage").map((f) => f.clientId);
    // One in flight per room (rooms are independent).
    expect(sends()).toEqual(["k-1", "d-1"]);
    const ack = (clientId: string, roomId = "general") => {
      const f = ws.sent.find((x) => x.action === "sendMessage" && x.clientId === clientId)!;
      pending.splice(pending.findIndex((p) => p.clientId === clientId), 1);
      ws.reply({ type: "ack", requestId: f.requestId, clientId, message: { roomId, seq: 1, clientId } });
    };
    ack("k-1");
    await flush();
    expect(sends()).toEqual(["k-1", "d-1", "k-2"]);
    // A rate-limited head is retried later, and nothing overtakes it.
    const k2 = ws.sent.find((x) => x.clientId === "k-2")!;
    ws.reply({ type: "error", requestId: k2.requestId, code: "rate_limited", message: "slow down" });
    await vi.advanceTimersByTimeAsync(500);
    expect(sends()).toEqual(["k-1", "d-1", "k-2"]);
    await vi.advanceTimersByTimeAsync(3000);
    expect(sends()).toEqual(["k-1", "d-1", "k-2", "k-2"]);
    const k2b = [...ws.sent].reverse().find((x) => x.clientId === "k-2")!;
    pending.splice(pending.findIndex((p) => p.clientId === "k-2"), 1);
    ws.reply({ type: "ack", requestId: k2b.requestId, clientId: "k-2", message: { roomId: "general", seq: 2, clientId: "k-2" } });
    await flush();
    expect(sends()).toEqual(["k-1", "d-1", "k-2", "k-2", "k-3"]);
  });

  it("correlates replies by requestId and passes them to onEvent too", async () => {
    const { sock, events } = setup();
    sock.start();
    const ws = await handshake();
    const p = sock.request({ action: "listChannels" });
    const req = ws.last("listChannels")!;
    ws.reply({ type: "message", message: { roomId: "general", seq: 1 } });
    ws.reply({ type: "channels", requestId: req.requestId, rooms: [] });
    await expect(p).resolves.toMatchObject({ type: "channels" });
    expect(events.map((e) => e.type)).toContain("channels");
  });

  it("rejects on an error reply with its code, and on timeout", async () => {
    const { sock } = setup();
    sock.start();
    const ws = await handshake();
    const p1 = sock.request({ action: "joinChannel", roomId: "c_1" });
    ws.reply({ type: "error", requestId: ws.last("joinChannel")!.requestId, code: "not_found", message: "no such room" });
    await expect(p1).rejects.toMatchObject({ code: "not_found" });
    const p2 = sock.request({ action: "listUsers" }, 1000);
    const check = expect(p2).rejects.toMatchObject({ code: "timeout" });
    await vi.advanceTimersByTimeAsync(1000);
    await check;
  });

  it("rejects in-flight requests when the connection drops", async () => {
    const { sock } = setup();
    sock.start();
    const ws = await handshake();
    const p = sock.request({ action: "listUsers" });
    const check = expect(p).rejects.toMatchObject({ code: "offline" });
    ws.close();
    await check;
  });

  it("pings every 5 minutes and reconnects when a ping goes unanswered", async () => {
    const { sock } = setup();
    sock.start();
    const ws = await handshake();
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    const ping = ws.last("ping")!;
    expect(ping).toBeTruthy();
    ws.reply({ type: "pong", requestId: ping.requestId, time: 1 });
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(ws.sent.filter((f) => f.action === "ping")).toHaveLength(2);
    expect(ws.readyState).toBe(1);
    await vi.advanceTimersByTimeAsync(15_000); // second ping unanswered
    expect(ws.readyState).toBe(3);
  });

  it("asks for a token on every connect, so an expiring one is refreshed first", async () => {
    const tokens = ["a", "b"];
    const { sock, hooks } = setup({ getToken: vi.fn(async () => tokens.shift()!) });
    sock.start();
    await handshake();
    FakeWebSocket.all[0].close();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(FakeWebSocket.all[1].url).toBe("ws://x/local?token=b");
    expect(hooks.getToken).toHaveBeenCalledTimes(2);
  });

  it("stops and reports when the session cannot be refreshed", async () => {
    const onAuthLost = vi.fn();
    const { sock } = setup({ getToken: vi.fn(async () => Promise.reject(new RequestError("auth", "refresh refused"))), onAuthLost });
    sock.start();
    await flush();
    expect(onAuthLost).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.all).toHaveLength(0);
  });

  it("forces a token refresh when connections keep failing before they open", async () => {
    const getToken = vi.fn(async (force?: boolean) => (force ? "fresh" : "stale"));
    setup({ getToken }).sock.start();
    for (let i = 0; i < 3; i++) {
      await flush();
      FakeWebSocket.all[FakeWebSocket.all.length - 1].close(); // refused handshake: never opened
      await vi.advanceTimersByTimeAsync(30_000);
    }
    expect(getToken.mock.calls.map((c) => !!c[0])).toEqual([false, false, false, true]);
    expect(FakeWebSocket.all[3].url).toBe("ws://x/local?token=fresh");
  });

  it("reconnects with a freshly refreshed token when the server says session_expired", async () => {
    const getToken = vi.fn(async (force?: boolean) => (force ? "fresh" : "tok"));
    const { sock, hooks } = setup({ getToken });
    sock.start();
    const ws = await handshake();
    expect(sock.online).toBe(true);
    const p = sock.request({ action: "listChannels" }).catch((e: RequestError) => e);
    const req = ws.last("listChannels")!;
    ws.reply({ type: "error", requestId: req.requestId, code: "session_expired", message: "your sign-in expired" });
    expect(((await p) as RequestError).code).toBe("session_expired");
    await vi.advanceTimersByTimeAsync(600);
    expect(getToken).toHaveBeenLastCalledWith(true);
    const ws2 = FakeWebSocket.all[FakeWebSocket.all.length - 1];
    expect(ws2).not.toBe(ws);
    expect(ws2.url).toBe("ws://x/local?token=fresh");
    expect(hooks.onAuthLost).toBeUndefined();
  });
  it("waits with the resume while terms must be accepted, asks the whole state once accepted, and syncs again when terms_required comes later", async () => {
    const { sock } = setup();
    sock.start();
    await flush();
    const ws = FakeWebSocket.all[0];
    ws.open();
    ws.reply({ type: "state", requestId: ws.last("getState")!.requestId, connectionId: "c1", me: {}, rooms: [], users: [], terms: { version: "2", accepted: "1", required: true } });
    await flush();
    expect(ws.last("resume")).toBeUndefined(); // the server would refuse it
    const p = sock.request({ action: "acceptTerms", version: "2" });
    const gated = ws.last("getState")!;
    ws.reply({ type: "terms", requestId: ws.last("acceptTerms")!.requestId, version: "2", accepted: "2", required: false });
    await p;
    await flush();
    // The gated state held no rooms: the whole one is asked for, then the resume.
    const full = ws.last("getState")!;
    expect(full.requestId).not.toBe(gated.requestId);
    expect(ws.last("resume")).toBeUndefined();
    ws.reply({ type: "state", requestId: full.requestId, connectionId: "c1", me: {}, rooms: [], users: [], terms: { version: "2", accepted: "2", required: false } });
    await flush();
    ws.reply({ type: "missed", requestId: ws.last("resume")!.requestId, rooms: [] });
    await flush();
    expect(sock.online).toBe(true);

    // A deployment with newer terms while the socket is open: sync again.
    const q = sock.request({ action: "listChannels" }).catch((e: RequestError) => e);
    ws.reply({ type: "error", requestId: ws.last("listChannels")!.requestId, code: "terms_required", message: "accept the terms" });
    expect(((await q) as RequestError).code).toBe("terms_required");
    await vi.advanceTimersByTimeAsync(600);
    expect(FakeWebSocket.all.length).toBe(2);
  });
});
