// The service worker's decisions, free of worker globals so that they are
// unit tested: what a push message shows, where a click goes, and which
// requests the worker answers from its cache. Imported by sw.ts only (the
// page has its own copy of the link format in ui/shell/deepLink.ts; a test
// checks they agree): whatever the page bundle shares with the worker would
// become a chunk the classic worker script cannot import.
import type { PushPayload } from "../api/notifyProtocol";

export const CACHE_PREFIX = "backchannel-shell-";
export const RUNTIME_CACHE = "backchannel-runtime";
export const CONFIG = "/config.json";
// The message a click sends to an open tab.
export const OPEN_MESSAGE = "backchannel:open";

export const ICON = "/icons/icon-192.png";
export const BADGE = "/icons/badge-96.png";

export interface ShownNotification {
  title: string;
  options: NotificationOptions & { data: { roomId: string; seq: number; parentSeq?: number } };
}

// parsePush reads a push message's JSON; null when it is not one of ours.
export function parsePush(raw: unknown): PushPayload | null {
  if (!raw || typeof raw !== "object") return null;
  const p = raw as Record<string, unknown>;
  if (p.v !== 1 || typeof p.roomId !== "string" || !p.roomId || typeof p.seq !== "number") return null;
  return {
    v: 1,
    roomId: p.roomId,
    seq: p.seq,
    room: typeof p.room === "string" ? p.room : "",
    sender: typeof p.sender === "string" ? p.sender : "",
    preview: typeof p.preview === "string" && p.preview ? p.preview : undefined,
    tag: typeof p.tag === "string" && p.tag ? p.tag : p.roomId,
    ...(typeof p.parentSeq === "number" && Number.isInteger(p.parentSeq) && p.parentSeq > 0 ? { parentSeq: p.parentSeq } : {}),
  };
}

// notificationFor: the room as the title, "sender: preview" as the body
// (the sender alone when the deployment or the person turned previews
// off), the message to open in data (with its thread's parentSeq for a
// thread reply).
export function notificationFor(p: PushPayload): ShownNotification {
  return {
    title: p.room || "Backchannel",
    options: {
      body: p.preview ? `${p.sender}: ${p.preview}` : p.sender,
      tag: p.tag,
      icon: ICON,
      badge: BADGE,
      data: p.parentSeq ? { roomId: p.roomId, seq: p.seq, parentSeq: p.parentSeq } : { roomId: p.roomId, seq: p.seq },
    },
  };
}

// A push every browser requires to show something for (userVisibleOnly),
// when the message cannot be read.
export const FALLBACK: ShownNotification = { title: "Backchannel", options: { body: "", tag: "backchannel", icon: ICON, badge: BADGE, data: { roomId: "", seq: 0 } } };

// openUrl: the page a click opens when no tab is open (parentSeq: the
// reply's thread, opened beside the room).
export function openUrl(roomId: string, seq: number, parentSeq = 0): string {
  if (!roomId) return "/";
  return `/?room=${encodeURIComponent(roomId)}${seq > 0 ? `&seq=${seq}` : ""}${parentSeq > 0 ? `&thread=${parentSeq}` : ""}`;
}

export type Strategy = "shell" | "network-first" | "cache-first" | "none";

// strategyFor: how the worker answers a request. Pages (navigations) come
// from the network, else the cached shell; /config.json from the network,
// else its last copy; the hashed bundles and icons from the cache first.
// Anything else (other origins: Cognito, the files bucket, the WebSocket
// API) is left to the browser.
export function strategyFor(method: string, url: URL, origin: string, mode: string): Strategy {
  if (method !== "GET" || url.origin !== origin) return "none";
  if (mode === "navigate") return "shell";
  if (url.pathname === CONFIG) return "network-first";
  if (url.pathname.startsWith("/assets/") || url.pathname.startsWith("/icons/") || url.pathname === "/manifest.webmanifest") return "cache-first";
  return "none";
}

// cacheName: one cache per build (the precache list changes with every
// build's hashes); older ones are deleted when the new worker activates.
export function cacheName(precache: string[]): string {
  let h = 0;
  for (const s of precache.join("\n")) h = (Math.imul(h, 31) + s.charCodeAt(0)) | 0;
  return CACHE_PREFIX + (h >>> 0).toString(36);
}
