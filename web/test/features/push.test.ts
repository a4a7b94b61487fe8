// Web Push subscription on this device, with a stand-in PushManager and a
// recording server: nothing before the person agrees; subscribe with the
// server's key and tell the server (device label included) once per
// session; a changed key means a new subscription; opt-out and sign-out
// unsubscribe on both sides; visibility after connecting and on changes.
import { describe, expect, it } from "vitest";
import { PushSubscriptions, base64UrlToBytes, bytesToBase64Url, deviceLabel, type PushEnv } from "../../src/features/push";
import { initialState, reduce } from "../../src/state/store";
import { defaultNotify } from "../../src/state/preferences";
import type { AnyPayload, Preferences } from "../../src/api/notifyProtocol";
import type { ChatState } from "../../src/state/types";
import { room, stateFrame } from "../fixtures";

const KEY1 = bytesToBase64Url(new Uint8Array([4, 1, 2, 3, 4, 5]));
const KEY2 = bytesToBase64Url(new Uint8Array([4, 9, 9, 9]));

class FakeSubscription {
  unsubscribed = false;
  constructor(
    readonly endpoint: string,
    readonly options: { applicationServerKey: ArrayBuffer },
  ) {}
  toJSON() {
    return { endpoint: this.endpoint, keys: { p256dh: "P256", auth: "AUTH" } };
  }
  getKey() {
    return null;
  }
  async unsubscribe() {
    this.unsubscribed = true;
    manager.current = null;
    return true;
  }
}

const manager = {
  current: null as FakeSubscription | null,
  made: 0,
  subscribeCalls: [] as { userVisibleOnly: boolean; key: string }[],
  async getSubscription() {
    return this.current;
  },
  async subscribe(o: { userVisibleOnly: boolean; applicationServerKey: Uint8Array }) {
    this.subscribeCalls.push({ userVisibleOnly: o.userVisibleOnly, key: bytesToBase64Url(o.applicationServerKey) });
    this.current = new FakeSubscription(`https://push.example/${++this.made}`, { applicationServerKey: o.applicationServerKey.slice().buffer });
    return this.current;
  },
};

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

function setup(opts: { pushKey?: string; permission?: string; supported?: boolean } = {}) {
  manager.current = null;
  manager.made = 0;
  manager.subscribeCalls = [];
  const sent: AnyPayload[] = [];
  const notified: AnyPayload[] = [];
  let state: ChatState = reduce(initialState, stateFrame([room("g")]));
  const setKey = (key: string) => {
    const preferences: Preferences = { notify: defaultNotify("UTC"), appearance: { theme: "system", accent: "#3b6fd8", layout: "compact", lang: "en", sound: true }, rooms: {}, pushKey: key };
    state = reduce(state, { type: "preferences", preferences });
  };
  if (opts.pushKey !== undefined) setKey(opts.pushKey);
  let visible = true;
  const storage = memoryStorage();
  const env: PushEnv = {
    registration: async () => (opts.supported === false ? null : ({ pushManager: manager } as unknown as ServiceWorkerRegistration)),
    request: async (p) => {
      sent.push(p);
      return { type: "pushSubscribed", endpoint: "endpoint" in p ? p.endpoint : "" };
    },
    notify: (p) => notified.push(p),
    state: () => state,
    online: () => true,
    storage,
    userId: "me",
    device: "Chrome on Linux",
    visible: () => visible,
    permission: () => opts.permission ?? "granted",
    onChange: () => {},
  };
  const push = new PushSubscriptions(env);
  return { push, sent, notified, setKey, setVisible: (v: boolean) => (visible = v), storage };
}

