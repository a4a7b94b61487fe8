// One conversation of the inbox, a column (a tab's panel on a phone): who
// the visitor is and where (name, email, identified, page, language, past
// conversations), the history with internal notes set apart, the rating,
// and the agent's actions (claim, transfer, escalate, close, reopen) and
// composer.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Message } from "../../api/protocol.gen";
import type { SupportConversation } from "../../state/support";
import { useApp } from "../common/context";
import { ConfirmDialog } from "../common/ConfirmDialog";
import { ChannelChip } from "./ChannelChip";
import { SupportComposer } from "./SupportComposer";
import { TransferDialog } from "./TransferDialog";
import { EscalateDialog } from "./EscalateDialog";

type Msg = Message & { internal?: boolean };

export function ConversationView({ conv, active, onActivate, onOpen }: { conv: SupportConversation; active: boolean; onActivate(): void; onOpen(c: SupportConversation): void }) {
  const { chat, support, t, prefs } = useApp();
  const me = chat.state.me?.userId ?? "";
  const mine = conv.assigneeId === me && conv.state === "open";
  const name = conv.visitor.name || t("support.visitor");
  const msgs = (support.messages[conv.roomId] ?? []) as Msg[];
  const [dialog, setDialog] = useState<"" | "transfer" | "escalate" | "close">("");
  const [past, setPast] = useState<SupportConversation[] | null>(null);
  const [err, setErr] = useState("");
  const listRef = useRef<HTMLOListElement>(null);
  useEffect(() => {
    void support.loadMessages(conv.roomId).catch((e) => setErr(e instanceof Error ? e.message : String(e)));
  }, [conv.roomId]);
  // Newest in view; in the active column, what arrives counts as seen.
  const top = msgs.length ? msgs[msgs.length - 1].seq : 0;
  useEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
    if (active && mine && document.visibilityState !== "hidden") support.markSeen(conv.roomId);
  }, [top, active, mine]);
  const act = async (fn: () => Promise<unknown>) => {
    setErr("");
    try {
      await fn();
    } catch (e) {
      setErr(e instanceof Error ? e.message : String(e));
    }
  };
  const time = (iso?: string) => (iso ? new Date(iso).toLocaleString(prefs.lang, { dateStyle: "short", timeStyle: "short" }) : "");
  const clock = (iso: string) => new Date(iso).toLocaleTimeString(prefs.lang, { hour: "2-digit", minute: "2-digit" });
  const team = support.teams.find((x) => x.id === conv.teamId);
  const unread = support.unread(conv.roomId);
  const headId = `conv-h-${conv.roomId}`;
  const typing = support.typingIn(conv.roomId);
  // systemText: a conversation's system line in words (joined, left,
  // transferred, closed, reopened; anything else as the server wrote it).
  const systemText = (m: Msg): string => {
    const who = m.senderId === conv.visitor.id ? name : (chat.state.users[m.senderId]?.displayName ?? m.senderName);
    switch (m.system?.kind) {
      case "joined":
        return t("support.sys.joined", { name: who });
      case "left":
        return t("support.sys.left", { name: who });
      case "transferred":
        return t("support.sys.transferred", { name: who, target: m.system.name ?? "" });
      case "closed":
        return t("support.sys.closed", { name: who });
      case "reopened":
        return t("support.sys.reopened", { name: who });
      default:
        return m.text ? `${who} ${m.text}` : who;
    }
  };

  return (
    <section
      id={`conv-${conv.roomId}`}
      role="tabpanel"
      aria-labelledby={headId}
      class={`support-conv ${active ? "active" : ""} ${conv.priority === "high" ? "high" : ""}`}
      data-room={conv.roomId}
      data-state={conv.state}
      onFocusIn={onActivate}
      onPointerDown={onActivate}
    >
      <header class="conv-head">
        <div class="conv-title">
          <h2 id={headId}>
            {name}
            {unread > 0 && (
              <span class="badge" aria-label={t("support.unread", { n: unread })}>
                {unread}
              </span>
            )}
          </h2>
          <p class="conv-sub">
            <span class={`chip state-${conv.state}`}>{t(`support.state.${conv.state}` as "support.state.open")}</span>
            {conv.priority === "high" && <span class="chip high">{t("support.high")}</span>}
            <ChannelChip conv={conv} />
            {conv.visitor.identified && (
              <span class="chip ok" title={t("support.identifiedHint")}>
                ✓ {t("support.identified")}
              </span>
            )}
            {conv.topic && <span>{conv.topic}</span>}
            {team && <span>{team.name}</span>}
          </p>
        </div>
        <div class="conv-actions">
          {(conv.state === "queued" || conv.state === "bot") && (
            <button type="button" class="btn primary small" onClick={() => act(() => support.claim(conv.roomId))}>
              {t("support.claim")}
            </button>
          )}
          {mine && (
            <>
              <button type="button" class="btn small" onClick={() => setDialog("transfer")}>
                {t("support.transfer")}
              </button>
              {conv.priority !== "high" && (
                <button type="button" class="btn small" onClick={() => setDialog("escalate")}>
                  {t("support.escalate")}
                </button>
              )}
              <button type="button" class="btn small" onClick={() => setDialog("close")}>
                {t("support.close")}
              </button>
            </>
          )}
          {conv.state === "closed" && (
            <button type="button" class="btn small" onClick={() => act(() => support.reopen(conv.roomId))}>
              {t("support.reopen")}
            </button>
          )}
          {!mine && support.peek[conv.roomId] && (
            <button type="button" class="icon-btn" aria-label={t("support.closeView")} title={t("support.closeView")} onClick={() => support.unpeek(conv.roomId)}>
              ×
            </button>
          )}
        </div>
      </header>
      {err && (
        <p class="error" role="alert">
          {err}
        </p>
      )}
      {conv.rating && (
        <p class="conv-rating" data-score={conv.rating.score}>
          <strong>{t("support.rating")}:</strong>{" "}
          <span aria-hidden="true">{"★".repeat(conv.rating.score) + "☆".repeat(Math.max(0, 5 - conv.rating.score))}</span>{" "}
          <span>{t("support.ratingValue", { score: conv.rating.score })}</span>
          {conv.rating.comment && <q>{conv.rating.comment}</q>}
        </p>
      )}
      <details class="conv-details">
        <summary>{t("support.details")}</summary>
        <dl>
          <dt>{t("support.name")}</dt>
          <dd>{name}</dd>
          {conv.visitor.email && (
            <>
              <dt>{t("support.email")}</dt>
              <dd>{conv.visitor.email}</dd>
            </>
          )}
          <dt>{t("support.identified")}</dt>
          <dd>{conv.visitor.identified ? t("support.identified") : t("support.anonymous")}</dd>
          {conv.page?.url && (
            <>
              <dt>{t("support.page")}</dt>
              <dd>
                {/^https?:\/\//i.test(conv.page.url) ? (
                  <a href={conv.page.url} target="_blank" rel="noopener noreferrer">
                    {conv.page.title || conv.page.url}
                  </a>
                ) : (
                  conv.page.title || conv.page.url
                )}
              </dd>
            </>
          )}
          {conv.lang && (
            <>
              <dt>{t("support.language")}</dt>
              <dd lang={conv.lang}>{languageName(conv.lang, prefs.lang)}</dd>
            </>
          )}
          <dt>{t("support.started")}</dt>
          <dd>{time(conv.createdAt)}</dd>
        </dl>
        <div class="conv-past">
          {past === null ? (
            <button type="button" class="text-btn" onClick={() => act(async () => setPast((await support.pastConversations(conv.visitor.id)).filter((p) => p.roomId !== conv.roomId)))}>
              {t("support.pastShow")}
            </button>
          ) : (
            <>
              <h3>{t("support.past")}</h3>
              {past.length === 0 ? (
                <p class="muted">{t("support.pastNone")}</p>
              ) : (
                <ul>
                  {past.map((p) => (
                    <li key={p.roomId}>
                      <button type="button" class="text-btn" onClick={() => onOpen(p)}>
                        {time(p.createdAt)} · {p.topic || t(`support.state.${p.state}` as "support.state.open")}
                        {p.rating ? ` · ★ ${p.rating.score}` : ""}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
        </div>
      </details>
      <ol class="conv-msgs" ref={listRef} aria-label={t("support.history", { name })} tabIndex={0}>
        {msgs.length === 0 && <li class="muted">{t("support.empty")}</li>}
        {msgs.map((m) =>
          m.system ? (
            <li key={m.seq} class="conv-system" data-kind={m.system.kind}>
              {systemText(m)}
            </li>
          ) : (
            <li key={m.seq} class={`conv-msg ${m.internal ? "note" : ""} ${m.senderId === conv.visitor.id ? "visitor" : "agent"}`} data-seq={m.seq}>
              <div class="conv-meta">
                <span class="conv-sender">{m.senderId === conv.visitor.id ? name : m.senderName}</span> <time dateTime={m.createdAt}>{clock(m.createdAt)}</time>
                {m.internal && <span class="note-label">{t("support.noteLabel")}</span>}
              </div>
              <div class="conv-text">{m.deleted ? "—" : m.text}</div>
            </li>
          ),
        )}
      </ol>
      <p class="conv-typing" aria-live="polite">
        {typing && t("support.typing", { name: typing.userId === conv.visitor.id ? name : typing.name })}
      </p>
      {mine && <SupportComposer conv={conv} onActivate={onActivate} />}
      {dialog === "transfer" && <TransferDialog conv={conv} onClose={() => setDialog("")} />}
      {dialog === "escalate" && <EscalateDialog conv={conv} onClose={() => setDialog("")} />}
      {dialog === "close" && (
        <ConfirmDialog title={t("support.close")} body={t("support.closeConfirm", { name })} action={t("support.close")} onClose={() => setDialog("")} onConfirm={() => support.close(conv.roomId)} />
      )}
    </section>
  );
}

function languageName(code: string, lang: string): string {
  try {
    return new Intl.DisplayNames([lang], { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}
