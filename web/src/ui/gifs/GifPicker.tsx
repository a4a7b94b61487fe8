// The GIF picker: searches the server's GIF provider as you type (trending
// when empty), shows the previews in a grid navigable with the arrow keys,
// and sends the one clicked as its own message. Escape closes it and gives
// focus back to the composer. Shown only when the deployment has a
// provider (getState's gifs).
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Gif } from "../../api/protocol.gen";
import { useApp } from "../common/context";
import { safeGifURL } from "./GifImage";
import "./gifs.css";

const DEBOUNCE_MS = 300;
// The attribution each provider asks for.
const CREDIT: Record<string, string> = { tenor: "Tenor", giphy: "GIPHY" };
const COLS = 3;

export function GifPicker({ roomId, onClose }: { roomId: string; onClose(): void }) {
  const { chat, t } = useApp();
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<Gif[]>([]);
  const [next, setNext] = useState("");
  const [busy, setBusy] = useState(true);
  const [error, setError] = useState("");
  const search = useRef<HTMLInputElement>(null);
  const grid = useRef<HTMLUListElement>(null);
  const asked = useRef(0);

  useLayoutEffect(() => search.current?.focus(), []);

  const load = (q: string, pos?: string) => {
    const n = ++asked.current;
    setBusy(true);
    setError("");
    chat.searchGifs(q, pos).then(
      (r) => {
        if (n !== asked.current) return;
        setResults((prev) => (pos ? [...prev, ...r.results] : r.results));
        setNext(r.next ?? "");
        setBusy(false);
      },
      (err: { message?: string }) => {
        if (n !== asked.current) return;
        setError(t("gifs.failed", { error: err?.message ?? "" }));
        setBusy(false);
      },
    );
  };

  useEffect(() => {
    const timer = setTimeout(() => load(query.trim()), query ? DEBOUNCE_MS : 0);
    return () => clearTimeout(timer);
  }, [query]);

  const pick = (g: Gif) => {
    chat.sendGif(roomId, g);
    onClose();
  };

  const move = (e: KeyboardEvent) => {
    const buttons = Array.from(grid.current?.querySelectorAll<HTMLButtonElement>("button.gif-choice") ?? []);
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const delta = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLS, ArrowUp: -COLS }[e.key as string];
    if (delta === undefined) return;
    e.preventDefault();
    if (i + delta < 0) search.current?.focus();
    else buttons[Math.min(buttons.length - 1, i + delta)]?.focus();
  };

  return (
    <div
      class="gif-picker"
      role="dialog"
      aria-label={t("gifs.title")}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <input
        ref={search}
        type="search"
        class="gif-search"
        aria-label={t("gifs.search")}
        placeholder={t("gifs.search")}
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            grid.current?.querySelector<HTMLButtonElement>("button.gif-choice")?.focus();
          }
        }}
      />
      <p class="gif-heading muted" aria-live="polite">
        {busy ? t("gifs.loading") : error ? "" : results.length === 0 ? t("gifs.none") : query.trim() ? "" : t("gifs.trending")}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <ul class="gif-grid" ref={grid} onKeyDown={move} aria-label={t("gifs.title")} aria-busy={busy}>
        {results.map((g) => {
          const src = safeGifURL(g.preview) ?? safeGifURL(g.url);
          if (!src) return null;
          const title = g.title || t("gifs.untitled");
          return (
            <li key={g.url}>
              <button type="button" class="gif-choice" aria-label={t("gifs.send", { title })} title={title} onClick={() => pick(g)}>
                <img src={src} alt="" referrerpolicy="no-referrer" loading="lazy" decoding="async" />
              </button>
            </li>
          );
        })}
      </ul>
      <div class="gif-foot">
        {next && !busy && (
          <button type="button" class="btn small" onClick={() => load(query.trim(), next)}>
            {t("gifs.more")}
          </button>
        )}
        <span class="muted gif-credit">{t("gifs.poweredBy", { provider: CREDIT[chat.state.gifProvider ?? ""] ?? "Tenor" })}</span>
      </div>
    </div>
  );
}
