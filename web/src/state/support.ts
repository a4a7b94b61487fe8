// The agents' support inbox (issue 17, docs/SUPPORT.md "## The support
// inbox"): my availability, my teams, the queue of my teams, the
// conversations assigned to me, the messages of those I opened (support
// rooms are not rooms of the team chat: they never enter the chat's store,
// sidebar or unread totals; this keeps their messages itself), what I have
// seen of each (unread badges), the canned answers, and the pure rules the
// screen shows them by (queue order, wait time, `#shortcut` expansion).
// Kept current by the `supportConversation` event and by the `message`
// events of the support rooms I am a member of; reloaded on reconnect.
import type { Message } from "../api/protocol.gen";
import type { ChatFeature } from "./chat";
import { mergeMessages } from "./messages";
import type { ServerFrame } from "./types";

// ---- the shared support model's wire shapes (CONTRACT9 "THE SUPPORT MODEL") ----

export type Availability = "online" | "away" | "busy";
export type ConvState = "bot" | "queued" | "open" | "closed";
export type Priority = "normal" | "high";

export interface SupportVisitor {
  id: string;
  name: string;
  email?: string;
  identified?: boolean;
}

export interface SupportTransfer {
  fromTeamId?: string;
  toTeamId?: string;
  fromUserId?: string;
  toUserId?: string;
  note?: string;
  by?: string;
  at: string;
}

export interface SupportRating {
  score: number;
  comment?: string;
  at?: string;
}

export interface SupportConversation {
  roomId: string;
  widgetId?: string;
  visitor: SupportVisitor;
  topic?: string;
  teamId?: string;
  assigneeId?: string;
  state: ConvState;
  priority?: Priority;
  page?: { url?: string; title?: string };
  lang?: string;
  channel?: "chat" | "email";
  createdAt: string;
  queuedAt?: string;
  assignedAt?: string;
  closedAt?: string;
  lastMessageAt?: string;
  rating?: SupportRating;
  transfers?: SupportTransfer[];
}

export interface Span {
  from: string;
  to: string;
}

export interface BusinessHours {
  tz: string;
  days: Span[][];
}

export interface SupportTeam {
  id: string;
  name: string;
  topics?: string[];
  agents?: string[];
  leads?: string[];
  hours?: BusinessHours | null;
  capacity?: number;
  offline?: boolean;
  autoAssign?: boolean;
}

export interface AgentStatus {
  userId?: string;
  availability: Availability;
  capacity: number;
  open?: number;
}

export interface CannedAnswer {
  id: string;
  teamId?: string;
  shortcut: string;
  title: string;
  text: string;
}

export interface InboxReply {
  status?: AgentStatus;
  teams?: SupportTeam[];
  queued?: SupportConversation[];
  mine?: SupportConversation[];
  recentClosed?: SupportConversation[];
  unread?: Record<string, number>;
}

export const DEFAULT_CAPACITY = 3;
// TYPING_TTL_MS: how long "is typing" shows without a new signal.
const TYPING_TTL_MS = 6000;
// MAX_CAPACITY: the most conversations an agent takes at once (chat.MaxAgentCapacity).
export const MAX_CAPACITY = 20;

// ---- the pure rules ----

// availabilityOf is what the switch shows: "busy" when at capacity.
export function availabilityOf(s: AgentStatus | null | undefined): Availability {
  if (!s) return "away";
  if (s.availability === "away") return "away";
  const cap = s.capacity || DEFAULT_CAPACITY;
  if (s.availability === "busy" || (s.open ?? 0) >= cap) return "busy";
  return "online";
}

const time = (s?: string) => (s ? Date.parse(s) || 0 : 0);

// queueOrder: high priority first, then the longest waiting first.
export function queueOrder(a: SupportConversation, b: SupportConversation): number {
  const pa = a.priority === "high" ? 0 : 1;
  const pb = b.priority === "high" ? 0 : 1;
  if (pa !== pb) return pa - pb;
  return time(a.queuedAt ?? a.createdAt) - time(b.queuedAt ?? b.createdAt) || a.roomId.localeCompare(b.roomId);
}

