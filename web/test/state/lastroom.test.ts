// @vitest-environment jsdom
// The last open room follows the account: the client reports a room once it
// stayed open OPEN_REPORT_MS (not on every switch), and on reopening picks
// the newer of the account's record and this browser's.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Chat, OPEN_REPORT_MS } from "../../src/state/chat";
import { pickLastRoom } from "../../src/ui/shell/ChatShell";
import { room, stateFrame } from "../fixtures";

function chatWithFakeSocket() {
  const chat = new Chat({ wsUrl: "ws://127.0.0.1:1", getToken: async () => "t", onAuthLost() {} });
  const sent: Record<string, unknown>[] = [];
  const socket = { online: true, request: vi.fn(async (r: Record<string, unknown>) => (sent.push(r), {})), read: vi.fn(async () => ({})), start() {}, stop() {} };
  (chat as unknown as { socket: unknown }).socket = socket;
  (chat as unknown as { read: unknown }).read = async () => ({});
  const frame = { ...stateFrame([room("general", { lastSeq: 5, readSeq: 5 }), room("ops", { lastSeq: 9, readSeq: 7 }), room("dev")]), lastRoomId: "dev", lastRoomAt: 1000 };
  (chat as unknown as { onEvent(ev: unknown): void }).onEvent(frame);
  return { chat, sent: () => sent.filter((r) => r.action === "markRead" && r.open) };
}

describe("last open room", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("reads the account's record from getState", () => {
    const { chat } = chatWithFakeSocket();
    expect(chat.lastRoom).toEqual({ roomId: "dev", at: 1000 });
  });

  it("reports a room only once it stayed open, at its read position", () => {
    const { chat, sent } = chatWithFakeSocket();
    chat.openRoom("general");
    vi.advanceTimersByTime(OPEN_REPORT_MS / 2);
    chat.openRoom("ops");
    vi.advanceTimersByTime(OPEN_REPORT_MS / 2);
    expect(sent()).toEqual([]); // a walk through rooms: no write
    vi.advanceTimersByTime(OPEN_REPORT_MS);
    expect(sent()).toEqual([{ action: "markRead", roomId: "ops", seq: 7, open: true }]);
    // Reopening the reported room, or the account's record, sends nothing.
    chat.openRoom("general");
    chat.openRoom("ops");
    vi.advanceTimersByTime(OPEN_REPORT_MS * 2);
    expect(sent()).toHaveLength(1);
  });

  it("reports at once when the tab is hidden", () => {
    const { chat, sent } = chatWithFakeSocket();
    chat.start();
    chat.openRoom("general");
    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
    expect(sent()).toEqual([{ action: "markRead", roomId: "general", seq: 5, open: true }]);
    Object.defineProperty(document, "visibilityState", { value: "visible", configurable: true });
    chat.stop();
  });

  it("reopens the newer of the account's and this browser's last room", () => {
    const rooms = { general: {}, ops: {}, dev: {} };
    expect(pickLastRoom({ roomId: "dev", at: 2000 }, { roomId: "ops", at: 1000 }, rooms)).toBe("dev");
    expect(pickLastRoom({ roomId: "dev", at: 2000 }, { roomId: "ops", at: 3000 }, rooms)).toBe("ops");
    expect(pickLastRoom({ roomId: "", at: 0 }, { roomId: "ops", at: 0 }, rooms)).toBe("ops");
    expect(pickLastRoom({ roomId: "gone", at: 5000 }, { roomId: "ops", at: 1 }, rooms)).toBe("ops");
    expect(pickLastRoom({ roomId: "", at: 0 }, { roomId: "", at: 0 }, rooms)).toBe("");
  });
});
