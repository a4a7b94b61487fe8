// The emoji a person reacted with lately, newest first, kept per person in
// this browser (localStorage under their id): the quick-reaction bar
// offers them.
export const DEFAULT_EMOJI = ["👍", "❤️", "😂", "🎉", "👀", "🙏"];
export const RECENT_SIZE = 6;

// PALETTE: the "more reactions" choice.
export const PALETTE = [
  "👍", "👎", "❤️", "😂", "😮", "😢", "🎉", "👀",
  "🙏", "👏", "🔥", "🚀", "✅", "💯", "🤔", "😄",
  "😅", "🙌", "👋", "👌", "💡", "⭐", "🐛", "☕",
];

const key = (userId: string) => `bc.recentEmoji.${userId}`;

export function recentEmoji(userId: string): string[] {
  let list: string[] = [];
  try {
    const raw = JSON.parse(localStorage.getItem(key(userId)) ?? "[]");
    if (Array.isArray(raw)) list = raw.filter((e): e is string => typeof e === "string").slice(0, RECENT_SIZE);
  } catch {
    list = [];
  }
  // Fill up with the defaults not used lately.
  for (const e of DEFAULT_EMOJI) if (list.length < RECENT_SIZE && !list.includes(e)) list.push(e);
  return list;
}

export function rememberEmoji(userId: string, emoji: string): void {
  const list = [emoji, ...recentEmoji(userId).filter((e) => e !== emoji)].slice(0, RECENT_SIZE);
  try {
    localStorage.setItem(key(userId), JSON.stringify(list));
  } catch {
    // Private mode or full: the bar keeps its defaults.
  }
}
