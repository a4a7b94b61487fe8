// An avatar: the user's colour with their initials, and an optional
// presence dot.
import type { Profile } from "../protocol.gen";

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts;
  return letters.map((p) => Array.from(p)[0]?.toUpperCase() ?? "").join("") || "?";
}

export function Avatar({ user, name, size = 36, presence }: { user?: Profile; name?: string; size?: number; presence?: boolean }) {
  const label = user?.displayName ?? name ?? "?";
  const color = user?.avatarColor && /^#[0-9a-f]{6}$/i.test(user.avatarColor) ? user.avatarColor : "#78909c";
  return (
    <span class="avatar" style={{ background: color, width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.4)}px` }} aria-hidden="true">
      {initials(label)}
      {presence && <span class={`dot ${user?.online ? "on" : "off"}`} />}
    </span>
  );
}

export function PresenceDot({ online, label }: { online: boolean; label: string }) {
  return <span class={`dot inline ${online ? "on" : "off"}`} role="img" aria-label={label} />;
}
