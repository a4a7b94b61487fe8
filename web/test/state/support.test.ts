// The support inbox's rules and its feature, without a socket: queue order,
// where a changed conversation goes, `#shortcut` expansion and the picker's
// query, unread counts, the team form's checks, and the feature kept current
// by supportConversation and message events.
import { describe, expect, it, vi } from "vitest";
import type { Message } from "../../src/api/protocol.gen";
import {
  applyConversation,
  availabilityOf,
  cannedFor,
  cannedQuery,
  expandCanned,
  matchCanned,
  placeOf,
  queueByTeam,
  queueOrder,
  seenFrom,
  shortDuration,
  SupportInbox,
  teamProblems,
  unreadOf,
  waitSeconds,
  type CannedAnswer,
  type InboxLists,
  type SupportConversation,
} from "../../src/state/support";
import type { ServerFrame } from "../../src/state/types";
import { initialState, reduce } from "../../src/state/store";
import { msg as fmsg, room, stateFrame } from "../fixtures";

const conv = (roomId: string, over: Partial<SupportConversation> = {}): SupportConversation => ({
  roomId,
  visitor: { id: `vis_${roomId}`, name: `V ${roomId}` },
  state: "queued",
  teamId: "team_a",
  createdAt: "2026-11-30T10:00:00Z",
  queuedAt: "2026-11-30T10:00:00Z",
  ...over,
});

const msg = (roomId: string, seq: number, senderId: string, over: Partial<Message> = {}): Message => ({ roomId, seq, clientId: `c${seq}`, senderId, senderName: senderId, text: `m${seq}`, createdAt: "2026-11-30T10:00:00Z", ...over });

const canned: CannedAnswer[] = [
  { id: "can_1", shortcut: "refund", title: "Refunds", text: "Refunds take 5 days." },
  { id: "can_2", shortcut: "hours", title: "Opening hours", text: "We are open 9-17.", teamId: "team_a" },
  { id: "can_3", shortcut: "ship", title: "Shipping", text: "Ships in 2 days.", teamId: "team_b" },
];

describe("availability", () => {
  it("is busy at capacity, away when set away", () => {
    expect(availabilityOf(null)).toBe("away");
    expect(availabilityOf({ availability: "online", capacity: 3, open: 2 })).toBe("online");
    expect(availabilityOf({ availability: "online", capacity: 3, open: 3 })).toBe("busy");
    expect(availabilityOf({ availability: "busy", capacity: 3, open: 1 })).toBe("busy");
    expect(availabilityOf({ availability: "away", capacity: 3, open: 5 })).toBe("away");
    // No capacity given: the default of 3.
    expect(availabilityOf({ availability: "online", capacity: 0, open: 3 })).toBe("busy");
  });
});

describe("the queue", () => {
  it("puts high priority first, then the longest waiting", () => {
    const list = [
      conv("new", { queuedAt: "2026-11-30T10:05:00Z" }),
      conv("old", { queuedAt: "2026-11-30T09:00:00Z" }),
      conv("urgent", { queuedAt: "2026-11-30T10:10:00Z", priority: "high" }),
    ].sort(queueOrder);
    expect(list.map((c) => c.roomId)).toEqual(["urgent", "old", "new"]);
  });

  it("groups per team in the teams' order, keeping empty teams", () => {
    const groups = queueByTeam([conv("b1", { teamId: "team_b" }), conv("a1"), conv("x1", { teamId: "team_x" })], [
      { id: "team_a", name: "Billing" },
      { id: "team_b", name: "Tech" },
      { id: "team_c", name: "Sales" },
    ]);
    expect(groups.map((g) => [g.team.name, g.items.map((c) => c.roomId)])).toEqual([
      ["Billing", ["a1"]],
      ["Tech", ["b1"]],
      ["Sales", []],
      ["team_x", ["x1"]],
    ]);
  });

  it("tells the wait in short units", () => {
    const c = conv("w", { queuedAt: "2026-11-30T10:00:00Z" });
    expect(waitSeconds(c, Date.parse("2026-11-30T10:00:42Z"))).toBe(42);
    expect(waitSeconds(c, Date.parse("2026-11-30T09:00:00Z"))).toBe(0);
    expect(shortDuration(42)).toBe("42 s");
    expect(shortDuration(5 * 60 + 3)).toBe("5 min");
    expect(shortDuration(2 * 3600 + 5 * 60)).toBe("2 h 5 min");
    expect(shortDuration(3600)).toBe("1 h");
    expect(shortDuration(3 * 86400)).toBe("3 d");
  });
});

