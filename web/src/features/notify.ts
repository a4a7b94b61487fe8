// Attention: notifications (always through the service worker's
// registration: Android Chrome refuses `new Notification()`), a short sound
// synthesized with WebAudio (no file to fetch), the unread count in the
// document title and the app icon's badge.
import { registration } from "../api/serviceWorker";

let audio: AudioContext | null = null;
// Counts pings, so that of the pings waiting on a suspended context only
// the newest one beeps.
let pings = 0;

export function playPing(): void {
  try {
    const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctx) return;
    const ctx = (audio ??= new Ctx());
    const ping = ++pings;
    if (ctx.state === "suspended") {
      // A context made before any user gesture starts suspended and stays
      // so until resume() is called once the user has interacted: ask on
      // every ping, and beep when (if) it runs.
      ctx
        .resume()
        .then(() => ping === pings && beep(ctx))
        .catch(() => {});
      return;
    }
    beep(ctx);
  } catch {
    /* audio not allowed yet (no user gesture): stay silent */
  }
}

function beep(ctx: AudioContext): void {
  const now = ctx.currentTime;
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = "sine";
  osc.frequency.setValueAtTime(880, now);
  osc.frequency.exponentialRampToValueAtTime(660, now + 0.15);
  gain.gain.setValueAtTime(0.0001, now);
  gain.gain.exponentialRampToValueAtTime(0.15, now + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.25);
  osc.connect(gain).connect(ctx.destination);
  osc.start(now);
  osc.stop(now + 0.3);
}

export type Permission = "granted" | "denied" | "default" | "unsupported";

export function notificationPermission(): Permission {
  return typeof Notification === "undefined" ? "unsupported" : Notification.permission;
}

// askPermission must run from a user gesture (a button), never on load.
export async function askPermission(): Promise<Permission> {
  if (typeof Notification === "undefined") return "unsupported";
  return Notification.requestPermission();
}

export interface NotificationData {
  roomId: string;
  seq: number;
  // A thread reply's thread: the click opens it (the worker passes data on).
  parentSeq?: number;
}

// showNotification shows a notification through the service worker; a
// click on it is the worker's (it tells this page to open data's message).
// Resolves false when it could not be shown (no permission, no worker).
export async function showNotification(title: string, body: string, tag: string, data: NotificationData): Promise<boolean> {
  if (notificationPermission() !== "granted") return false;
  try {
    const reg = await registration();
    if (!reg) return false;
    await reg.showNotification(title, { body, tag, data, icon: "/icons/icon-192.png", badge: "/icons/badge-96.png" });
    return true;
  } catch {
    return false;
  }
}

// setAppBadge shows n on the installed app's icon where the platform can
// (nothing at 0).
export function setAppBadge(n: number): void {
  const nav = navigator as Navigator & { setAppBadge?(n?: number): Promise<void>; clearAppBadge?(): Promise<void> };
  if (!nav.setAppBadge) return;
  const done = n > 0 ? nav.setAppBadge(n) : (nav.clearAppBadge?.() ?? nav.setAppBadge(0));
  done.catch(() => {});
}

export function titleWithUnread(base: string, unread: number): string {
  return unread > 0 ? `(${unread > 99 ? "99+" : unread}) ${base}` : base;
}
