// The client: the chat controller with its features plugged in (uploads,
// download and picture URLs, attention), built once per signed-in user.
import type { AvatarUrlFrame, DownloadUrlFrame, ServerEvent, UploadTicketFrame } from "../api/protocol.gen";
import { TermsGate } from "./terms";
import { Chat, type ChatEnv } from "../state/chat";
import { attention, type AttentionEnv } from "./attention";
import { AvatarUrls } from "./avatars";
import { DownloadUrls } from "./downloads";
import { UploadQueue } from "./uploads";
import { PushSubscriptions, deviceLabel } from "./push";
import { PreferencesSync } from "./preferences";
import { notificationPermission } from "./notify";
import { registration } from "../api/serviceWorker";
import type { Prefs } from "./prefs";
import { ScheduledItems } from "./scheduled";
import { DataExports } from "./exports";
import { RetentionSettings } from "./retention";
import { SupportInbox } from "../state/support";
import { CallsEngine, browserCallsEnv } from "./calls";
import { E2EE } from "../state/e2ee";
import { Engine } from "./e2ee/engine";
import { Keystore } from "./e2ee/keystore";

export type ClientEnv = Omit<ChatEnv, "attachments"> &
  AttentionEnv & {
    userId: string;
    // The appearance: the one in use, applying the server's, and whether
    // this device had one saved before (migrated to the server once).
    applyPrefs(p: Prefs): void;
    hadLocalPrefs: boolean;
    // The signed-in email (a tick at sign-up is remembered by it).
    email?: string;
  };

export interface Client {
  chat: Chat;
  // Files being attached to the next message of each room.
  uploads: UploadQueue;
  downloads: DownloadUrls;
  avatars: AvatarUrls;
  // Web Push on this device, and visibility for the server.
  push: PushSubscriptions;
  // The synced preferences' writes.
  preferences: PreferencesSync;
  // Scheduled messages and reminders.
  scheduled: ScheduledItems;
  // Export my data.
  exports: DataExports;
  // How long messages are kept (the workspace's default, rooms' own).
  retention: RetentionSettings;
  // The terms the person must accept, if any.
  terms: TermsGate;
  // The agents' support inbox (issue 17).
  support: SupportInbox;
  // Voice and video calls (issue 18).
  calls: CallsEngine;
  // End-to-end encryption (issue 19): what the screens show and do.
  e2ee: E2EE;
}