describe("where a conversation belongs", () => {
  const mine = new Set(["team_a"]);
  it("queued of my teams, open and assigned to me, closed of mine", () => {
    expect(placeOf(conv("q"), "u1", mine)).toBe("queued");
    expect(placeOf(conv("q", { teamId: "team_b" }), "u1", mine)).toBe("");
    expect(placeOf(conv("o", { state: "open", assigneeId: "u1" }), "u1", mine)).toBe("mine");
    expect(placeOf(conv("o", { state: "open", assigneeId: "u2" }), "u1", mine)).toBe("");
    expect(placeOf(conv("c", { state: "closed", assigneeId: "u1" }), "u1", mine)).toBe("closed");
    // Closed by a colleague of my team: among the team's recently closed.
    expect(placeOf(conv("c", { state: "closed", assigneeId: "u2" }), "u1", mine)).toBe("closed");
    expect(placeOf(conv("c", { state: "closed", assigneeId: "u2", teamId: "team_b" }), "u1", mine)).toBe("");
    // With the bot: in the queue, claimable.
    expect(placeOf(conv("b", { state: "bot" }), "u1", mine)).toBe("queued");
  });

  it("moves from the queue to mine to closed, and out on a transfer", () => {
    let lists: InboxLists = { queued: [conv("r1"), conv("r2")], mine: [], recentClosed: [] };
    lists = applyConversation(lists, conv("r1", { state: "open", assigneeId: "u1" }), "u1", mine);
    expect(lists.queued.map((c) => c.roomId)).toEqual(["r2"]);
    expect(lists.mine.map((c) => c.roomId)).toEqual(["r1"]);
    // Transferred to another team: gone from my lists.
    lists = applyConversation(lists, conv("r1", { state: "queued", teamId: "team_b" }), "u1", mine);
    expect(lists.mine).toEqual([]);
    expect(lists.queued.map((c) => c.roomId)).toEqual(["r2"]);
    lists = applyConversation(lists, conv("r2", { state: "closed", assigneeId: "u1" }), "u1", mine);
    expect(lists.queued).toEqual([]);
    expect(lists.recentClosed.map((c) => c.roomId)).toEqual(["r2"]);
  });
});

describe("canned answers", () => {
  it("offers a team's answers and those for every team", () => {
    expect(cannedFor(canned, "team_a").map((a) => a.shortcut)).toEqual(["hours", "refund"]);
    expect(cannedFor(canned, "team_b").map((a) => a.shortcut)).toEqual(["refund", "ship"]);
  });

  it("expands known #shortcuts and leaves other hashtags", () => {
    expect(expandCanned("#refund", canned)).toBe("Refunds take 5 days.");
    expect(expandCanned("Hi! #refund Thanks", canned)).toBe("Hi! Refunds take 5 days. Thanks");
    expect(expandCanned("#REFUND", canned)).toBe("Refunds take 5 days.");
    expect(expandCanned("see #general and #refunds", canned)).toBe("see #general and #refunds");
    expect(expandCanned("a#refund", canned)).toBe("a#refund");
    expect(expandCanned("#hours\n#ship", canned)).toBe("We are open 9-17.\nShips in 2 days.");
  });

  it("finds the #query at the caret for the picker", () => {
    expect(cannedQuery("#re", 3)).toEqual({ start: 0, query: "re" });
    expect(cannedQuery("hello #Ref", 10)).toEqual({ start: 6, query: "ref" });
    expect(cannedQuery("hello #", 7)).toEqual({ start: 6, query: "" });
    expect(cannedQuery("hello#re", 8)).toBeNull();
    expect(cannedQuery("#refund done", 12)).toBeNull();
  });

  it("matches shortcuts first, then titles", () => {
    expect(matchCanned(canned, "h").map((a) => a.shortcut)).toEqual(["hours", "ship"]);
    expect(matchCanned(canned, "ship").map((a) => a.shortcut)).toEqual(["ship"]);
    expect(matchCanned(canned, "opening").map((a) => a.shortcut)).toEqual(["hours"]);
    expect(matchCanned(canned, "").length).toBe(3);
  });
});

