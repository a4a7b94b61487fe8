// The quick switcher (Ctrl/Cmd+K): type to find one of my rooms, a person
// (Enter opens the DM with them) or a public channel (Enter joins it);
// recent rooms on top. Keyboard first: ↑/↓ move, Enter opens, Escape
// closes. A combobox over a listbox (WAI-ARIA 1.2 pattern): focus stays in
// the field, the active option is aria-activedescendant.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Profile, Room } from "../../api/protocol.gen";
import { loadRecent } from "../../features/recent";
import { switcherItems, type SwitcherItem } from "../../state/switcher";
import { Dialog } from "../common/Dialog";
import { useApp, useChatState } from "../common/context";
import { errorText } from "../common/errorText";
import { LockBadge } from "../e2ee/LockBadge";

const TYPE_PAUSE_MS = 200;

export function QuickSwitcher({ onClose, onOpen }: { onClose(): void; onOpen(roomId: string): void }) {
  const { chat, t, prefs } = useApp();
  const state = useChatState(chat);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const [people, setPeople] = useState<Profile[]>([]);
  const [channels, setChannels] = useState<Room[]>([]);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const recent = useMemo(() => loadRecent(state.me?.userId ?? ""), []);
  const run = useRef(0);

  // The server's people and channels for the query, after a pause.
  useEffect(() => {
    const q = query.trim();
    const mine = ++run.current;
    if (!q) {
      setPeople([]);
      setChannels([]);
      return;
    }
    const timer = setTimeout(() => {
      Promise.all([chat.listUsers(undefined, q), chat.listChannels(undefined, q)]).then(
        ([u, c]) => {
          if (mine !== run.current) return;
          setPeople(u.users);
          setChannels(c.rooms);
          setError("");
        },
        (err) => mine === run.current && setError(errorText(err, t, prefs.lang)),
      );
    }, TYPE_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [query]);

  const items = switcherItems(state, recent, query, people, channels);
  const at = Math.min(active, Math.max(items.length - 1, 0));
  useEffect(() => setActive(0), [query]);
  useEffect(() => {
    document.getElementById(`sw-opt-${at}`)?.scrollIntoView?.({ block: "nearest" });
  }, [at, items.length]);

  const choose = async (it: SwitcherItem | undefined) => {
    if (!it || busy) return;
    setBusy(true);
    try {
      let roomId = it.roomId;
      if (it.kind === "person" && !roomId) roomId = await chat.openDirect([it.userId]);
      if (it.kind === "channel") await chat.joinChannel(it.roomId);
      onClose();
      if (roomId) onOpen(roomId);
    } catch (err) {
      setError(errorText(err, t, prefs.lang));
      setBusy(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const n = items.length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (n) setActive((at + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
    } else if (e.key === "Home" && n && e.ctrlKey) {
      e.preventDefault();
      setActive(0);
    } else if (e.key === "End" && n && e.ctrlKey) {
      e.preventDefault();
      setActive(n - 1);
    } else if (e.key === "Enter") {
      e.preventDefault();
      void choose(items[at]);
    }
  };

  const sections: { id: SwitcherItem["section"]; label: string }[] = [
    { id: "recent", label: t("switcher.recent") },
    { id: "rooms", label: t("switcher.rooms") },
    { id: "people", label: t("switcher.people") },
    { id: "channels", label: t("switcher.channels") },
  ];
  const kindLabel = (it: SwitcherItem) => (it.kind === "person" ? (it.roomId ? t("switcher.openDm") : t("switcher.startDm")) : it.kind === "channel" ? t("switcher.join") : "");

  return (
    <Dialog title={t("switcher.title")} onClose={onClose} className="switcher-dialog">
      <label class="sr-only" for="switcher-input">
        {t("switcher.label")}
      </label>
      <input
        id="switcher-input"
        type="text"
        role="combobox"
        aria-expanded="true"
        aria-controls="switcher-list"
        aria-autocomplete="list"
        aria-activedescendant={items.length ? `sw-opt-${at}` : undefined}
        autocomplete="off"
        spellcheck={false}
        placeholder={t("switcher.placeholder")}
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div id="switcher-list" role="listbox" aria-label={t("switcher.results")} class="switcher-list">
        {sections.map((s) => {
          const its = items.map((it, i) => ({ it, i })).filter((x) => x.it.section === s.id);
          if (its.length === 0) return null;
          return (
            <div key={s.id} role="group" aria-labelledby={`sw-sec-${s.id}`}>
              <div id={`sw-sec-${s.id}`} role="presentation" class="switcher-section">
                {s.label}
              </div>
              {its.map(({ it, i }) => (
                <div
                  key={it.key}
                  id={`sw-opt-${i}`}
                  role="option"
                  aria-selected={i === at}
                  class={`switcher-option ${i === at ? "active" : ""}`}
                  onMouseMove={() => i !== at && setActive(i)}
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => void choose(it)}
                >
                  <span class="switcher-label">{it.label}</span>
                  {it.roomId && state.rooms[it.roomId]?.encrypted && <LockBadge />}
                  {it.detail && <span class="switcher-detail muted">{it.detail}</span>}
                  {kindLabel(it) && <span class="switcher-kind">{kindLabel(it)}</span>}
                </div>
              ))}
            </div>
          );
        })}
      </div>
      <p class="muted small switcher-status" role="status">
        {items.length === 0 ? t("switcher.none") : t("switcher.hint")}
      </p>
    </Dialog>
  );
}
