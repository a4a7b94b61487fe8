// The agents' support inbox (issue 17): the availability switch, the queue
// of my teams (high priority first, how long each has waited), my open
// conversations side by side (two or three columns on a wide screen, tabs
// on a phone) with unread badges, the recently closed ones, and the
// managers' screens (canned answers for leads and admins, teams for
// admins).
import "./support.css";
import { useEffect, useState } from "preact/hooks";
import { queueByTeam, shortDuration, waitSeconds, type SupportConversation } from "../../state/support";
import { useApp, useChatState } from "../common/context";
import { AvailabilitySwitch } from "./AvailabilitySwitch";
import { ChannelChip } from "./ChannelChip";
import { ConversationView } from "./ConversationView";
import { CannedAnswersDialog } from "./CannedAnswersDialog";
import { TeamsDialog } from "./TeamsDialog";

// The phone's first tab: the queue and my lists.
const LISTS = "lists";

export function SupportInbox({ drawerOpen, onOpenDrawer }: { drawerOpen: boolean; onOpenDrawer(): void }) {
  const { chat, support, t } = useApp();
  useChatState(chat);
  const [dialog, setDialog] = useState<"" | "canned" | "teams">("");
  const [active, setActive] = useState("");
  // On a phone, one pane at a time: the lists or a conversation.
  const [pane, setPane] = useState<"lists" | "conv">("lists");
  const [now, setNow] = useState(Date.now());
  const isAdmin = chat.state.groups.includes("admins");
  useEffect(() => {
    if (!support.loaded) void support.load();
    const tick = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(tick);
  }, []);

  const name = (c: SupportConversation) => c.visitor.name || t("support.visitor");
  const { lists } = support;
  // The columns: my conversations, then those opened to read.
  const shown = [...lists.mine, ...Object.values(support.peek).filter((p) => !lists.mine.some((m) => m.roomId === p.roomId))];
  const current = shown.some((c) => c.roomId === active) ? active : (shown[0]?.roomId ?? "");
  const open = (c: SupportConversation) => {
    if (!lists.mine.some((m) => m.roomId === c.roomId)) support.peekAt(c);
    setActive(c.roomId);
    setPane("conv");
    // A wide screen scrolls sideways to it.
    requestAnimationFrame(() => document.getElementById(`conv-${c.roomId}`)?.scrollIntoView?.({ block: "nearest", inline: "nearest" }));
  };
  // A conversation asked for (a notification clicked): on screen once known.
  useEffect(() => {
    const c = support.focusRoom && support.conversation(support.focusRoom);
    if (!c) return;
    support.focusRoom = "";
    open(c);
  });
  const groups = queueByTeam(lists.queued, support.teams.filter((tm) => support.myTeams().has(tm.id)));
  const waiting = lists.queued.length;

  const item = (c: SupportConversation, kind: "queued" | "mine" | "closed") => {
    const unread = kind === "mine" ? support.unread(c.roomId) : 0;
    return (
      <li key={c.roomId} class={`support-item ${c.priority === "high" ? "high" : ""} ${current === c.roomId ? "current" : ""}`} data-room={c.roomId}>
        <button type="button" class="support-item-main" onClick={() => open(c)} title={kind === "queued" ? t("support.previewFor", { name: name(c) }) : undefined}>
          <span class="support-item-line">
            <span class="support-item-name">{name(c)}</span>
            {c.priority === "high" && <span class="chip high">{t("support.high")}</span>}
            <ChannelChip conv={c} />
            {unread > 0 && (
              <span class="badge" aria-label={t("support.unread", { n: unread })}>
                {unread}
              </span>
            )}
            {kind === "queued" && <span class="support-wait">{t("support.waiting", { time: shortDuration(waitSeconds(c, now)) })}</span>}
            {kind === "closed" && c.rating && <span class="support-wait">★ {c.rating.score}</span>}
          </span>
          <span class="support-item-sub">{[c.topic, c.page?.title || c.page?.url].filter(Boolean).join(" · ")}</span>
        </button>
        {kind === "queued" && (
          <button
            type="button"
            class="btn primary small"
            aria-label={t("support.claimFor", { name: name(c) })}
            onClick={async () => {
              try {
                await support.claim(c.roomId);
                setActive(c.roomId);
                setPane("conv");
              } catch (err) {
                chat.announce(err instanceof Error ? err.message : String(err));
              }
            }}
          >
            {t("support.claim")}
          </button>
        )}
      </li>
    );
  };

  return (
    <section class="support" aria-labelledby="support-title">
      <header class="support-head">
        <button type="button" class="icon-btn drawer-toggle" aria-expanded={drawerOpen} aria-controls="sidebar" aria-label={t("nav.openSidebar")} title={t("nav.openSidebar")} onClick={onOpenDrawer}>
          ☰
        </button>
        <h1 id="support-title">{t("support.title")}</h1>
        <AvailabilitySwitch />
        <div class="support-tools">
          {(support.isLead() || isAdmin) && (
            <button type="button" class="btn small" onClick={() => setDialog("canned")}>
              {t("support.manageCanned")}
            </button>
          )}
          {isAdmin && (
            <button type="button" class="btn small" onClick={() => setDialog("teams")}>
              {t("support.manageTeams")}
            </button>
          )}
        </div>
      </header>
      {support.error && (
        <p class="error" role="alert">
          {support.error}
        </p>
      )}
      {!support.loaded && !support.error ? (
        <p class="empty-pane">{t("support.loading")}</p>
      ) : !support.isAgent() && !isAdmin ? (
        <p class="empty-pane">{t("support.notAgent")}</p>
      ) : (
        <>
        <div class="support-tabs" role="tablist" aria-label={t("support.conversations")}>
          {[{ roomId: LISTS } as SupportConversation, ...shown].map((c, i, all) => {
            const isLists = c.roomId === LISTS;
            const selected = isLists ? pane === "lists" : pane === "conv" && current === c.roomId;
            const unread = isLists ? 0 : support.unread(c.roomId);
            const select = (x: SupportConversation) => {
              if (x.roomId === LISTS) setPane("lists");
              else {
                setActive(x.roomId);
                setPane("conv");
              }
            };
            return (
              <button
                key={c.roomId}
                type="button"
                role="tab"
                id={`tab-${c.roomId}`}
                aria-selected={selected}
                aria-controls={isLists ? "support-lists" : `conv-${c.roomId}`}
                tabIndex={selected ? 0 : -1}
                onClick={() => select(c)}
                onKeyDown={(e) => {
                  if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
                  const next = all[(i + (e.key === "ArrowRight" ? 1 : all.length - 1)) % all.length];
                  select(next);
                  document.getElementById(`tab-${next.roomId}`)?.focus();
                }}
              >
                {isLists ? t("support.queue") : name(c)}
                {isLists && waiting > 0 && <span class="badge">{waiting}</span>}
                {unread > 0 && (
                  <span class="badge" aria-label={t("support.unread", { n: unread })}>
                    {unread}
                  </span>
                )}
              </button>
            );
          })}
        </div>
        <div class="support-body" data-pane={pane}>
          <div class="support-lists" id="support-lists" role="tabpanel" aria-labelledby="tab-lists">
            <section aria-labelledby="h-support-queue" class="support-queue">
              <h2 id="h-support-queue">
                {t("support.queue")} {waiting > 0 && <span class="badge">{waiting}</span>}
              </h2>
              {groups.length === 0 || waiting === 0 ? <p class="muted">{t("support.queueEmpty")}</p> : null}
              {groups
                .filter((g) => g.items.length > 0)
                .map((g) => (
                  <section key={g.team.id} aria-label={t("support.teamQueue", { team: g.team.name, n: g.items.length })}>
                    <h3>{t("support.teamQueue", { team: g.team.name, n: g.items.length })}</h3>
                    <ul class="support-list">{g.items.map((c) => item(c, "queued"))}</ul>
                  </section>
                ))}
            </section>
            <section aria-labelledby="h-support-mine">
              <h2 id="h-support-mine">{t("support.mine")}</h2>
              {lists.mine.length === 0 ? <p class="muted">{t("support.mineEmpty")}</p> : <ul class="support-list">{lists.mine.map((c) => item(c, "mine"))}</ul>}
            </section>
            {lists.recentClosed.length > 0 && (
              <details class="support-closed">
                <summary>{t("support.recentClosed")}</summary>
                <ul class="support-list">{lists.recentClosed.map((c) => item(c, "closed"))}</ul>
              </details>
            )}
          </div>
          <div class="support-convs">
            {shown.length === 0 ? (
              <p class="empty-pane">{t("support.noConversation")}</p>
            ) : (
              <div class="support-columns" data-count={Math.min(shown.length, 3)}>
                {shown.map((c) => (
                  <ConversationView key={c.roomId} conv={support.conversation(c.roomId) ?? c} active={current === c.roomId} onActivate={() => setActive(c.roomId)} onOpen={open} />
                ))}
              </div>
            )}
          </div>
        </div>
        </>
      )}
      {dialog === "canned" && <CannedAnswersDialog onClose={() => setDialog("")} />}
      {dialog === "teams" && <TeamsDialog onClose={() => setDialog("")} />}
    </section>
  );
}