describe("unread and the team form", () => {
  it("counts others' messages after the last seen, not system lines or mine", () => {
    const msgs = [msg("r", 1, "vis_r"), msg("r", 2, "u1"), msg("r", 3, "vis_r"), msg("r", 4, "sys", { system: { kind: "joined" } as Message["system"] }), msg("r", 5, "vis_r")];
    expect(unreadOf(msgs, 0, "u1")).toBe(3);
    expect(unreadOf(msgs, 3, "u1")).toBe(1);
    expect(unreadOf(undefined, 0, "u1")).toBe(0);
  });

  it("keeps the server's unread count when a conversation's first page arrives", () => {
    const msgs = [msg("r", 1, "vis_r"), msg("r", 2, "u1"), msg("r", 3, "vis_r"), msg("r", 4, "vis_r")];
    expect(seenFrom(msgs, 0, "u1")).toBe(4);
    expect(unreadOf(msgs, seenFrom(msgs, 2, "u1"), "u1")).toBe(2);
    expect(unreadOf(msgs, seenFrom(msgs, 9, "u1"), "u1")).toBe(3);
    expect(seenFrom([], 2, "u1")).toBe(0);
  });

  it("checks name, capacity and hours", () => {
    expect(teamProblems({ id: "", name: "Billing", capacity: 3 })).toEqual([]);
    expect(teamProblems({ id: "", name: " ", capacity: 0 })).toEqual(["support.team.nameRequired", "support.team.capacityRange"]);
    const days = [[], [{ from: "09:00", to: "17:00" }], [{ from: "18:00", to: "09:00" }], [], [], [], []];
    expect(teamProblems({ id: "", name: "B", hours: { tz: "Europe/Berlin", days } })).toEqual(["support.team.spanInvalid"]);
    expect(teamProblems({ id: "", name: "B", hours: { tz: "", days: [[], [], [], [], [], [], []] } })).toEqual(["support.team.tzRequired"]);
  });
});

// A fake server: answers by action.
function setup(replies: Record<string, unknown>, me = "u1") {
  const sent: Record<string, unknown>[] = [];
  const announced: string[] = [];
  const onChange = vi.fn();
  const inbox = new SupportInbox({
    request: async (p) => {
      sent.push(p);
      const r = replies[p.action];
      if (r instanceof Error) throw r;
      return typeof r === "function" ? (r as (p: unknown) => unknown)(p) : (r ?? {});
    },
    userId: me,
    isAdmin: () => false,
    onChange,
    announce: (t) => announced.push(t),
    describe: (kind, c) => `${kind}:${c.visitor.name}`,
  });
  return { inbox, sent, announced, onChange };
}

const teamA = { id: "team_a", name: "Billing", agents: ["u1", "u2"], leads: ["u2"] };

