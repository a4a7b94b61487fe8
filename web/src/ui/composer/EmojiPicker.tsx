// The emoji picker: categories, search, and a grid navigable with the arrow
// keys; Escape closes it and gives focus back to the composer.
import { useEffect, useRef, useState } from "preact/hooks";
import { emojiCategories, searchEmoji, type EmojiCategory } from "./emoji";
import { useApp } from "../common/context";
import type { MessageKey } from "../../i18n";

const COLS = 8;

export function EmojiPicker({ onPick, onClose }: { onPick(ch: string): void; onClose(): void }) {
  const { t } = useApp();
  const [cat, setCat] = useState<EmojiCategory>("smileys");
  const [query, setQuery] = useState("");
  const grid = useRef<HTMLDivElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const list = query ? searchEmoji(query) : (emojiCategories.find((c) => c.id === cat)?.emoji ?? []);

  useEffect(() => search.current?.focus(), []);

  const move = (e: KeyboardEvent) => {
    const buttons = Array.from(grid.current?.querySelectorAll<HTMLButtonElement>("button") ?? []);
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const delta = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLS, ArrowUp: -COLS }[e.key as string];
    if (delta === undefined) return;
    e.preventDefault();
    buttons[Math.max(0, Math.min(buttons.length - 1, i + delta))]?.focus();
  };

  return (
    <div
      class="emoji-picker"
      role="dialog"
      aria-label={t("emoji.title")}
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
        class="emoji-search"
        aria-label={t("emoji.search")}
        placeholder={t("emoji.search")}
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            grid.current?.querySelector<HTMLButtonElement>("button")?.focus();
          }
        }}
      />
      {!query && (
        <div class="emoji-tabs" role="tablist" aria-label={t("emoji.title")}>
          {emojiCategories.map((c) => (
            <button
              key={c.id}
              type="button"
              role="tab"
              aria-selected={c.id === cat}
              class={c.id === cat ? "active" : ""}
              title={t(`emoji.cat.${c.id}` as MessageKey)}
              aria-label={t(`emoji.cat.${c.id}` as MessageKey)}
              onClick={() => setCat(c.id)}
            >
              {c.emoji[0].char}
            </button>
          ))}
        </div>
      )}
      <div class="emoji-grid" ref={grid} onKeyDown={move}>
        {list.length === 0 && <p class="muted">{t("emoji.none")}</p>}
        {list.map((e) => (
          <button key={e.char} type="button" title={e.name} aria-label={e.name} onClick={() => onPick(e.char)}>
            {e.char}
          </button>
        ))}
      </div>
    </div>
  );
}
