// Recent rooms: the rooms this person opened last, newest first, kept in
// localStorage per user (a few ids; the quick switcher lists them on top).
export const RECENT_MAX = 8;

const key = (userId: string) => `backchannel.recentRooms.${userId || "anonymous"}`;

// addRecent puts roomId first, once, and keeps at most max.
export function addRecent(list: readonly string[], roomId: string, max = RECENT_MAX): string[] {
  if (!roomId) return list.slice(0, max);
  return [roomId, ...list.filter((id) => id !== roomId)].slice(0, max);
}

export function loadRecent(userId: string): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(key(userId)) ?? "[]") as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string").slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

export function pushRecent(userId: string, roomId: string): string[] {
  const next = addRecent(loadRecent(userId), roomId);
  try {
    localStorage.setItem(key(userId), JSON.stringify(next));
  } catch {
    /* storage full or blocked: not remembered */
  }
  return next;
}
