// @vitest-environment jsdom
// The muted refusal: the error event's `until` (when the mute ends) reaches
// the UI, which tells it in the reader's local time, never as the raw UTC
// timestamp of the server's message.
import { describe, expect, it, vi } from "vitest";
import { h, render } from "preact";
import { act } from "preact/test-utils";
import { ChatSocket, RequestError, type SocketHooks } from "../../src/api/socket";
import { errorText, refusalText } from "../../src/ui/common/errorText";
import { untilTime } from "../../src/ui/common/untilTime";
import { useSubmit, type Submit } from "../../src/ui/common/useSubmit";
import { AppContext, type AppCtx } from "../../src/ui/common/context";
import { translator } from "../../src/i18n";
import { initialState, reduce } from "../../src/state/store";
import { room, stateFrame } from "../fixtures";

const UNTIL = "2026-11-30T02:28:55Z";
const RAW = `you are muted here until ${UNTIL}`;
const t = translator("en");

// local: "30 Nov, 03:28"-like, computed from the local clock fields, so
// the test holds in any time zone.
function localParts(iso: string) {
  const d = new Date(iso);
  return { hm: `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`, day: String(d.getDate()) };
}

describe("untilTime", () => {
  it("shows the day and the local hour and minute", () => {
    const { hm, day } = localParts(UNTIL);
    const s = untilTime(UNTIL, "en-GB");
    expect(s).toContain(hm);
    expect(s).toContain(day);
    expect(s).toContain("Nov");
    expect(s).not.toContain("T02:28");
  });
});

describe("refusalText and errorText", () => {
  it("tell a muted refusal in local time, not the server's UTC timestamp", () => {
    const text = errorText(new RequestError("forbidden", RAW, UNTIL), t, "en-GB");
    expect(text).toBe(`you are muted in this channel until ${untilTime(UNTIL, "en-GB")}`);
    expect(text).toContain(localParts(UNTIL).hm);
    expect(text).not.toContain(UNTIL);
    expect(translator("de")("mod.mutedError", { time: "x" })).toContain("stummgeschaltet");
  });

  it("keep the server's message without until, without a translator, or with a bad until", () => {
    expect(errorText(new RequestError("forbidden", "you are not a member of #x: join it first"), t, "en")).toBe("you are not a member of #x: join it first");
    expect(errorText(new RequestError("forbidden", RAW, UNTIL))).toBe(RAW);
    expect(refusalText("forbidden", RAW, "not a time", t, "en")).toBe(RAW);
    expect(refusalText("conflict", "name taken", UNTIL, t, "en")).toBe("name taken");
  });
});

describe("a muted send", () => {
  it("rejects with the error's until, which the store keeps beside the message", async () => {
    vi.useFakeTimers();
    try {
      const sockets: { sent: Record<string, unknown>[]; reply(f: object): void; open(): void }[] = [];
      class WS {
        readyState = 0;
        sent: Record<string, unknown>[] = [];
        onopen: ((ev: Event) => void) | null = null;
        onclose: ((ev: CloseEvent) => void) | null = null;
        onmessage: ((ev: MessageEvent) => void) | null = null;
        onerror: ((ev: Event) => void) | null = null;
        constructor() {
          sockets.push(this);
        }
        send(d: string) {
          this.sent.push(JSON.parse(d) as Record<string, unknown>);
        }
        close() {
          this.readyState = 3;
        }
        open() {
          this.readyState = 1;
          this.onopen?.({} as Event);
        }
        reply(f: object) {
          this.onmessage?.({ data: JSON.stringify(f) } as MessageEvent);
        }
      }
      const rejected: RequestError[] = [];
      const pending = [{ action: "sendMessage" as const, roomId: "general", clientId: "k-1", text: "hello" }];
      const hooks: SocketHooks = {
        getToken: async () => "tok",
        onEvent: () => {},
        onStatus: () => {},
        resumePoints: () => ({ general: 1 }),
        pendingSends: () => pending,
        onSendRejected: (_id, err) => rejected.push(err),
      };
      const sock = new ChatSocket({ url: "ws://x", WebSocketImpl: WS as never, random: () => 0.5 }, hooks);
      sock.start();
      await vi.advanceTimersByTimeAsync(0);
      const ws = sockets[0];
      ws.open();
      const last = (a: string) => [...ws.sent].reverse().find((f) => f.action === a)!;
      ws.reply({ type: "state", requestId: last("getState").requestId, connectionId: "c1", me: {}, rooms: [], users: [] });
      await vi.advanceTimersByTimeAsync(0);
      ws.reply({ type: "missed", requestId: last("resume").requestId, rooms: [] });
      await vi.advanceTimersByTimeAsync(0);
      sock.sendMessage(pending[0]);
      await vi.advanceTimersByTimeAsync(0);
      ws.reply({ type: "error", requestId: last("sendMessage").requestId, code: "forbidden", message: RAW, action: "sendMessage", until: UNTIL });
      await vi.advanceTimersByTimeAsync(0);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]).toMatchObject({ code: "forbidden", until: UNTIL });
      sock.stop();
    } finally {
      vi.useRealTimers();
    }

    let s = reduce(initialState, stateFrame([room("g")]));
    s = reduce(s, { type: "local/send", pending: { clientId: "k1", roomId: "g", text: "hi", createdAt: "2026-11-30T02:00:00Z", status: "sending" } });
    s = reduce(s, { type: "local/sendFailed", clientId: "k1", error: RAW, until: UNTIL });
    expect(s.pending[0]).toMatchObject({ status: "failed", error: RAW, errorUntil: UNTIL });
  });
});

describe("useSubmit in the app", () => {
  it("tells a muted refusal (an edit) in local time", async () => {
    const out = {} as { current: Submit };
    const Probe = () => {
      out.current = useSubmit();
      return null;
    };
    const root = document.createElement("div");
    document.body.appendChild(root);
    const app = { t, prefs: { lang: "en-GB" } } as unknown as AppCtx;
    act(() => render(h(AppContext.Provider, { value: app }, h(Probe, null)), root));
    await act(() => out.current.run(() => Promise.reject(new RequestError("forbidden", RAW, UNTIL))));
    expect(out.current.error).toBe(`you are muted in this channel until ${untilTime(UNTIL, "en-GB")}`);
    act(() => render(null, root));
  });
});