describe("push subscription", () => {
  it("does nothing on connect until the person agrees", async () => {
    const { push, sent } = setup({ pushKey: KEY1 });
    push.onStatus("online");
    push.onEvent({ type: "state" });
    await push.sync();
    expect(manager.subscribeCalls).toEqual([]);
    expect(sent).toEqual([]);
    expect(push.active()).toBe(false);
  });

  it("subscribes with the server's key and tells the server once per session", async () => {
    const { push, sent } = setup({ pushKey: KEY1 });
    await push.enable();
    expect(manager.subscribeCalls).toEqual([{ userVisibleOnly: true, key: KEY1 }]);
    expect(sent).toEqual([{ action: "pushSubscribe", endpoint: "https://push.example/1", keys: { p256dh: "P256", auth: "AUTH" }, device: "Chrome on Linux" }]);
    expect(push.active()).toBe(true);
    push.onEvent({ type: "state" });
    await push.sync();
    expect(sent).toHaveLength(1);
    expect(manager.subscribeCalls).toHaveLength(1);
  });

  it("a new session with the same key re-sends the same subscription, without a new one", async () => {
    const a = setup({ pushKey: KEY1 });
    await a.push.enable();
    const again = new PushSubscriptions({ ...(a.push as unknown as { env: PushEnv }).env });
    await again.sync();
    expect(manager.subscribeCalls).toHaveLength(1);
    expect(a.sent.map((p) => p.action)).toEqual(["pushSubscribe", "pushSubscribe"]);
  });

  it("subscribes anew when the server's key changed", async () => {
    const { push, sent, setKey } = setup({ pushKey: KEY1 });
    await push.enable();
    const first = manager.current!;
    setKey(KEY2);
    push.onEvent({ type: "preferences" });
    await push.sync();
    expect(first.unsubscribed).toBe(true);
    expect(manager.subscribeCalls.map((c) => c.key)).toEqual([KEY1, KEY2]);
    expect(sent.map((p) => [p.action, "endpoint" in p ? p.endpoint : ""])).toEqual([
      ["pushSubscribe", "https://push.example/1"],
      ["pushUnsubscribe", "https://push.example/1"],
      ["pushSubscribe", "https://push.example/2"],
    ]);
  });

  it("unsubscribes on opt-out (and stays off), and on sign-out (the choice kept)", async () => {
    const { push, sent } = setup({ pushKey: KEY1 });
    await push.enable();
    await push.signOut();
    expect(sent.at(-1)).toEqual({ action: "pushUnsubscribe", endpoint: "https://push.example/1" });
    expect(manager.current).toBeNull();
    expect(push.wanted()).toBe(true);
    await push.sync();
    expect(manager.subscribeCalls).toHaveLength(2);
    await push.disable();
    expect(sent.at(-1)).toEqual({ action: "pushUnsubscribe", endpoint: "https://push.example/2" });
    expect(push.wanted()).toBe(false);
    expect(push.state).toBe("off");
    await push.sync();
    expect(manager.subscribeCalls).toHaveLength(2);
  });

  it("waits for a key, for permission, and says when push is impossible", async () => {
    const noKey = setup();
    await noKey.push.enable();
    expect(manager.subscribeCalls).toEqual([]);
    expect(await noKey.push.available()).toBe(false);
    const denied = setup({ pushKey: KEY1, permission: "denied" });
    await denied.push.enable();
    expect(manager.subscribeCalls).toEqual([]);
    const none = setup({ pushKey: KEY1, supported: false });
    await none.push.enable();
    expect(none.push.state).toBe("unsupported");
    expect(await none.push.available()).toBe(false);
  });

  it("tells the server the tab's visibility after connecting and when it changes", () => {
    const { push, notified, setVisible } = setup();
    push.onStatus("online");
    push.tellVisibility();
    setVisible(false);
    push.tellVisibility();
    push.onStatus("offline");
    push.onStatus("online");
    expect(notified).toEqual([
      { action: "setVisibility", visible: true },
      { action: "setVisibility", visible: false },
      { action: "setVisibility", visible: false },
    ]);
  });
});

describe("push helpers", () => {
  it("round-trips base64url", () => {
    const bytes = new Uint8Array([0, 255, 62, 63, 1, 2, 3]);
    expect(Array.from(base64UrlToBytes(bytesToBase64Url(bytes)))).toEqual(Array.from(bytes));
    expect(bytesToBase64Url(new Uint8Array([251, 255]))).toBe("-_8");
  });

  it("labels the device", () => {
    expect(deviceLabel("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36")).toBe("Chrome on Linux");
    expect(deviceLabel("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Mobile Safari/537.36")).toBe("Chrome on Android");
    expect(deviceLabel("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1")).toBe("Safari on iOS");
    expect(deviceLabel("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0")).toBe("Firefox on Windows");
  });
});
