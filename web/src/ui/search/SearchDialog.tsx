// Message search: a query field (the search language of docs/PROTOCOL.md),
// controls that edit its operators as text (from: and in: pickers, a date
// range, has:file/image/link and is:mention), the order (newest first or
// by relevance), and the results, paged with "Load more". Choosing a
// result opens its room at that message.
import { useEffect, useReducer, useRef, useState } from "preact/hooks";
import type { RoomState } from "../../api/protocol.gen";
import { directPeer, roomTitle } from "../../state/rooms";
import { dateFilter, hasToken, initialSearch, operatorValue, reduceSearch, setDateFilter, setOperator, toggleToken, type DateOp } from "../../state/search";
import { Dialog } from "../common/Dialog";
import { useApp, useChatState } from "../common/context";
import { errorText } from "../common/errorText";
import { handleText } from "../common/handle";
import { Highlighted } from "./Highlighted";
import { isBlocked } from "../../state/preferences";
import { LockBadge } from "../e2ee/LockBadge";

const TYPE_PAUSE_MS = 300;
// Names longer than this are cut in the pickers (the select stays narrow).
const PICKER_CHARS = 32;
const cut = (s: string) => (s.length > PICKER_CHARS ? `${s.slice(0, PICKER_CHARS - 1)}…` : s);
const TOKENS = ["has:file", "has:image", "has:link", "is:mention"] as const;
type Token = (typeof TOKENS)[number];

