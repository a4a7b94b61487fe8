// An avatar: the user's picture when they have one, over their colour with
// their initials (shown while the picture loads, or when it fails), and an
// optional presence dot. Names are always shown next to avatars, so the
// avatar is decorative: hidden from assistive technology, with empty alt.
import { useEffect, useState } from "preact/hooks";
import type { Profile } from "../../api/protocol.gen";
import { useApp } from "./context";

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts;
  return letters.map((p) => Array.from(p)[0]?.toUpperCase() ?? "").join("") || "?";
}

// inkOn: white or black initials, whichever contrasts more with the
// avatar's colour (WCAG relative luminance), so they pass AA on any colour.
export function inkOn(hex: string): string {
  const ch = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * ch(1) + 0.7152 * ch(3) + 0.0722 * ch(5);
  const dark = 0; // #000
  return 1.05 / (l + 0.05) >= (l + 0.05) / (dark + 0.05) ? "#ffffff" : "#000000";
}

export function Avatar({ user, name, size = 36, presence }: { user?: Profile; name?: string; size?: number; presence?: boolean }) {
  const label = user?.displayName ?? name ?? "?";
  const color = user?.avatarColor && /^#[0-9a-f]{6}$/i.test(user.avatarColor) ? user.avatarColor : "#78909c";
  const picture = useAvatarUrl(user?.userId ?? "", user?.avatarKey ?? "");
  const [loaded, setLoaded] = useState("");
  return (
    <span class="avatar" style={{ background: color, color: inkOn(color), width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.4)}px` }} aria-hidden="true">
      {initials(label)}
      {picture.url && (
        <img
          class={`avatar-img${loaded === picture.url ? " loaded" : ""}`}
          src={picture.url}
          alt=""
          width={size}
          height={size}
          decoding="async"
          onLoad={() => setLoaded(picture.url)}
          onError={picture.failed}
        />
      )}
      {presence && <span class={`dot ${user?.online ? "on" : "off"}`} />}
    </span>
  );
}

// useAvatarUrl is the URL of the user's picture, or "" while there is none
// (no picture, still asking, or it failed). failed is for the <img>'s
// error: the URL is asked for again once, then the initials stay.
function useAvatarUrl(userId: string, avatarKey: string): { url: string; failed(): void } {
  const { avatars } = useApp() ?? {};
  const [url, setUrl] = useState("");
  const [round, setRound] = useState(0);
  useEffect(() => {
    setUrl("");
    if (!avatars || !userId || !avatarKey) return;
    let live = true;
    avatars.get(userId, avatarKey).then(
      (u) => live && setUrl(u),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [avatars, userId, avatarKey, round]);
  useEffect(() => setRound(0), [userId, avatarKey]);
  return {
    url,
    failed: () => {
      setUrl("");
      if (round > 0 || !avatars) return;
      avatars.forget(userId, avatarKey);
      setRound(1);
    },
  };
}

export function PresenceDot({ online, label }: { online: boolean; label: string }) {
  return <span class={`dot inline ${online ? "on" : "off"}`} role="img" aria-label={label} />;
}