// queueByTeam groups the queue per team (in the teams' order, then any team
// not known here), each in queue order; teams with nothing queued are kept
// (an empty queue is news too).
export function queueByTeam(queued: SupportConversation[], teams: SupportTeam[]): { team: SupportTeam; items: SupportConversation[] }[] {
  const groups = new Map<string, SupportConversation[]>();
  for (const t of teams) groups.set(t.id, []);
  for (const c of queued) {
    const id = c.teamId ?? "";
    if (!groups.has(id)) groups.set(id, []);
    groups.get(id)!.push(c);
  }
  return [...groups.entries()].map(([id, items]) => ({ team: teams.find((t) => t.id === id) ?? { id, name: id || "—" }, items: items.sort(queueOrder) }));
}

// waitSeconds: how long a conversation has waited for an agent.
export function waitSeconds(c: SupportConversation, now: number): number {
  return Math.max(0, Math.floor((now - time(c.queuedAt ?? c.createdAt)) / 1000));
}

// shortDuration: "42 s", "5 min", "2 h 5 min", "3 d" (units are the same in
// English and German).
export function shortDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

// placeOf: where a conversation belongs in my inbox, "" for nowhere (another
// team's queue, another agent's conversation).
export function placeOf(c: SupportConversation, me: string, myTeams: Set<string>): "queued" | "mine" | "closed" | "" {
  const ours = !!c.teamId && myTeams.has(c.teamId);
  if (c.state === "closed") return c.assigneeId === me || ours ? "closed" : "";
  if (c.assigneeId === me && c.state === "open") return "mine";
  // With the bot: visible in the queue, and claimable.
  if ((c.state === "queued" || c.state === "bot" || (c.state === "open" && !c.assigneeId)) && ours) return "queued";
  return "";
}

export interface InboxLists {
  queued: SupportConversation[];
  mine: SupportConversation[];
  recentClosed: SupportConversation[];
}

const RECENT_CLOSED = 20;

// applyConversation puts a changed conversation where it now belongs (and
// out of where it was).
export function applyConversation(lists: InboxLists, c: SupportConversation, me: string, myTeams: Set<string>): InboxLists {
  const without = (l: SupportConversation[]) => l.filter((x) => x.roomId !== c.roomId);
  const next: InboxLists = { queued: without(lists.queued), mine: without(lists.mine), recentClosed: without(lists.recentClosed) };
  const place = placeOf(c, me, myTeams);
  if (place === "queued") next.queued = [...next.queued, c].sort(queueOrder);
  else if (place === "mine") next.mine = [...next.mine, c].sort((a, b) => time(a.assignedAt ?? a.createdAt) - time(b.assignedAt ?? b.createdAt));
  else if (place === "closed") next.recentClosed = [c, ...next.recentClosed].slice(0, RECENT_CLOSED);
  return next;
}

// cannedFor: the answers an agent of the team may use ("" team: every team).
export function cannedFor(answers: CannedAnswer[], teamId?: string): CannedAnswer[] {
  return answers.filter((a) => !a.teamId || a.teamId === teamId).sort((a, b) => a.shortcut.localeCompare(b.shortcut));
}

const SHORTCUT = /(^|\s)#([\p{L}\p{N}_-]+)(?=\s|$)/gu;

// expandCanned replaces every `#shortcut` of a known answer by its text;
// unknown shortcuts (a hashtag) stay as they are.
export function expandCanned(text: string, answers: CannedAnswer[]): string {
  const by = new Map(answers.map((a) => [a.shortcut.toLowerCase(), a.text]));
  return text.replace(SHORTCUT, (m, pre: string, name: string) => {
    const hit = by.get(name.toLowerCase());
    return hit === undefined ? m : pre + hit;
  });
}

// cannedQuery: the `#partial` being typed at the caret, or null (the picker
// opens while one is typed).
export function cannedQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)#([\p{L}\p{N}_-]*)$/u.exec(before);
  if (!m) return null;
  return { start: before.length - m[2].length - 1, query: m[2].toLowerCase() };
}

