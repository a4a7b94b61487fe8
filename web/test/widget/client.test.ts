// The widget's client against a fake server socket: start, the
// conversation's states, messages both ways, unread, typing, rating,
// transcript, leave a message, and resume after a reconnect.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { VisitorSession } from "../../widget/api";
import { WidgetClient } from "../../widget/client";
import { FakeWS, fakeFetch, makeFakeSocket, memStore } from "./fakes";

const msg = (seq: number, senderId: string, text: string, extra: Record<string, unknown> = {}) => ({
  roomId: "sup_1",
  seq,
  clientId: `c${seq}`,
  senderId,
  senderName: senderId === "vis_1" ? "Ann" : "Bob",
  text,
  createdAt: "2026-11-30T18:00:00Z",
  ...extra,
});

async function online(store = memStore()) {
  const { fetchImpl, calls } = fakeFetch();
  const session = new VisitorSession("https://chat.example/widget/v1/wid_demo", store, fetchImpl);
  const client = new WidgetClient(session, { preChat: ["name"], languages: ["en"] }, makeFakeSocket);
  client.setOpen(true);
  await vi.waitFor(() => expect(FakeWS.all).toHaveLength(1));
  const ws = FakeWS.last();
  expect(ws.url).toBe("wss://gw.example/ws?token=T1");
  ws.open();
  return { client, ws, store, calls };
}

