// The scrolling message list: day separators, grouped messages, pending
// sends, receipts, loading older pages at the top while keeping the view
// still, marking read at the bottom, and a jump-to-latest button.
import { Fragment } from "preact";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Message } from "../../api/protocol.gen";
import { receipts } from "../../state/members";
import { useApp, useChatState } from "../common/context";
import { MessageItem, type ListItem } from "./MessageItem";
import type { FormatContext } from "./format";

const GROUP_GAP_MS = 5 * 60_000;

function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function MessageList({ roomId, label }: { roomId: string; label: string }) {
  const { chat, t, prefs } = useApp();
  const state = useChatState(chat);
  const msgs = state.messages[roomId] ?? [];
  const hist = state.history[roomId];
  const me = state.me;
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const anchor = useRef<{ height: number; top: number; first: number } | null>(null);
  const lastSeen = useRef(0);
  const pendingSeen = useRef(0);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [newBelow, setNewBelow] = useState(false);

  const items: ListItem[] = useMemo(() => {
    const list: ListItem[] = msgs.map((m) => ({ msg: m, pending: undefined }));
    for (const p of state.pending) {
      if (p.roomId !== roomId) continue;
      const msg: Message = { roomId, seq: -1, clientId: p.clientId, senderId: me?.userId ?? "", senderName: me?.displayName ?? "", text: p.text, attachments: p.attachments, createdAt: p.createdAt };
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
      if (u) names.push(u.username, u.displayName);
    }
    return { names, myNames: me ? [me.username, me.displayName] : [] };
  }, [members, state.users, me]);

  const isVisible = () => document.visibilityState !== "hidden";

  const checkBottom = () => {
    const el = ref.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < 48 && isVisible();
    if (bottom !== atBottom.current) {
      atBottom.current = bottom;
      chat.setAtBottom(bottom);
    }
    if (bottom) {
      setNewBelow(false);
      chat.markSeen(roomId);
    }
  };

  const loadOlder = () => {
    const el = ref.current;
    if (!el || loadingOlder || !hist?.hasMore) return;
    anchor.current = { height: el.scrollHeight, top: el.scrollTop, first: msgs[0]?.seq ?? 0 };
    setLoadingOlder(true);
    chat
      .loadOlder(roomId)
      .catch(() => {
        anchor.current = null;
      })
      .finally(() => setLoadingOlder(false));
  };

  const onScroll = () => {
    checkBottom();
    if ((ref.current?.scrollTop ?? 1) < 120) loadOlder();
  };

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const first = msgs[0]?.seq ?? 0;
    const last = msgs.length ? msgs[msgs.length - 1].seq : 0;
    if (anchor.current && first !== anchor.current.first) {
      // Older messages were prepended: keep the same message under the eye.
      el.scrollTop = el.scrollHeight - anchor.current.height + anchor.current.top;
      anchor.current = null;
    } else if (atBottom.current || lastSeen.current === 0 || pendingCount > pendingSeen.current) {
      // At the bottom already, or we just sent something: follow it (the
      // scroll event then updates atBottom).
      el.scrollTop = el.scrollHeight;
      if (isVisible()) chat.markSeen(roomId);
    } else if (last > lastSeen.current) {
      setNewBelow(true);
    }
    lastSeen.current = last;
    pendingSeen.current = pendingCount;
  }, [items]);

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
    if (el && hist?.hasMore && el.scrollHeight <= el.clientHeight && !loadingOlder) loadOlder();
  }, [hist?.before, hist?.hasMore]);

  const jump = () => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
    checkBottom();
  };

  let prev: Message | undefined;
  const rows = items.map((item) => {
    const m = item.msg;
    const day = dayKey(m.createdAt);
    const newDay = !prev || dayKey(prev.createdAt) !== day;
    const head = newDay || !prev || prev.senderId !== m.senderId || !!prev.deleted || Date.parse(m.createdAt) - Date.parse(prev.createdAt) > GROUP_GAP_MS;
    prev = m;
    return (
      <Fragment key={item.pending ? item.pending.clientId : m.seq}>
        {newDay && daySeparator(m.createdAt)}
        <MessageItem item={item} head={head} mine={m.senderId === me?.userId} seenBy={item.pending ? undefined : seen.get(m.seq)} sender={state.users[m.senderId]} fmt={fmt} layout={prefs.layout} />
      </Fragment>
    );
  });

  return (
    <div class="list-wrap">
      <div class="messages" ref={ref} onScroll={onScroll} role="log" aria-label={t("msg.list", { room: label })} tabIndex={0}>
        {hist?.loaded && !hist.hasMore && <p class="beginning">{t("msg.beginning", { room: label })}</p>}
        {hist?.hasMore && (
          <button type="button" class="link load-older" onClick={loadOlder} disabled={loadingOlder}>
            {loadingOlder ? t("msg.loadingOlder") : t("msg.loadOlder")}
          </button>
        )}
        {hist?.loaded && items.length === 0 && <p class="beginning">{t("msg.empty")}</p>}
        {rows}
      </div>
      {newBelow && (
        <button type="button" class="jump" onClick={jump}>
          ↓ {t("msg.jumpLatest")}
        </button>
      )}
    </div>
  );

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