describe("the inbox feature", () => {
  it("discovers an agent's teams and loads the inbox with the queue ordered", async () => {
    const { inbox, sent } = setup({
      listSupportTeams: { teams: [teamA] },
      getSupportInbox: { status: { availability: "online", capacity: 3, open: 1 }, teams: [teamA], queued: [conv("q2", { queuedAt: "2026-11-30T10:05:00Z" }), conv("q1")], mine: [conv("m1", { state: "open", assigneeId: "u1" })], recentClosed: [] },
      history: (p: { roomId: string }) => ({ type: "history", roomId: p.roomId, messages: [msg(p.roomId, 1, `vis_${p.roomId}`)] }),
      listCannedAnswers: { answers: canned },
    });
    await inbox.discover();
    await vi.waitFor(() => expect(inbox.canned.length).toBe(3));
    expect(inbox.isAgent()).toBe(true);
    expect(inbox.isLead()).toBe(false);
    expect(inbox.lists.queued.map((c) => c.roomId)).toEqual(["q1", "q2"]);
    expect(inbox.messages.m1?.length).toBe(1);
    // What was there when first loaded counts as seen.
    expect(inbox.unread("m1")).toBe(0);
    expect(sent.map((p) => p.action)).toEqual(expect.arrayContaining(["listSupportTeams", "getSupportInbox", "history", "listCannedAnswers"]));
  });

  it("learns of a team it was added to from that team's first conversation", async () => {
    let teams: unknown[] = [];
    const { inbox } = setup({ listSupportTeams: () => ({ teams }), getSupportInbox: () => ({ teams, queued: [conv("q1")] }), history: { messages: [] } });
    await inbox.discover();
    expect(inbox.isAgent()).toBe(false);
    teams = [teamA];
    inbox.onEvent({ type: "supportConversation", conversation: conv("q1") } as unknown as ServerFrame);
    await vi.waitFor(() => expect(inbox.isAgent()).toBe(true));
    await vi.waitFor(() => expect(inbox.lists.queued.map((c) => c.roomId)).toEqual(["q1"]));
  });

  it("someone who is in no team is no agent and loads nothing more", async () => {
    const { inbox, sent } = setup({ listSupportTeams: { teams: [] } });
    await inbox.discover();
    expect(inbox.isAgent()).toBe(false);
    expect(sent.map((p) => p.action)).toEqual(["listSupportTeams"]);
  });

  it("follows supportConversation events and counts unread messages of mine", async () => {
    const { inbox, announced } = setup({ listSupportTeams: { teams: [teamA] }, getSupportInbox: { teams: [teamA] }, history: { messages: [] } });
    await inbox.discover();
    inbox.onEvent({ type: "supportConversation", conversation: conv("r9", { visitor: { id: "vis_9", name: "Nia" } }) } as unknown as ServerFrame);
    expect(inbox.lists.queued.map((c) => c.roomId)).toEqual(["r9"]);
    expect(announced).toEqual(["queued:Nia"]);
    inbox.onEvent({ type: "supportConversation", conversation: conv("r9", { visitor: { id: "vis_9", name: "Nia" }, state: "open", assigneeId: "u1" }) } as unknown as ServerFrame);
    expect(inbox.lists.queued).toEqual([]);
    expect(inbox.lists.mine.map((c) => c.roomId)).toEqual(["r9"]);
    await vi.waitFor(() => expect(inbox.messages.r9).toEqual([]));
    inbox.onEvent({ type: "message", message: msg("r9", 1, "vis_9") } as ServerFrame);
    inbox.onEvent({ type: "message", message: msg("r9", 2, "vis_9") } as ServerFrame);
    // A room that is not a support conversation of mine is not kept.
    inbox.onEvent({ type: "message", message: msg("general", 7, "u3") } as ServerFrame);
    expect(inbox.unread("r9")).toBe(2);
    expect(inbox.totalUnread()).toBe(2);
    expect(inbox.messages.general).toBeUndefined();
    inbox.markSeen("r9");
    expect(inbox.unread("r9")).toBe(0);
    // Another agent's conversation leaves the queue without landing in mine.
    inbox.onEvent({ type: "supportConversation", conversation: conv("r8") } as unknown as ServerFrame);
    inbox.onEvent({ type: "supportConversation", conversation: conv("r8", { state: "open", assigneeId: "u2" }) } as unknown as ServerFrame);
    expect(inbox.lists.queued).toEqual([]);
    expect(inbox.lists.mine.map((c) => c.roomId)).toEqual(["r9"]);
  });

  it("shows who types in a conversation until they send or stop", async () => {
    vi.useFakeTimers({ toFake: ["Date", "setTimeout"] });
    try {
      const { inbox } = setup({ listSupportTeams: { teams: [teamA] }, getSupportInbox: { teams: [teamA], mine: [conv("m1", { state: "open", assigneeId: "u1" })] }, history: { messages: [] } });
      await inbox.discover();
      const typing = (userId: string, roomId = "m1", stopped?: boolean) => inbox.onEvent({ type: "typing", roomId, userId, displayName: "Vera", stopped } as unknown as ServerFrame);
      typing("vis_m1");
      typing("vis_x", "other-room");
      typing("u1");
      expect(inbox.typingIn("m1")).toEqual(expect.objectContaining({ userId: "vis_m1" }));
      expect(inbox.typingIn("other-room")).toBeNull();
      vi.advanceTimersByTime(7000);
      expect(inbox.typingIn("m1")).toBeNull();
      typing("vis_m1");
      inbox.onEvent({ type: "message", message: msg("m1", 1, "vis_m1") } as ServerFrame);
      expect(inbox.typingIn("m1")).toBeNull();
      typing("vis_m1");
      typing("vis_m1", "m1", true);
      expect(inbox.typingIn("m1")).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it("sends replies with #shortcuts expanded, and notes through addSupportNote", async () => {
    const { inbox, sent } = setup({
      listSupportTeams: { teams: [teamA] },
      getSupportInbox: { teams: [teamA], mine: [conv("m1", { state: "open", assigneeId: "u1" })] },
      history: { messages: [] },
      listCannedAnswers: { answers: canned },
      sendMessage: (p: { text: string }) => ({ type: "ack", message: msg("m1", 1, "u1", { text: p.text }) }),
      addSupportNote: (p: { text: string }) => ({ type: "messageSent", message: { ...msg("m1", 2, "u1", { text: p.text }), internal: true } }),
    });
    await inbox.discover();
    await vi.waitFor(() => expect(inbox.canned.length).toBe(3));
    await inbox.send("m1", "Hello! #refund", false);
    await inbox.send("m1", "VIP customer #refund", true);
    await inbox.send("m1", "   ", false);
    const writes = sent.filter((p) => p.action === "sendMessage" || p.action === "addSupportNote");
    expect(writes.map((p) => [p.action, p.text])).toEqual([
      ["sendMessage", "Hello! Refunds take 5 days."],
      ["addSupportNote", "VIP customer Refunds take 5 days."],
    ]);
    expect(inbox.messages.m1.map((m) => m.seq)).toEqual([1, 2]);
    expect(inbox.unread("m1")).toBe(0);
  });

  it("claims, transfers, escalates, closes and reopens through the replies", async () => {
    const reply = (over: Partial<SupportConversation>) => () => ({ type: "supportConversation", conversation: conv("q1", over) });
    const { inbox, sent } = setup({
      listSupportTeams: { teams: [teamA] },
      getSupportInbox: { teams: [teamA], queued: [conv("q1")] },
      history: { messages: [] },
      claimSupport: reply({ state: "open", assigneeId: "u1" }),
      escalateSupport: reply({ state: "open", assigneeId: "u1", priority: "high" }),
      transferSupport: reply({ state: "queued", teamId: "team_b" }),
      closeSupport: reply({ state: "closed", assigneeId: "u1" }),
      reopenSupport: reply({ state: "open", assigneeId: "u1" }),
    });
    await inbox.discover();
    await inbox.claim("q1");
    expect(inbox.lists.mine.map((c) => c.roomId)).toEqual(["q1"]);
    await inbox.escalate("q1", "angry");
    expect(inbox.lists.mine[0].priority).toBe("high");
    await inbox.transfer("q1", { teamId: "team_b" }, "for tech");
    expect(inbox.lists.mine).toEqual([]);
    await inbox.close("q1");
    expect(inbox.lists.recentClosed.map((c) => c.roomId)).toEqual(["q1"]);
    await inbox.reopen("q1");
    expect(inbox.lists.mine.map((c) => c.roomId)).toEqual(["q1"]);
    const acts = sent.filter((p) => /Support$/.test(p.action as string));
    expect(acts).toEqual([
      { action: "claimSupport", roomId: "q1" },
      { action: "escalateSupport", roomId: "q1", priority: "high", note: "angry" },
      { action: "transferSupport", roomId: "q1", toTeamId: "team_b", note: "for tech" },
      { action: "closeSupport", roomId: "q1" },
      { action: "reopenSupport", roomId: "q1" },
    ]);
  });

  it("reloads on reconnect and forgets everything on stop", async () => {
    const { inbox, sent } = setup({ listSupportTeams: { teams: [teamA] }, getSupportInbox: { teams: [teamA], queued: [conv("q1")] }, history: { messages: [] } });
    await inbox.discover();
    const before = sent.filter((p) => p.action === "getSupportInbox").length;
    inbox.onEvent({ type: "state" } as unknown as ServerFrame);
    await vi.waitFor(() => expect(sent.filter((p) => p.action === "getSupportInbox").length).toBe(before + 1));
    inbox.onStop();
    expect(inbox.lists.queued).toEqual([]);
    expect(inbox.isAgent()).toBe(false);
  });
});

describe("the team chat's store", () => {
  it("keeps support conversations out: no room, no unread, no messages", () => {
    let s = reduce(initialState, stateFrame([room("general"), room("sup_x", { kind: "support", unread: 3 })]));
    expect(Object.keys(s.rooms)).toEqual(["general"]);
    // An agent who claims a conversation joins its room: still not a room here.
    s = reduce(s, { type: "roomAdded", room: room("sup_y", { kind: "support" }) } as ServerFrame);
    s = reduce(s, { type: "message", message: fmsg("sup_y", 1) } as ServerFrame);
    expect(Object.keys(s.rooms)).toEqual(["general"]);
    expect(s.messages.sup_y).toBeUndefined();
    s = reduce(s, { type: "roomAdded", room: room("team", { kind: "public" }) } as ServerFrame);
    expect(Object.keys(s.rooms).sort()).toEqual(["general", "team"]);
  });
});
