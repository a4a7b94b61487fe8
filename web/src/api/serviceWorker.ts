// The service worker from the page's side: registering /sw.js (after the
// page has loaded, so it never competes with the first paint), the
// registration notifications and push go through, and the worker's
// messages (a notification was clicked: open this message).
export function serviceWorkerSupported(): boolean {
  return typeof navigator !== "undefined" && "serviceWorker" in navigator;
}

export function registerServiceWorker(url = "/sw.js"): void {
  if (!serviceWorkerSupported()) return;
  const go = () => void navigator.serviceWorker.register(url).catch(() => {});
  if (document.readyState === "complete") go();
  else window.addEventListener("load", go, { once: true });
}

// registration: the active registration, waiting up to waitMs for one
// being installed; null without any.
export async function registration(waitMs = 10_000): Promise<ServiceWorkerRegistration | null> {
  if (!serviceWorkerSupported()) return null;
  const reg = await navigator.serviceWorker.getRegistration().catch(() => undefined);
  if (!reg) return null;
  if (reg.active) return reg;
  const timeout = new Promise<null>((r) => setTimeout(() => r(null), waitMs));
  return Promise.race([navigator.serviceWorker.ready, timeout]);
}

// onWorkerMessage calls fn with every message the worker posts to this
// page; it returns the unsubscribe.
export function onWorkerMessage(fn: (data: unknown) => void): () => void {
  if (!serviceWorkerSupported()) return () => {};
  const handler = (e: MessageEvent) => fn(e.data);
  navigator.serviceWorker.addEventListener("message", handler);
  return () => navigator.serviceWorker.removeEventListener("message", handler);
}
