// A GIF sent by URL (sendMessage's gif): an animated image loaded straight
// from the provider's media host, without a referrer; its description is
// the alternative text. Only http(s) URLs are shown (the server already
// allows its provider's media hosts only).
import type { Gif } from "../../api/protocol.gen";
import { displayBox } from "../common/fileinfo";
import { useApp } from "../common/context";
import "./gifs.css";

const MAX_SIDE = 320;

export function safeGifURL(u: string | undefined): string | null {
  if (!u) return null;
  try {
    const parsed = new URL(u);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

export function GifImage({ gif }: { gif: Gif }) {
  const { t } = useApp();
  const src = safeGifURL(gif.url);
  if (!src) return null;
  const box = displayBox(gif.width, gif.height, MAX_SIDE) ?? { width: 240, height: 180 };
  const title = gif.title || t("gifs.untitled");
  return (
    <div class="gif-msg" style={{ width: `${box.width}px`, aspectRatio: `${box.width} / ${box.height}` }}>
      <img src={src} alt={t("gifs.alt", { title })} width={box.width} height={box.height} referrerpolicy="no-referrer" decoding="async" loading="lazy" />
      <span class="gif-badge" aria-hidden="true">
        GIF
      </span>
    </div>
  );
}
