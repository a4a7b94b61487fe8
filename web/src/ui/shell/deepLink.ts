// Links into a message: a notification's click opens /?room=<id>&seq=<n>
// when no tab is open (the service worker's openUrl, src/sw/logic.ts; a
// test checks the two agree), or tells an open tab with a message.
export const OPEN_MESSAGE = "backchannel:open";

export interface MessageLink {
  roomId: string;
  seq: number;
}

// parseLink reads ?room=&seq= from a location's search ("" seq: the room).
export function parseLink(search: string): MessageLink | null {
  const q = new URLSearchParams(search);
  const roomId = q.get("room") ?? "";
  if (!roomId) return null;
  const seq = Number(q.get("seq") ?? "0");
  return { roomId, seq: Number.isInteger(seq) && seq > 0 ? seq : 0 };
}

// linkOfMessage: the link in a worker's message, null for other messages.
export function linkOfMessage(data: unknown): MessageLink | null {
  if (!data || typeof data !== "object") return null;
  const d = data as { type?: unknown; roomId?: unknown; seq?: unknown };
  if (d.type !== OPEN_MESSAGE || typeof d.roomId !== "string" || !d.roomId) return null;
  return { roomId: d.roomId, seq: typeof d.seq === "number" && d.seq > 0 ? d.seq : 0 };
}