export function SearchDialog({ onClose, onOpenResult }: { onClose(): void; onOpenResult(roomId: string, seq: number, parentSeq?: number): void }) {
  const { chat, t, prefs } = useApp();
  const state = useChatState(chat);
  const [query, setQuery] = useState("");
  const [order, setOrder] = useState<"newest" | "relevance">("newest");
  const orderRef = useRef(order);
  orderRef.current = order;
  const [s, dispatch] = useReducer(reduceSearch, initialSearch);
  // Hits from people I blocked are collapsed like their messages until
  // "show" (issue 15); the keys of the ones shown.
  const [shown, setShown] = useState<ReadonlySet<string>>(new Set());
  const runRef = useRef(0);
  runRef.current = s.run;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const search = (q: string) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (!q.trim()) {
      dispatch({ type: "clear" });
      return;
    }
    dispatch({ type: "start", query: q });
    const run = runRef.current + 1;
    chat.search(q, undefined, orderRef.current).then(
      (r) => dispatch({ type: "page", run, results: r.results, next: r.next, append: false }),
      (err) => dispatch({ type: "fail", run, error: errorText(err, t, prefs.lang) }),
    );
  };
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const edit = (q: string, now = false) => {
    setQuery(q);
    if (timer.current) clearTimeout(timer.current);
    if (now) search(q);
    else timer.current = setTimeout(() => search(q), TYPE_PAUSE_MS);
  };

  const more = () => {
    if (!s.next || s.status !== "done") return;
    const run = s.run;
    dispatch({ type: "more" });
    chat.search(s.query, s.next, order).then(
      (r) => dispatch({ type: "page", run, results: r.results, next: r.next, append: true }),
      (err) => dispatch({ type: "fail", run, error: errorText(err, t, prefs.lang) }),
    );
  };

  // The filters' choices: people with a handle, and my rooms.
  const people = Object.values(state.users)
    .filter((u) => handleText(u) && !u.deactivated)
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
  const roomRef = (r: RoomState): string => {
    if (r.kind !== "direct") return `#${r.name}`;
    const peer = directPeer(state, r);
    return peer && handleText(peer) ? `@${handleText(peer)}` : "";
  };
  // Encrypted rooms are never searched (the server cannot read them).
  const rooms = Object.values(state.rooms)
    .filter((r) => !r.encrypted)
    .map((r) => ({ ref: roomRef(r), label: r.kind === "direct" ? roomTitle(state, r) : `#${r.name}` }))
    .filter((r) => r.ref)
    .sort((a, b) => a.label.localeCompare(b.label));
  const from = operatorValue(query, "from");
  const inRoom = operatorValue(query, "in");
  const date = dateFilter(query);
  const [dateOp, setDateOp] = useState<DateOp>(date.op || "after");
  const shownOp = date.op || dateOp;
  const tokenLabel: Record<Token, string> = {
    "has:file": t("search.hasFile"),
    "has:image": t("search.hasImage"),
    "has:link": t("search.hasLink"),
    "is:mention": t("search.isMention"),
  };
  const reorder = (o: "newest" | "relevance") => {
    setOrder(o);
    orderRef.current = o;
    if (query.trim()) search(query);
  };

  const roomName = (roomId: string) => {
    const r = state.rooms[roomId];
    if (!r) return "";
    return r.kind === "direct" ? roomTitle(state, r) : `#${r.name}`;
  };
  const when = (iso: string) => new Date(iso).toLocaleString(prefs.lang, { dateStyle: "medium", timeStyle: "short" });

  return (
    <Dialog title={t("search.title")} onClose={onClose} wide className="search-dialog">
      <form
        class="search-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          search(query);
        }}
      >
        <label class="sr-only" for="search-input">
          {t("search.label")}
        </label>
        <input id="search-input" type="search" value={query} placeholder={t("search.placeholder")} autocomplete="off" spellcheck={false} onInput={(e) => edit((e.target as HTMLInputElement).value)} />
        <div class="search-filters">
          <span class="search-filter">
            <label for="search-from">{t("search.from")}</label>
            <select id="search-from" value={from} onChange={(e) => edit(setOperator(query, "from", (e.target as HTMLSelectElement).value), true)}>
              <option value="">{t("search.anyone")}</option>
              {people.map((u) => (
                <option key={u.userId} value={`@${handleText(u)}`} title={`${u.displayName} (@${handleText(u)})`}>
                  {cut(u.displayName)} (@{cut(handleText(u))})
                </option>
              ))}
            </select>
          </span>
          <span class="search-filter">
            <label for="search-in">{t("search.in")}</label>
            <select id="search-in" value={inRoom} onChange={(e) => edit(setOperator(query, "in", (e.target as HTMLSelectElement).value), true)}>
              <option value="">{t("search.anywhere")}</option>
              {rooms.map((r) => (
                <option key={r.ref} value={r.ref} title={r.label}>
                  {cut(r.label)}
                </option>
              ))}
            </select>
          </span>
          <span class="search-filter">
            <label for="search-date-op">{t("search.date")}</label>
            <select
              id="search-date-op"
              value={shownOp}
              onChange={(e) => {
                const op = (e.target as HTMLSelectElement).value as DateOp;
                setDateOp(op);
                if (date.date) edit(setDateFilter(query, op, date.date), true);
              }}
            >
              <option value="after">{t("search.after")}</option>
              <option value="before">{t("search.before")}</option>
              <option value="on">{t("search.on")}</option>
            </select>
            <input
              id="search-date"
              type="date"
              aria-label={t("search.dateValue")}
              value={/^\d{4}-\d{2}-\d{2}$/.test(date.date) ? date.date : ""}
              onChange={(e) => edit(setDateFilter(query, shownOp, (e.target as HTMLInputElement).value), true)}
            />
          </span>
        </div>
        <fieldset class="search-filters search-tokens">
          <legend class="sr-only">{t("search.only")}</legend>
          {TOKENS.map((tok) => (
            <label key={tok} class="search-token">
              <input type="checkbox" checked={hasToken(query, tok)} onChange={(e) => edit(toggleToken(query, tok, (e.target as HTMLInputElement).checked), true)} />
              {tokenLabel[tok]}
            </label>
          ))}
          <span class="search-order" role="radiogroup" aria-label={t("search.order")}>
            {(["newest", "relevance"] as const).map((o) => (
              <label key={o} class="search-token">
                <input type="radio" name="search-order" value={o} checked={order === o} onChange={() => reorder(o)} />
                {o === "newest" ? t("search.newest") : t("search.relevance")}
              </label>
            ))}
          </span>
        </fieldset>
      </form>
      {s.status === "error" && (
        <p class="error search-error" role="alert">
          {s.error}
        </p>
      )}
      <p class="muted small e2ee-search-note" data-testid="e2ee-search-note">
        <LockBadge /> {t("e2ee.searchNote")}
      </p>
      <p class="muted small search-status" role="status">
        {s.status === "loading" ? t("search.searching") : s.status === "done" || s.status === "more" ? (s.results.length ? t("search.count", { n: s.results.length }) : t("search.none")) : s.status === "idle" ? t("search.hint") : ""}
      </p>
      {s.results.length > 0 && (
        <ul class="search-results">
          {s.results.map((r) => {
            const key = `${r.roomId}:${r.seq}`;
            // Never a hit from an encrypted room (the server indexes none).
            if (state.rooms[r.roomId]?.encrypted) return null;
            if (isBlocked(state, r.senderId) && !shown.has(key))
              return (
                <li key={key} class="search-result-blocked">
                  <strong class="search-room">{roomName(r.roomId)}</strong>
                  <time dateTime={r.createdAt}>{when(r.createdAt)}</time>
                  <span class="tombstone">
                    {t("privacy.blockedMessage")} —{" "}
                    <button type="button" class="link" data-action="show-blocked" onClick={() => setShown(new Set([...shown, key]))}>
                      {t("privacy.show")}
                    </button>
                  </span>
                </li>
              );
            return (
              <li key={key}>
                <button type="button" class="search-result" onClick={() => onOpenResult(r.roomId, r.seq, r.parentSeq && !r.toRoom ? r.parentSeq : undefined)}>
                  <span class="search-meta">
                    <strong class="search-room">{roomName(r.roomId)}</strong>
                    <span class="search-author">{r.senderName || state.users[r.senderId]?.displayName || ""}</span>
                    <time dateTime={r.createdAt}>{when(r.createdAt)}</time>
                  </span>
                  <span class="search-text">
                    <Highlighted text={r.text} highlights={r.highlights} />
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {s.next && (
        <button type="button" class="btn search-more" onClick={more} disabled={s.status !== "done"}>
          {s.status === "more" ? t("search.loading") : t("search.more")}
        </button>
      )}
    </Dialog>
  );
}