beforeEach(() => {
  FakeWS.all = [];
  vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

describe("widget client", () => {
  it("starts a conversation with the pre-chat fields and page, then chats", async () => {
    const { client, ws, store } = await online();
    ws.answer("getState", { type: "state", connectionId: "k1", me: { userId: "vis_1" }, rooms: [] });
    await vi.waitFor(() => expect(client.state.conn).toBe("online"));

    const started = client.start({ name: "Ann", lang: "en", text: "Where is my order?" });
    await vi.waitFor(() => expect(ws.sentOf("startSupport")).toHaveLength(1));
    const req = ws.sentOf("startSupport")[0];
    expect(req).toMatchObject({ name: "Ann", lang: "en", text: "Where is my order?", page: { url: expect.any(String), title: expect.any(String) } });
    ws.answer("startSupport", { type: "supportStarted", conversation: { roomId: "sup_1", state: "queued" }, room: { roomId: "sup_1" } });
    await started;
    expect(client.state.conversation?.state).toBe("queued");
    expect(store.saved.roomId).toBe("sup_1");
    await vi.waitFor(() => expect(ws.sentOf("history")).toEqual([expect.objectContaining({ roomId: "sup_1" })]));
    ws.answer("history", { type: "history", roomId: "sup_1", messages: [msg(1, "vis_1", "Where is my order?")], hasMore: false });
    expect(client.state.messages.map((m) => m.text)).toEqual(["Where is my order?"]);

    // an agent claims it: the event names the agent
    ws.push({ type: "supportConversation", conversation: { roomId: "sup_1", state: "open", assigneeId: "u_bob", assigneeName: "Bob" } });
    expect(client.state.conversation).toMatchObject({ state: "open", assigneeName: "Bob" });

    // the agent types and writes; the panel is open, so it is read
    ws.push({ type: "typing", roomId: "sup_1", userId: "u_bob", displayName: "Bob" });
    expect(client.state.typing).toBe("Bob");
    ws.push({ type: "message", message: msg(2, "u_bob", "Let me check.") });
    expect(client.state.typing).toBe("");
    expect(client.state.unread).toBe(0);
    expect(ws.sentOf("markRead").at(-1)).toMatchObject({ roomId: "sup_1", seq: 2 });

    // the visitor answers: pending until acked
    client.send("  thanks  ");
    expect(client.state.pending.map((p) => p.text)).toEqual(["thanks"]);
    const send = ws.sentOf("sendMessage")[0];
    expect(send).toMatchObject({ roomId: "sup_1", text: "thanks" });
    ws.answer("sendMessage", { type: "ack", clientId: send.clientId, message: msg(3, "vis_1", "thanks", { clientId: send.clientId }), delivered: 1 });
    expect(client.state.pending).toEqual([]);
    expect(client.state.messages.map((m) => m.seq)).toEqual([1, 2, 3]);

    // typing is throttled
    client.typed();
    client.typed();
    expect(ws.sentOf("typing")).toHaveLength(1);

    // closed panel: a new message counts as unread
    client.setOpen(false);
    ws.push({ type: "message", message: msg(4, "u_bob", "Shipped today.") });
    expect(client.state.unread).toBe(1);
    client.setOpen(true);
    expect(client.state.unread).toBe(0);
  });

  it("bot first: talk to a person; after close: rating and transcript; then a new conversation", async () => {
    const { client, ws, store } = await online(memStore({ roomId: "sup_1" }));
    ws.answer("getState", {
      type: "state",
      connectionId: "k1",
      me: { userId: "vis_1" },
      rooms: [{ roomId: "sup_1", kind: "support", lastSeq: 0, unread: 0 }],
      support: [{ roomId: "sup_1", state: "bot" }],
    });
    await vi.waitFor(() => expect(client.state.conn).toBe("online"));
    expect(client.state.conversation?.state).toBe("bot");
    const human = client.requestHuman();
    await vi.waitFor(() => expect(ws.sentOf("requestHuman")).toEqual([expect.objectContaining({ roomId: "sup_1" })]));
    ws.answer("requestHuman", { type: "supportConversation", conversation: { roomId: "sup_1", state: "queued" } });
    expect(await human).toBe(true);
    expect(client.state.conversation?.state).toBe("queued");

    ws.push({ type: "supportConversation", conversation: { roomId: "sup_1", state: "closed" } });
    const rated = client.rate(5, "great");
    await vi.waitFor(() => expect(ws.sentOf("rateSupport")).toEqual([expect.objectContaining({ roomId: "sup_1", score: 5, comment: "great" })]));
    ws.answer("rateSupport", { type: "supportConversation", conversation: { roomId: "sup_1", state: "closed", rating: { score: 5 } } });
    await rated;
    expect(client.state.rated).toBe(true);

    const tr = client.transcript("ann@example.com");
    await vi.waitFor(() => expect(ws.sentOf("requestTranscript")).toHaveLength(1));
    expect(ws.sentOf("requestTranscript")[0]).toMatchObject({ roomId: "sup_1", email: "ann@example.com" });
    ws.answer("requestTranscript", { type: "ok" });
    await tr;
    expect(client.state.transcript).toBe(true);

    client.newConversation();
    expect(client.state.conversation).toBeNull();
    expect(store.saved.roomId).toBeUndefined();
    expect(store.saved.resumeToken).toBe("R1");
  });

  it("leaves a message with an email when nobody can answer", async () => {
    const { client, ws } = await online();
    ws.answer("getState", { type: "state", connectionId: "k1", me: { userId: "vis_1" }, rooms: [] });
    const left = client.leaveMessage({ email: "ann@example.com", name: "Ann", text: "Call me back" });
    await vi.waitFor(() => expect(ws.sentOf("leaveSupportMessage")).toHaveLength(1));
    expect(ws.sentOf("leaveSupportMessage")[0]).toMatchObject({ email: "ann@example.com", text: "Call me back", page: { url: expect.any(String) } });
    ws.answer("leaveSupportMessage", { type: "supportConversation", conversation: { roomId: "sup_2", state: "queued", channel: "email" } });
    await left;
    expect(client.state.left).toBe("ann@example.com");
  });

  it("resumes from the last message after a reconnect, and re-sends what was not acked", async () => {
    const { client, ws } = await online(memStore({ roomId: "sup_1" }));
    ws.answer("getState", { type: "state", connectionId: "k1", me: { userId: "vis_1" }, rooms: [{ roomId: "sup_1" }], support: [{ roomId: "sup_1", state: "open" }] });
    await vi.waitFor(() => expect(ws.sentOf("history")).toHaveLength(1));
    ws.answer("history", { type: "history", roomId: "sup_1", messages: [msg(1, "vis_1", "a"), msg(2, "u_bob", "b")], hasMore: false });
    client.send("lost?");
    const first = ws.sentOf("sendMessage")[0];
    ws.close();
    await vi.waitFor(() => expect(FakeWS.all).toHaveLength(2));
    const ws2 = FakeWS.last();
    ws2.open();
    ws2.answer("getState", { type: "state", connectionId: "k2", me: { userId: "vis_1" }, rooms: [{ roomId: "sup_1" }], support: [{ roomId: "sup_1", state: "open" }] });
    await vi.waitFor(() => expect(ws2.sentOf("resume")).toHaveLength(1));
    expect(ws2.sentOf("resume")[0]).toMatchObject({ rooms: { sup_1: 2 } });
    ws2.answer("resume", { type: "missed", rooms: [{ roomId: "sup_1", messages: [msg(3, "u_bob", "while you were away")], hasMore: false }] });
    await vi.waitFor(() => expect(ws2.sentOf("sendMessage")).toHaveLength(1));
    expect(ws2.sentOf("sendMessage")[0].clientId).toBe(first.clientId);
    expect(client.state.messages.map((m) => m.text)).toEqual(["a", "b", "while you were away"]);
  });

  it("a refused session hides the widget and says why in the console", async () => {
    const { fetchImpl } = fakeFetch({ refuse: true });
    const client = new WidgetClient(new VisitorSession("https://x/widget/v1/wid_demo", memStore(), fetchImpl), {}, makeFakeSocket);
    client.setOpen(true);
    await vi.waitFor(() => expect(client.state.conn).toBe("refused"));
    expect(console.warn).toHaveBeenCalledWith(expect.stringMatching(/not available on this site/));
    expect(FakeWS.all).toHaveLength(0);
  });
});