// matchCanned: the answers whose shortcut or title starts with (then
// contains) the query.
export function matchCanned(answers: CannedAnswer[], query: string): CannedAnswer[] {
  const q = query.toLowerCase();
  const starts = answers.filter((a) => a.shortcut.toLowerCase().startsWith(q));
  const contains = answers.filter((a) => !starts.includes(a) && (a.shortcut.toLowerCase().includes(q) || a.title.toLowerCase().includes(q)));
  return [...starts, ...contains];
}

// unreadOf counts the messages from others after the last one I saw
// (system lines and my own do not count).
export function unreadOf(msgs: Message[] | undefined, seen: number, me: string): number {
  if (!msgs) return 0;
  return msgs.filter((m) => m.seq > seen && m.senderId !== me && !m.system && !m.deleted).length;
}

// seenFrom: the seen mark below the last n unread messages of a page.
export function seenFrom(msgs: Message[], n: number, me: string): number {
  const top = Math.max(0, ...msgs.map((m) => m.seq));
  if (n <= 0) return top;
  const others = msgs.filter((m) => m.senderId !== me && !m.system && !m.deleted);
  if (others.length === 0) return top;
  return others[Math.max(0, others.length - n)].seq - 1;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

// teamProblems: what is wrong with a team before it is saved (message keys
// of the form, the server checks the same).
export function teamProblems(t: SupportTeam): string[] {
  const out: string[] = [];
  if (!t.name.trim()) out.push("support.team.nameRequired");
  if (t.capacity !== undefined && (!Number.isInteger(t.capacity) || t.capacity < 1 || t.capacity > MAX_CAPACITY)) out.push("support.team.capacityRange");
  if (t.hours) {
    if (!t.hours.tz) out.push("support.team.tzRequired");
    for (const day of t.hours.days) for (const s of day) if (!HHMM.test(s.from) || !HHMM.test(s.to) || s.from >= s.to) out.push("support.team.spanInvalid");
  }
  return [...new Set(out)];
}

// ---- the feature ----

export interface SupportEnv {
  request(payload: Record<string, unknown> & { action: string }): Promise<unknown>;
  userId: string;
  // Whether this person is an admin (sees every team, manages them).
  isAdmin(): boolean;
  onChange(): void;
  announce(text: string): void;
  // The words announced when a conversation comes into my queue or to me.
  describe(kind: "queued" | "assigned", c: SupportConversation): string;
}

export class SupportInbox implements ChatFeature {
  teams: SupportTeam[] = [];
  status: AgentStatus | null = null;
  lists: InboxLists = { queued: [], mine: [], recentClosed: [] };
  canned: CannedAnswer[] = [];
  // listSupportTeams answered (the nav entry waits for it).
  known = false;
  loaded = false;
  error = "";
  // Messages of the conversations I looked at, ascending by seq.
  messages: Record<string, Message[]> = {};
  // The highest seq I have seen per conversation.
  seen: Record<string, number> = {};
  // Conversations opened from the queue or the closed list to read (not mine).
  peek: Record<string, SupportConversation> = {};
  // The server's unread counts of my conversations (getSupportInbox), until
  // their messages are here.
  private unreadHint: Record<string, number> = {};
  // Who is typing in a conversation (the visitor, a colleague), until when.
  typing: Record<string, { userId: string; name: string; until: number }> = {};
  // A conversation to bring on screen (a notification was clicked).
  focusRoom = "";
  private loading: Record<string, Promise<void>> = {};

  constructor(private readonly env: SupportEnv) {}

  // isAgent: a member (agent or lead) of a support team.
  isAgent(): boolean {
    const me = this.env.userId;
    return this.teams.some((t) => t.agents?.includes(me) || t.leads?.includes(me));
  }

  // myTeams: the teams whose queue I see (an admin: every team).
  myTeams(): Set<string> {
    const me = this.env.userId;
    return new Set(this.teams.filter((t) => this.env.isAdmin() || t.agents?.includes(me) || t.leads?.includes(me)).map((t) => t.id));
  }

  // isLead: a lead of the team (or of any team without one), or an admin.
  isLead(teamId?: string): boolean {
    if (this.env.isAdmin()) return true;
    const me = this.env.userId;
    return this.teams.some((t) => (!teamId || t.id === teamId) && t.leads?.includes(me));
  }

  conversation(roomId: string): SupportConversation | undefined {
    return this.lists.mine.find((c) => c.roomId === roomId) ?? this.lists.queued.find((c) => c.roomId === roomId) ?? this.lists.recentClosed.find((c) => c.roomId === roomId) ?? this.peek[roomId];
  }

  // typingIn: who is typing in the conversation now (null for nobody).
  typingIn(roomId: string, now = Date.now()): { userId: string; name: string } | null {
    const ty = this.typing[roomId];
    return ty && ty.until > now ? ty : null;
  }

  unread(roomId: string): number {
    return unreadOf(this.messages[roomId], this.seen[roomId] ?? 0, this.env.userId);
  }

  totalUnread(): number {
    return this.lists.mine.reduce((n, c) => n + this.unread(c.roomId), 0);
  }

  private changed(): void {
    this.env.onChange();
  }

  // discover asks which teams I am in (the nav entry), quietly.
  async discover(): Promise<void> {
    try {
      const r = (await this.env.request({ action: "listSupportTeams" })) as { teams?: SupportTeam[] };
      this.teams = r.teams ?? [];
    } catch {
      this.teams = [];
    }
    this.known = true;
    this.changed();
    // An agent: the queue's count and my unread show in the nav at once.
    if (this.isAgent()) await this.load();
  }

  // load fetches the whole inbox (on opening the screen and on reconnect).
  async load(): Promise<void> {
    try {
      const r = (await this.env.request({ action: "getSupportInbox" })) as InboxReply;
      if (r.teams) this.teams = r.teams;
      this.status = r.status ?? this.status;
      this.lists = { queued: [...(r.queued ?? [])].sort(queueOrder), mine: r.mine ?? [], recentClosed: r.recentClosed ?? [] };
      this.unreadHint = r.unread ?? {};
      this.loaded = true;
      this.known = true;
      this.error = "";
      for (const c of this.lists.mine) void this.loadMessages(c.roomId);
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
    this.changed();
    void this.loadCanned();
  }

  async loadCanned(): Promise<void> {
    try {
      const r = (await this.env.request({ action: "listCannedAnswers" })) as { answers?: CannedAnswer[]; cannedAnswers?: CannedAnswer[] };
      this.canned = r.answers ?? r.cannedAnswers ?? [];
      this.changed();
    } catch {
      /* none */
    }
  }

  // loadMessages fetches a conversation's newest page (once at a time).
  loadMessages(roomId: string, force = false): Promise<void> {
    if (!force && this.messages[roomId]) return Promise.resolve();
    this.loading[roomId] ??= (async () => {
      try {
        const r = (await this.env.request({ action: "history", roomId })) as { messages?: Message[] };
        this.addMessages(roomId, r.messages ?? []);
        // What was there when first opened counts as seen, but for the
        // server's unread count of it.
        if (this.seen[roomId] === undefined) this.seen[roomId] = seenFrom(r.messages ?? [], this.unreadHint[roomId] ?? 0, this.env.userId);
      } finally {
        delete this.loading[roomId];
        this.changed();
      }
    })();
    return this.loading[roomId];
  }

  private addMessages(roomId: string, msgs: Message[]): void {
    this.messages = { ...this.messages, [roomId]: mergeMessages(this.messages[roomId] ?? [], msgs) };
  }

  // markSeen: the conversation is on screen and in focus.
  markSeen(roomId: string): void {
    const top = Math.max(0, ...(this.messages[roomId] ?? []).map((m) => m.seq));
    if ((this.seen[roomId] ?? 0) >= top) return;
    this.seen = { ...this.seen, [roomId]: top };
    this.env.request({ action: "markRead", roomId, seq: top }).catch(() => {});
    this.changed();
  }

  async setStatus(availability: "online" | "away", capacity?: number): Promise<void> {
    const r = (await this.env.request({ action: "setAgentStatus", availability, ...(capacity ? { capacity } : {}) })) as { status?: AgentStatus } & Partial<AgentStatus>;
    this.status = r.status ?? (r.availability ? (r as AgentStatus) : { availability, capacity: capacity ?? this.status?.capacity ?? DEFAULT_CAPACITY, open: this.status?.open });
    this.changed();
  }

  private apply(c: SupportConversation): void {
    this.lists = applyConversation(this.lists, c, this.env.userId, this.myTeams());
    if (this.peek[c.roomId]) this.peek = { ...this.peek, [c.roomId]: c };
    if (this.status) this.status = { ...this.status, open: this.lists.mine.length };
  }

  private convOf(r: unknown): SupportConversation | null {
    const x = r as { conversation?: SupportConversation } | SupportConversation;
    if (x && "conversation" in x && x.conversation) return x.conversation;
    return x && "roomId" in x && "visitor" in x ? (x as SupportConversation) : null;
  }

  private async act(payload: Record<string, unknown> & { action: string }): Promise<SupportConversation | null> {
    const c = this.convOf(await this.env.request(payload));
    if (c) this.apply(c);
    this.changed();
    return c;
  }

  async claim(roomId: string): Promise<void> {
    await this.act({ action: "claimSupport", roomId });
    await this.loadMessages(roomId, true);
  }

  async transfer(roomId: string, to: { teamId?: string; userId?: string }, note: string) {
    // Handed over: it leaves my screen.
    const { [roomId]: _gone, ...rest } = this.peek;
    this.peek = rest;
    return this.act({ action: "transferSupport", roomId, ...(to.teamId ? { toTeamId: to.teamId } : {}), ...(to.userId ? { toUserId: to.userId } : {}), note });
  }

  escalate(roomId: string, note: string) {
    return this.act({ action: "escalateSupport", roomId, priority: "high", note });
  }

  // close keeps the conversation on screen (closed) until dismissed: the
  // visitor's rating arrives there.
  async close(roomId: string) {
    const c = await this.act({ action: "closeSupport", roomId });
    if (c) this.peek = { ...this.peek, [roomId]: c };
    this.changed();
    return c;
  }

  reopen(roomId: string) {
    return this.act({ action: "reopenSupport", roomId });
  }

  // send: a reply to the visitor (`#shortcut`s expanded), or an internal
  // note that only agents see.
  async send(roomId: string, raw: string, note: boolean): Promise<void> {
    const c = this.conversation(roomId);
    const text = expandCanned(raw, cannedFor(this.canned, c?.teamId)).trim();
    if (!text) return;
    const r = (await this.env.request(note ? { action: "addSupportNote", roomId, text } : { action: "sendMessage", roomId, clientId: crypto.randomUUID(), text })) as { message?: Message };
    if (r.message) {
      this.addMessages(roomId, [r.message]);
      this.seen = { ...this.seen, [roomId]: Math.max(this.seen[roomId] ?? 0, r.message.seq) };
    }
    this.changed();
  }

  async pastConversations(visitorId: string): Promise<SupportConversation[]> {
    const r = (await this.env.request({ action: "listVisitorConversations", visitorId })) as { conversations?: SupportConversation[] };
    return r.conversations ?? [];
  }

  // peekAt opens a conversation I am not assigned (queued, closed, past) to read.
  peekAt(c: SupportConversation): void {
    this.peek = { ...this.peek, [c.roomId]: c };
    void this.loadMessages(c.roomId, true).catch(() => {});
    this.changed();
  }

  unpeek(roomId: string): void {
    const { [roomId]: _gone, ...rest } = this.peek;
    this.peek = rest;
    this.changed();
  }

  async saveTeam(team: SupportTeam): Promise<SupportTeam> {
    const r = (await this.env.request({ action: "saveSupportTeam", team })) as { team?: SupportTeam };
    const saved = r.team ?? team;
    this.teams = [...this.teams.filter((t) => t.id !== saved.id), saved].sort((a, b) => a.name.localeCompare(b.name));
    this.changed();
    return saved;
  }

  async deleteTeam(teamId: string): Promise<void> {
    await this.env.request({ action: "deleteSupportTeam", teamId });
    this.teams = this.teams.filter((t) => t.id !== teamId);
    this.changed();
  }

  // allTeams: every team (admins), for the admin screen and transfers.
  async allTeams(): Promise<SupportTeam[]> {
    const r = (await this.env.request({ action: "listSupportTeams" })) as { teams?: SupportTeam[] };
    return r.teams ?? [];
  }

  async saveCanned(answer: Omit<CannedAnswer, "id"> & { id?: string }): Promise<void> {
    const r = (await this.env.request({ action: "saveCannedAnswer", answer })) as { answer?: CannedAnswer };
    const saved = r.answer ?? ({ ...answer, id: answer.id ?? "" } as CannedAnswer);
    this.canned = [...this.canned.filter((a) => a.id !== saved.id), saved];
    this.changed();
  }

  async deleteCanned(id: string): Promise<void> {
    await this.env.request({ action: "deleteCannedAnswer", id });
    this.canned = this.canned.filter((a) => a.id !== id);
    this.changed();
  }

  onEvent(ev: ServerFrame): void {
    const e = ev as { type: string; requestId?: string; conversation?: SupportConversation; message?: Message };
    if (e.type === "supportConversation" && e.conversation) {
      const c = e.conversation;
      // Of a team I did not know: I was added to it meanwhile.
      if (c.teamId && !this.teams.some((t) => t.id === c.teamId)) void this.discover();
      const was = this.conversation(c.roomId);
      this.apply(c);
      const now = placeOf(c, this.env.userId, this.myTeams());
      if (now === "mine" && !this.lists.mine.some((x) => x.roomId === c.roomId && x !== c)) void this.loadMessages(c.roomId);
      if (!e.requestId && now && (!was || placeOf(was, this.env.userId, this.myTeams()) !== now) && (now === "queued" || now === "mine")) this.env.announce(this.env.describe(now === "mine" ? "assigned" : "queued", c));
      this.changed();
    } else if ((e.type === "message" || e.type === "messageUpdated" || e.type === "ack") && e.message) {
      const roomId = e.message.roomId;
      if (this.messages[roomId] || this.conversation(roomId)) {
        this.addMessages(roomId, [e.message]);
        // A message ends its sender's typing.
        if (this.typing[roomId] && e.message.senderId !== this.env.userId) {
          const { [roomId]: _gone, ...rest } = this.typing;
          this.typing = rest;
        }
        this.changed();
      }
    } else if (e.type === "typing") {
      const ty = ev as unknown as { roomId: string; userId: string; displayName: string; stopped?: boolean };
      if (ty.userId === this.env.userId || !this.conversation(ty.roomId)) return;
      if (ty.stopped) {
        const { [ty.roomId]: _gone, ...rest } = this.typing;
        this.typing = rest;
      } else {
        this.typing = { ...this.typing, [ty.roomId]: { userId: ty.userId, name: ty.displayName, until: Date.now() + TYPING_TTL_MS } };
        setTimeout(() => this.changed(), TYPING_TTL_MS + 50);
      }
      this.changed();
    } else if (e.type === "state") {
      // Connected (again): what I am, and what changed meanwhile.
      if (this.loaded) void this.load();
      else void this.discover();
      for (const roomId of Object.keys(this.messages)) void this.loadMessages(roomId, true).catch(() => {});
    }
  }

  onStop(): void {
    this.teams = [];
    this.status = null;
    this.lists = { queued: [], mine: [], recentClosed: [] };
    this.canned = [];
    this.messages = {};
    this.seen = {};
    this.peek = {};
    this.typing = {};
    this.focusRoom = "";
    this.known = false;
    this.loaded = false;
  }
}