export function createClient(env: ClientEnv): Client {
  // The features ask the server through the chat, made just below.
  let chat: Chat | undefined;
  const live = () => chat!;
  let engine: Engine | undefined;
  const uploads = new UploadQueue({
    encryption: {
      active: (roomId) => !!engine?.encryptsUploads(roomId),
      encrypt: (file, name, type) => engine!.encryptUpload(file, name, type),
    },
    requestTicket: async (roomId, name, size, type, sha256) => (await live().request({ action: "requestUpload", roomId, name, size, type, sha256 })) as UploadTicketFrame,
    newXhr: () => new XMLHttpRequest(),
    t: () => env.t(),
    onChange: () => live().emit(),
  });
  const downloads = new DownloadUrls(
    async (roomId, seq, key, thumb, versionId) => (await live().read({ action: "requestDownload", roomId, seq, key, thumb: thumb || undefined, versionId }, 3)) as DownloadUrlFrame,
  );
  const avatars = new AvatarUrls(async (userId) => (await live().read({ action: "requestAvatarUrl", userId }, 3)) as AvatarUrlFrame);
  chat = new Chat({ wsUrl: env.wsUrl, getToken: env.getToken, onAuthLost: env.onAuthLost, signUpName: env.signUpName, attachments: uploads });
  // First of the features: the others see encrypted messages decrypted.
  const e2ee = new E2EE();
  engine = new Engine(
    {
      userId: env.userId,
      request: async (p) => (await live().request(p as never)) as ServerEvent,
      state: () => live().state,
      dispatch: (a) => live().dispatch(a),
      openKeystore: (userId) => Keystore.open(userId),
      deviceName: deviceLabel(navigator.userAgent),
      storage: localStorage,
      downloadUrl: (roomId, seq, key) => downloads.get(roomId, seq, key, false),
      fetchBytes: async (url) => {
        const r = await fetch(url);
        if (!r.ok) throw new Error(`download failed: ${r.status}`);
        return new Uint8Array(await r.arrayBuffer());
      },
      supported: () => typeof indexedDB !== "undefined" && !!globalThis.crypto?.subtle,
      log: (what, err) => console.warn(`e2ee: ${what}:`, err),
    },
    e2ee,
  );
  chat.use(engine);
  e2ee.subscribe(() => live().emit());
  const push = new PushSubscriptions({
    registration: () => registration(),
    request: (p) => live().request(p),
    notify: (p) => live().notify(p),
    state: () => live().state,
    online: () => live().status === "online",
    storage: localStorage,
    userId: env.userId,
    device: deviceLabel(navigator.userAgent),
    visible: () => document.visibilityState !== "hidden",
    permission: () => notificationPermission(),
    onChange: () => live().emit(),
  });
  const preferences = new PreferencesSync(chat, { userId: env.userId, storage: localStorage, current: () => env.prefs(), apply: env.applyPrefs, hadLocal: env.hadLocalPrefs });
  chat.use(preferences);
  const scheduled = new ScheduledItems({
    request: (p) => live().request(p as never),
    onChange: () => live().emit(),
    announce: (text) => live().announce(text),
    describe: ({ kind, item, message }) =>
      kind === "reminder"
        ? env.t()("sched.reminderFired", { text: item.text || message?.text || "" })
        : env.t()("sched.failedAnnounce", { reason: item.reason ?? "" }),
  });
  chat.use(scheduled);
  const exports = new DataExports({
    request: (p) => live().request(p as never),
    userId: env.userId,
    onChange: () => live().emit(),
    announce: (text) => live().announce(text),
    readyText: () => env.t()("export.readyAnnounce"),
  });
  chat.use(exports);
  const retention = new RetentionSettings({ request: (p) => live().request(p as never), onChange: () => live().emit() });
  chat.use(retention);
  const terms = new TermsGate({ request: (p) => live().request(p), email: () => env.email ?? "", onChange: () => live().emit(), onAccepted: () => live().listThreads() });
  chat.use(terms);
  const support = new SupportInbox({
    request: (p) => live().request(p as never),
    userId: env.userId,
    isAdmin: () => live().state.groups.includes("admins"),
    onChange: () => live().emit(),
    announce: (text) => live().announce(text),
    describe: (kind, c) => env.t()(kind === "assigned" ? "support.announceAssigned" : "support.announceQueued", { name: c.visitor.name || env.t()("support.visitor") }),
  });
  chat.use(support);
  const calls = new CallsEngine({
    ...browserCallsEnv(),
    request: (p) => live().request(p),
    notify: (p) => live().notify(p),
    connectionId: () => live().state.connectionId,
    userId: env.userId,
    roomKind: (roomId) => live().state.rooms[roomId]?.kind,
    onChange: () => live().emit(),
    announce: (text) => live().announce(text),
  });
  chat.use(calls);
  // The calls e2e reads the peer connections (getStats) through this hook,
  // set only when the test flag is in localStorage.
  if (localStorage.getItem("backchannel.testCalls") === "1") (window as unknown as { backchannelCalls?: CallsEngine }).backchannelCalls = calls;
  chat.use(push);
  chat.use(attention(chat, { ...env, pushActive: () => push.active() }));
  const onVisibility = () => push.tellVisibility();
  document.addEventListener("visibilitychange", onVisibility);
  chat.use({
    onEvent: (ev) => {
      if (ev.type === "state") uploads.setLimits(ev.limits);
    },
    onStop: () => {
      uploads.clear();
      avatars.clear();
      document.removeEventListener("visibilitychange", onVisibility);
    },
  });
  const client = { chat, uploads, downloads, avatars, push, preferences, scheduled, exports, retention, terms, support, calls, e2ee };
  // The e2ee engine's e2e test drives the client through this hook, set
  // only when the test flag is in localStorage.
  if (localStorage.getItem("backchannel.testE2ee") === "1") (window as unknown as { backchannelClient?: Client }).backchannelClient = client;
  return client;
}
