// The service worker (built by vite.config.ts into /sw.js, a classic
// script): precaches the app shell of its build and serves it offline, and
// shows Web Push messages as notifications; a click focuses an open tab
// and tells it which message to open, or opens a new window at it.
import { CACHE_PREFIX, CONFIG, FALLBACK, OPEN_MESSAGE, RUNTIME_CACHE, cacheName, notificationFor, openUrl, parsePush, strategyFor } from "./logic";

// The worker's globals, typed here (the project compiles against the DOM
// library; the WebWorker one would clash with it).
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
interface PushEvent extends ExtendableEvent {
  data: { json(): unknown } | null;
}
interface NotificationEvent extends ExtendableEvent {
  notification: Notification;
}
interface WindowClient {
  url: string;
  focused: boolean;
  visibilityState: DocumentVisibilityState;
  focus(): Promise<WindowClient>;
  postMessage(message: unknown): void;
}
interface WorkerScope {
  registration: ServiceWorkerRegistration;
  location: Location;
  clients: {
    matchAll(o: { type: "window"; includeUncontrolled: boolean }): Promise<WindowClient[]>;
    openWindow(url: string): Promise<WindowClient | null>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: "install" | "activate", fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", fn: (e: FetchEvent) => void): void;
  addEventListener(type: "push", fn: (e: PushEvent) => void): void;
  addEventListener(type: "notificationclick", fn: (e: NotificationEvent) => void): void;
}

const sw = self as unknown as WorkerScope;

// The build's shell: index.html as "/", the hashed bundles, the manifest
// and icons (filled in by the build; see vite.config.ts).
const PRECACHE = "__BACKCHANNEL_PRECACHE__" as unknown as string[];
const SHELL = cacheName(PRECACHE);

// keep: waitUntil, which throws for events made by a script (tests drive
// the handlers that way); the work goes on regardless.
function keep(e: ExtendableEvent, p: Promise<unknown>): void {
  try {
    e.waitUntil(p);
  } catch {
    /* an untrusted event */
  }
}

sw.addEventListener("install", (e) => {
  keep(
    e,
    Promise.all([
      caches.open(SHELL).then((c) => c.addAll(PRECACHE)),
      // The deployment's config.json (written at deploy time, not part of
      // the build): its copy for offline, kept fresh by network-first.
      caches
        .open(RUNTIME_CACHE)
        .then((c) => c.add(CONFIG))
        .catch(() => {}),
    ]).then(() => sw.skipWaiting()),
  );
});

sw.addEventListener("activate", (e) => {
  keep(
    e,
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(CACHE_PREFIX) && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => sw.clients.claim()),
  );
});

sw.addEventListener("fetch", (e) => {
  const req = e.request;
  const strategy = strategyFor(req.method, new URL(req.url), sw.location.origin, req.mode);
  if (strategy === "none") return;
  e.respondWith(answer(req, strategy));
});

async function answer(req: Request, strategy: "shell" | "network-first" | "cache-first"): Promise<Response> {
  if (strategy === "cache-first") {
    const hit = await caches.match(req);
    if (hit) return hit;
    const res = await fetch(req);
    if (res.ok) await (await caches.open(RUNTIME_CACHE)).put(req, res.clone());
    return res;
  }
  try {
    const res = await fetch(req);
    if (strategy === "network-first" && res.ok) await (await caches.open(RUNTIME_CACHE)).put(req, res.clone());
    return res;
  } catch (err) {
    // Offline: the shell for any page (the app shows its offline state),
    // the last config.json.
    const hit = strategy === "shell" ? await caches.match("/", { cacheName: SHELL }) : await caches.match(req);
    if (hit) return hit;
    throw err;
  }
}

sw.addEventListener("push", (e) => {
  let payload: unknown = null;
  try {
    payload = e.data?.json() ?? null;
  } catch {
    /* not JSON */
  }
  const p = parsePush(payload);
  const n = p ? notificationFor(p) : FALLBACK;
  keep(e, sw.registration.showNotification(n.title, n.options));
});

sw.addEventListener("notificationclick", (e) => {
  const data = (e.notification.data ?? {}) as { roomId?: string; seq?: number; parentSeq?: number };
  e.notification.close();
  const roomId = data.roomId ?? "";
  const seq = data.seq ?? 0;
  const parentSeq = data.parentSeq ?? 0;
  keep(
    e,
    (async () => {
      const tabs = (await sw.clients.matchAll({ type: "window", includeUncontrolled: true })).filter((c) => new URL(c.url).origin === sw.location.origin);
      const tab = tabs.find((c) => c.focused) ?? tabs.find((c) => c.visibilityState === "visible") ?? tabs[0];
      if (tab) {
        if (roomId) tab.postMessage(parentSeq > 0 ? { type: OPEN_MESSAGE, roomId, seq, parentSeq } : { type: OPEN_MESSAGE, roomId, seq });
        try {
          await tab.focus();
        } catch {
          /* not allowed to focus (no user activation) */
        }
        return;
      }
      await sw.clients.openWindow(openUrl(roomId, seq, parentSeq));
    })(),
  );
});
