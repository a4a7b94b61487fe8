// The scrolling message list: day separators, grouped messages, pending
// sends, receipts, loading older pages at the top while keeping the view
// still, opening at the first unread message (a "New messages" divider, and
// a jump back to it while it is out of view above), marking read only what
// was on screen, and a jump-to-latest button.
import { Fragment } from "preact";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Message } from "../../api/protocol.gen";
import { mentionNames } from "../common/handle";
import { receipts } from "../../state/members";
import { useApp, useChatState } from "../common/context";
import { MessageItem, type ListItem } from "./MessageItem";
import type { FormatContext } from "./format";
import { inTimeline } from "../../state/threads";
import { newsAfter, unreadDividerSeq } from "../../state/rooms";

const GROUP_GAP_MS = 5 * 60_000;

function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function MessageList({ roomId, label }: { roomId: string; label: string }) {
  const { chat, t, prefs } = useApp();
  const state = useChatState(chat);
  // The room's timeline: replies kept in their threads are not in it.
  const held = state.messages[roomId];
  const msgs = useMemo(() => (held ?? []).filter(inTimeline), [held]);
  const hist = state.history[roomId];
  const me = state.me;
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const anchor = useRef<{ height: number; top: number; first: number; offset?: number } | null>(null);
  const lastSeen = useRef(0);
  const pendingSeen = useRef(0);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [loadingNewer, setLoadingNewer] = useState(false);
  // Newer pages were appended (a room opened at a message): not news.
  const newerLoaded = useRef(false);
  const [newBelow, setNewBelow] = useState(false);
  // The read position when the room was opened: messages after it get the
  // "New messages" divider for as long as the room stays open.
  const room = state.rooms[roomId];
  const opened = useRef<{ readSeq: number; unread: number } | null>(null);
  if (!opened.current && room) opened.current = { readSeq: room.readSeq, unread: room.unread };
  const firstUnread = opened.current && opened.current.unread > 0 ? opened.current.readSeq + 1 : 0;
  // Placed yet (at the first unread, or at the bottom), once history came.
  const positioned = useRef(false);
  // Scroll to the divider as soon as it is loaded.
  const wantDivider = useRef(false);
  const [unreadAbove, setUnreadAbove] = useState(false);

  const items: ListItem[] = useMemo(() => {
    const list: ListItem[] = msgs.map((m) => ({ msg: m, pending: undefined }));
    for (const p of state.pending) {
      if (p.roomId !== roomId || !inTimeline(p)) continue;
      const msg: Message = { roomId, seq: -1, clientId: p.clientId, senderId: me?.userId ?? "", senderName: me?.displayName ?? "", text: p.text, attachments: p.attachments, gif: p.gif, createdAt: p.createdAt };
      list.push({ msg, pending: p });
    }
    return list;
  }, [msgs, state.pending, me]);

  const pendingCount = items.length - msgs.length;
  const seen = receipts(state, roomId);
  const members = state.members[roomId] ?? {};
  const fmt: FormatContext = useMemo(() => {
    const names: string[] = [];
    for (const id of Object.keys(members)) {
      const u = state.users[id];
      if (u) names.push(...mentionNames(u));
    }
    return { names, myNames: me ? mentionNames(me) : [] };
  }, [members, state.users, me]);

  const isVisible = () => document.visibilityState !== "hidden";

  // isLoaded: the message seq (or the room's beginning) is held.
  const isLoaded = (seq: number) => {
    const held = chat.state.messages[roomId] ?? [];
    const h = chat.state.history[roomId];
    return (held.length > 0 && held[0].seq <= seq) || (!!h?.loaded && !h.hasMore);
  };

  // seenUpTo: the newest message whose start is on screen.
  const seenUpTo = (el: HTMLElement) => {
    const box = el.getBoundingClientRect();
    const rows = el.querySelectorAll<HTMLElement>("article.msg[data-seq]");
    for (let i = rows.length - 1; i >= 0; i--) {
      const r = rows[i].getBoundingClientRect();
      if (r.top + Math.min(r.height, 40) <= box.bottom) return Number(rows[i].dataset.seq);
    }
    return 0;
  };

  const dividerTop = (el: HTMLElement) => {
    const d = el.querySelector(".unread-divider");
    return d ? d.getBoundingClientRect().top - el.getBoundingClientRect().top : null;
  };

  const checkBottom = () => {
    const el = ref.current;
    if (!el) return;
    const near = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    // Opened at an older message: the bottom of what is held is not the
    // room's newest until the newer pages are in.
    if (near && chat.state.history[roomId]?.hasMoreAfter) loadNewer();
    const bottom = near && isVisible() && !chat.state.history[roomId]?.hasMoreAfter;
    if (bottom !== atBottom.current) {
      atBottom.current = bottom;
      chat.setAtBottom(bottom);
    }
    if (firstUnread) {
      const top = dividerTop(el);
      setUnreadAbove(top === null ? !isLoaded(firstUnread) : top < 0);
    }
    // Nothing counts as seen until the view is placed (while it scrolls
    // back to the first unread, the bottom was not read).
    if (!positioned.current || wantDivider.current || !isVisible()) return;
    if (bottom) {
      setNewBelow(false);
      chat.markSeen(roomId);
    } else {
      const upTo = seenUpTo(el);
      if (upTo > 0) chat.markSeen(roomId, upTo);
    }
  };

  const scrollToDivider = () => {
    const el = ref.current;
    const top = el && dividerTop(el);
    if (!el || top === null || top === undefined) return false;
    el.scrollTop += top - 8;
    return true;
  };

  // revealFirstUnread loads older pages until the first unread message is
  // held, then (in the layout effect) scrolls to the divider.
  const revealFirstUnread = async () => {
    if (!firstUnread) return;
    wantDivider.current = true;
    anchor.current = null;
    if (scrollToDivider()) {
      wantDivider.current = false;
      checkBottom();
      return;
    }
    setLoadingOlder(true);
    try {
      for (let i = 0; i < 50 && !isLoaded(firstUnread); i++) await chat.loadOlder(roomId);
    } catch {
      wantDivider.current = false;
    } finally {
      setLoadingOlder(false);
    }
  };

  const loadOlder = () => {
    const el = ref.current;
    if (!el || loadingOlder || !hist?.hasMore || !positioned.current || wantDivider.current) return;
    const first = msgs[0]?.seq ?? 0;
    const node = el.querySelector<HTMLElement>(`[data-seq="${first}"]`);
    anchor.current = {
      height: el.scrollHeight,
      top: el.scrollTop,
      first,
      offset: node ? node.getBoundingClientRect().top - el.getBoundingClientRect().top : undefined,
    };
    setLoadingOlder(true);
    chat
      .loadOlder(roomId)
      .catch(() => {
        anchor.current = null;
      })
      .finally(() => setLoadingOlder(false));
  };

  const loadNewer = () => {
    const h = chat.state.history[roomId];
    if (loadingNewer || !h?.hasMoreAfter || h.jumping) return;
    setLoadingNewer(true);
    newerLoaded.current = true;
    chat
      .loadNewer(roomId)
      .catch(() => {})
      .finally(() => setLoadingNewer(false));
  };

  // Scrolls that follow a focus move (tabbing into or through the list)
  // are the browser's, not the reader's: they load nothing older.
  const focusedAt = useRef(0);
  const onScroll = () => {
    checkBottom();
    if ((ref.current?.scrollTop ?? 1) < 120 && Date.now() - focusedAt.current > 400) loadOlder();
  };

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const first = msgs[0]?.seq ?? 0;
    const last = msgs.length ? msgs[msgs.length - 1].seq : 0;
    const focus = hist?.focus;
    const target = focus !== undefined && !hist?.jumping ? el.querySelector<HTMLElement>(`[data-seq="${focus}"]`) : null;
    if (hist?.jumping) {
      // The page around a message is on its way: stay put.
    } else if (focus !== undefined && (target || hist?.loaded)) {
      // Opened at a message (a search result): bring it into view and
      // highlight it for a moment.
      positioned.current = true;
      wantDivider.current = false;
      anchor.current = null;
      atBottom.current = false;
      chat.setAtBottom(false);
      if (target) {
        target.scrollIntoView({ block: "center" });
        target.classList.add("flash");
        setTimeout(() => target.classList.remove("flash"), 2500);
      }
      chat.focused(roomId);
      checkBottom();
    } else if (!positioned.current) {
      if (hist?.loaded) {
        // The first page is here: open at the first unread message (loading
        // back to it if needed), or at the bottom.
        positioned.current = true;
        if (firstUnread && !isLoaded(firstUnread)) {
          el.scrollTop = el.scrollHeight;
          void revealFirstUnread();
        } else if (!firstUnread || !scrollToDivider()) el.scrollTop = el.scrollHeight;
        checkBottom();
      } else el.scrollTop = el.scrollHeight;
    } else if (wantDivider.current && firstUnread && isLoaded(firstUnread)) {
      wantDivider.current = false;
      anchor.current = null;
      if (!scrollToDivider()) el.scrollTop = el.scrollHeight;
      checkBottom();
    } else if (anchor.current && first !== anchor.current.first) {
      // Older messages were prepended: keep the same message under the eye,
      // measured on the message itself, and again until the load is over:
      // the header above it ("load older" becoming "the beginning of …")
      // may change in a later render than the messages, and must not move
      // the view either.
      const a = anchor.current;
      const node = el.querySelector<HTMLElement>(`[data-seq="${a.first}"]`);
      if (node && a.offset !== undefined) el.scrollTop += node.getBoundingClientRect().top - el.getBoundingClientRect().top - a.offset;
      else el.scrollTop = el.scrollHeight - a.height + a.top;
      if (!loadingOlder) anchor.current = null;
    } else if (atBottom.current || pendingCount > pendingSeen.current) {
      // At the bottom already, or we just sent something: follow it (the
      // scroll event then updates atBottom).
      el.scrollTop = el.scrollHeight;
      if (isVisible() && !wantDivider.current) chat.markSeen(roomId);
      if (firstUnread) checkBottom();
    } else if (last > lastSeen.current && !newerLoaded.current && newsAfter(chat.state, msgs, lastSeen.current)) {
      setNewBelow(true);
    }
    if (!hist?.hasMoreAfter) newerLoaded.current = false;
    lastSeen.current = last;
    pendingSeen.current = pendingCount;
  }, [items, hist?.loaded, hist?.focus, hist?.jumping, hist?.hasMore, loadingOlder]);

  useEffect(() => {
    const onVis = () => {
      if (!isVisible()) {
        atBottom.current = false;
        chat.setAtBottom(false);
      } else checkBottom();
    };
    document.addEventListener("visibilitychange", onVis);
    return () => document.removeEventListener("visibilitychange", onVis);
  }, [roomId]);

  // A short first page may not fill the screen: keep loading.
  useEffect(() => {
    const el = ref.current;
    if (el && positioned.current && hist?.hasMore && el.scrollHeight <= el.clientHeight && !loadingOlder) loadOlder();
  }, [hist?.before, hist?.hasMore]);

  // The same for newer pages of a room opened at a message.
  useEffect(() => {
    const el = ref.current;
    if (el && hist?.hasMoreAfter && !hist.jumping && el.scrollHeight <= el.clientHeight) loadNewer();
  }, [hist?.after, hist?.hasMoreAfter, hist?.jumping]);

  const jump = () => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
    checkBottom();
  };

  let prev: Message | undefined;
  let lastDay = "";
  // The divider only once the first unread message itself is held.
  let dividerShown = !(firstUnread && ((msgs.length > 0 && msgs[0].seq <= firstUnread) || (hist?.loaded && !hist.hasMore)));
  // Not before a blocked person's (collapsed) message: at the first other.
  const dividerAt = firstUnread ? unreadDividerSeq(state, msgs, firstUnread) : 0;
  const rows = items.map((item) => {
    const m = item.msg;
    const divider = !!dividerAt && !dividerShown && !item.pending && m.seq === dividerAt;
    if (m.system) {
      prev = undefined;
      if (divider) dividerShown = true;
      const day = dayKey(m.createdAt);
      const newDay = day !== lastDay;
      lastDay = day;
      return (
        <Fragment key={m.seq}>
          {newDay && daySeparator(m.createdAt)}
          {divider && (
            <div class="unread-divider" role="separator" aria-label={t("msg.newMessages")}>
              <span>{t("msg.newMessages")}</span>
            </div>
          )}
          <p class="sys-line" data-seq={m.seq} data-day={day}>
            {systemText(m)}{" "}
            <time dateTime={m.createdAt}>{new Date(m.createdAt).toLocaleTimeString(prefs.lang, { hour: "2-digit", minute: "2-digit" })}</time>
          </p>
        </Fragment>
      );
    }
    if (divider) dividerShown = true;
    const day = dayKey(m.createdAt);
    const newDay = day !== lastDay;
    lastDay = day;
    const head = divider || newDay || !prev || prev.senderId !== m.senderId || !!prev.deleted || Date.parse(m.createdAt) - Date.parse(prev.createdAt) > GROUP_GAP_MS;
    prev = m;
    return (
      <Fragment key={item.pending ? item.pending.clientId : m.seq}>
        {newDay && daySeparator(m.createdAt)}
        {divider && (
          <div class="unread-divider" role="separator" aria-label={t("msg.newMessages")}>
            <span>{t("msg.newMessages")}</span>
          </div>
        )}
        <MessageItem item={item} head={head} mine={m.senderId === me?.userId} seenBy={item.pending ? undefined : seen.get(m.seq)} sender={state.users[m.senderId]} fmt={fmt} layout={prefs.layout} />
      </Fragment>
    );
  });

  return (
    <div class="list-wrap">
      <div class="messages" ref={ref} onScroll={onScroll} onFocusIn={() => (focusedAt.current = Date.now())} role="log" aria-label={t("msg.list", { room: label })} tabIndex={0}>
        {hist?.loaded && !hist.hasMore && <p class="beginning">{room?.kind === "direct" ? t("msg.beginningDirect", { name: label }) : t("msg.beginning", { room: label })}</p>}
        {hist?.hasMore && (
          <button type="button" class="link load-older" onClick={loadOlder} disabled={loadingOlder}>
            {loadingOlder ? t("msg.loadingOlder") : t("msg.loadOlder")}
          </button>
        )}
        {hist?.loaded && items.length === 0 && <p class="beginning">{t("msg.empty")}</p>}
        {rows}
        {hist?.hasMoreAfter && !hist.jumping && (
          <button type="button" class="link load-newer" onClick={loadNewer} disabled={loadingNewer}>
            {loadingNewer ? t("msg.loadingNewer") : t("msg.loadNewer")}
          </button>
        )}
      </div>
      {unreadAbove && (
        <button type="button" class="jump jump-unread" onClick={() => void revealFirstUnread()}>
          ↑ {t("msg.jumpUnread")}
        </button>
      )}
      {newBelow && (
        <button type="button" class="jump" onClick={jump}>
          ↓ {t("msg.jumpLatest")}
        </button>
      )}
    </div>
  );

  // systemText: "Bo Berg joined", "Ana added Bo and Cy", "Ana made Bo a
  // moderator", in words (docs/PROTOCOL.md lists the kinds).
  function systemText(m: Message): string {
    const l = m.system!;
    const name = (id: string) => state.users[id]?.displayName ?? "…";
    const actor = state.users[m.senderId]?.displayName ?? m.senderName;
    const names = new Intl.ListFormat(prefs.lang, { type: "conjunction" }).format((l.userIds ?? []).map(name));
    switch (l.kind) {
      case "joined":
        return t("sys.joined", { name: actor });
      case "left":
        return t("sys.left", { name: actor });
      case "invited":
        return t("sys.invited", { name: actor, names });
      case "removed":
        return t("sys.removed", { name: actor, names });
      case "banned":
        return t("sys.banned", { name: actor, names });
      case "role":
        return t(l.role === "owner" ? "sys.roleOwner" : l.role === "moderator" ? "sys.roleModerator" : "sys.roleMember", { name: actor, names });
      case "kind":
        return t(l.roomKind === "private" ? "sys.kindPrivate" : "sys.kindPublic", { name: actor });
      case "archived":
        return t("sys.archived", { name: actor });
      case "unarchived":
        return t("sys.unarchived", { name: actor });
      case "renamed":
        return t("sys.renamed", { name: actor, room: `#${l.name ?? ""}` });
      case "topic":
        return l.topic ? t("sys.topic", { name: actor, topic: l.topic }) : t("sys.topicCleared", { name: actor });
      case "missedCall":
        // The caller is the sender; userIds are who missed it.
        if ((l.userIds ?? []).includes(state.me?.userId ?? "") || (l.userIds ?? []).length === 0) return t(l.video ? "sys.missedVideoCall" : "sys.missedCall", { name: actor });
        return t("sys.missedCallBy", { name: actor, names });
      default:
        return `${actor} ${m.text}`;
    }
  }

  function daySeparator(iso: string) {
    const d = new Date(iso);
    const today = new Date();
    const yesterday = new Date(Date.now() - 86_400_000);
    const text =
      dayKey(iso) === dayKey(today.toISOString())
        ? t("msg.today")
        : dayKey(iso) === dayKey(yesterday.toISOString())
          ? t("msg.yesterday")
          : d.toLocaleDateString(prefs.lang, { weekday: "long", year: "numeric", month: "long", day: "numeric" });
    return (
      <div class="day" role="separator" aria-label={text}>
        <span>{text}</span>
      </div>
    );
  }
}
