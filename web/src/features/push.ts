// Web Push on this device: subscribed only after the person agreed (the
// notification offer or the settings switch, never on load), with the
// server's VAPID key; re-subscribed when the key changed; unsubscribed on
// opt-out and on sign-out. Also tells the server whether this tab is
// visible (the server pushes only to people with no visible connection).
import type { AnyPayload } from "../api/notifyProtocol";
import type { Status } from "../api/socket";
import type { ChatFeature } from "../state/chat";
import type { ChatState } from "../state/types";

export interface PushEnv {
  // The service worker's registration (null: none, push impossible).
  registration(): Promise<ServiceWorkerRegistration | null>;
  request(p: AnyPayload): Promise<unknown>;
  notify(p: AnyPayload): void;
  state(): ChatState;
  online(): boolean;
  storage: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  userId: string;
  // The label the server keeps with the subscription ("Chrome on Linux").
  device: string;
  // Whether the page is visible now.
  visible(): boolean;
  // Notification permission ("granted" needed to subscribe).
  permission(): string;
  onChange(): void;
}

export type PushState = "unsupported" | "off" | "on" | "working";

interface Record_ {
  endpoint: string;
  key: string;
}

export function base64UrlToBytes(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64Url(buf: ArrayBuffer | Uint8Array | null | undefined): string {
  if (!buf) return "";
  const bytes = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// deviceLabel names the browser and system from the user agent.
export function deviceLabel(ua: string): string {
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrom(e|ium)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Windows/.test(ua) ? "Windows" : /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : "";
  return os ? `${browser} on ${os}` : browser;
}

export class PushSubscriptions implements ChatFeature {
  state: PushState = "off";
  error = "";
  // Sent pushSubscribe for the current subscription in this session.
  private asserted = "";
  // The server holds this device's subscription (told in this session).
  subscribed = false;
  private syncing: Promise<void> | null = null;

  constructor(private readonly env: PushEnv) {
    this.state = this.wanted() ? "on" : "off";
  }

  private get wantKey() {
    return `backchannel.push.${this.env.userId}`;
  }

  // wanted: the person turned push on on this device.
  wanted(): boolean {
    return !!this.env.storage.getItem(this.wantKey);
  }

  private record(): Record_ | null {
    try {
      const r = JSON.parse(this.env.storage.getItem(this.wantKey) ?? "null") as Record_ | null;
      return r && typeof r === "object" ? r : null;
    } catch {
      return null;
    }
  }

  private set(state: PushState, error = ""): void {
    this.state = state;
    this.error = error;
    this.env.onChange();
  }

  pushKey(): string {
    return this.env.state().preferences?.pushKey ?? "";
  }

  // available: the browser can push and the server offers a key.
  async available(): Promise<boolean> {
    const reg = await this.env.registration();
    return !!reg?.pushManager && !!this.pushKey();
  }

  // enable subscribes this device (call it from the person's choice).
  async enable(): Promise<void> {
    this.env.storage.setItem(this.wantKey, JSON.stringify({ endpoint: "", key: "" }));
    this.asserted = "";
    await this.sync();
  }

  // disable: opt-out: the server forgets the subscription, the browser drops it.
  async disable(): Promise<void> {
    this.env.storage.removeItem(this.wantKey);
    this.set("working");
    await this.drop();
    this.set("off");
  }

  // signOut: the server forgets this device's subscription and the browser
  // drops it; the person's choice is kept for their next sign-in here.
  async signOut(): Promise<void> {
    await this.drop();
  }

  private async drop(): Promise<void> {
    const reg = await this.env.registration();
    const sub = await reg?.pushManager?.getSubscription().catch(() => null);
    this.asserted = "";
    this.subscribed = false;
    if (!sub) return;
    if (this.env.online()) await this.env.request({ action: "pushUnsubscribe", endpoint: sub.endpoint }).catch(() => {});
    await sub.unsubscribe().catch(() => false);
  }

  // sync makes the browser's subscription match the wish and the server's
  // key, and tells the server once per session (it may have dropped it).
  sync(): Promise<void> {
    this.syncing ??= this.doSync().finally(() => (this.syncing = null));
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    if (!this.wanted()) return;
    const key = this.pushKey();
    const reg = await this.env.registration();
    if (!reg?.pushManager) return this.set("unsupported");
    if (!key || this.env.permission() !== "granted" || !this.env.online()) return;
    this.set("working");
    try {
      let sub = await reg.pushManager.getSubscription();
      const had = bytesToBase64Url(sub?.options?.applicationServerKey) || this.record()?.key || "";
      if (sub && had !== key) {
        // The server's key changed: the old subscription cannot be used.
        await this.env.request({ action: "pushUnsubscribe", endpoint: sub.endpoint }).catch(() => {});
        await sub.unsubscribe().catch(() => false);
        sub = null;
      }
      sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(key) });
      if (this.asserted !== sub.endpoint) {
        const json = sub.toJSON() as { keys?: { p256dh?: string; auth?: string } };
        const keys = { p256dh: json.keys?.p256dh || bytesToBase64Url(sub.getKey("p256dh")), auth: json.keys?.auth || bytesToBase64Url(sub.getKey("auth")) };
        await this.env.request({ action: "pushSubscribe", endpoint: sub.endpoint, keys, device: this.env.device });
        this.asserted = sub.endpoint;
      }
      this.subscribed = true;
      if (this.wanted()) this.env.storage.setItem(this.wantKey, JSON.stringify({ endpoint: sub.endpoint, key }));
      this.set("on");
    } catch (err) {
      this.set("on", (err as Error).message || String(err));
    }
  }

  // active: pushes reach this device (so the page leaves notifications to them).
  active(): boolean {
    return this.wanted() && this.subscribed && this.env.permission() === "granted";
  }

  // ---- ChatFeature ----

  private lastVisible: boolean | null = null;

  // tellVisibility: setVisibility when it changed (and after every connect).
  tellVisibility(force = false): void {
    if (!this.env.online()) return;
    const v = this.env.visible();
    if (!force && v === this.lastVisible) return;
    this.lastVisible = v;
    this.env.notify({ action: "setVisibility", visible: v });
  }

  onStatus(status: Status): void {
    if (status !== "online") return;
    this.tellVisibility(true);
    void this.sync();
  }

  onEvent(ev: { type: string }): void {
    if (ev.type === "state" || ev.type === "preferences") void this.sync();
  }

  onStop(): void {
    this.lastVisible = null;
  }
}
