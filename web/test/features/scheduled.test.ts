import { describe, expect, it } from "vitest";
import { ScheduledItems, fromLocalInput, presetTime, sortItems, toLocalInput, tooSoon } from "../../src/features/scheduled";
import type { ScheduledItem } from "../../src/api/protocol.gen";

const item = (id: string, over: Partial<ScheduledItem> = {}): ScheduledItem => ({
  id,
  kind: "message",
  roomId: "general",
  at: "2026-11-22T09:00:00Z",
  state: "pending",
  text: "hi",
  createdAt: "2026-11-21T09:00:00Z",
  ...over,
});

describe("scheduled times", () => {
  it("presets count from now in local time", () => {
    const now = new Date(2026, 10, 21, 17, 40, 12); // a Saturday
    expect(presetTime("30m", now).getTime() - now.getTime()).toBe(30 * 60_000);
    const tomorrow = presetTime("tomorrow9", now);
    expect([tomorrow.getDate(), tomorrow.getHours(), tomorrow.getMinutes()]).toEqual([22, 9, 0]);
    const monday = presetTime("monday9", now);
    expect([monday.getDay(), monday.getDate(), monday.getHours()]).toEqual([1, 23, 9]);
    // On a Monday, next Monday is a week on.
    expect(presetTime("monday9", new Date(2026, 10, 23, 8, 0)).getDate()).toBe(30);
  });
  it("datetime-local values round-trip in local time", () => {
    const d = new Date(2026, 0, 5, 7, 3);
    expect(toLocalInput(d)).toBe("2026-01-05T07:03");
    expect(fromLocalInput("2026-01-05T07:03")?.getTime()).toBe(d.getTime());
    expect(fromLocalInput("tomorrow")).toBeNull();
  });
  it("a time less than a minute ahead is too soon", () => {
    const now = new Date(2026, 0, 5, 7, 0);
    expect(tooSoon(new Date(now.getTime() + 59_000), now)).toBe(true);
    expect(tooSoon(new Date(now.getTime() + 60_000), now)).toBe(false);
  });
  it("sorts waiting items soonest first, then settled ones newest first", () => {
    const out = sortItems([
      item("late", { at: "2026-11-23T09:00:00Z" }),
      item("failed", { state: "failed", firedAt: "2026-11-20T09:00:00Z" }),
      item("soon", { at: "2026-11-21T10:00:00Z" }),
      item("fired", { kind: "reminder", state: "fired", firedAt: "2026-11-21T08:00:00Z" }),
    ]);
    expect(out.map((i) => i.id)).toEqual(["soon", "late", "fired", "failed"]);
  });
});

describe("ScheduledItems", () => {
  const setup = () => {
    const sent: Record<string, unknown>[] = [];
    const said: string[] = [];
    const s = new ScheduledItems({
      request: async (p) => {
        sent.push(p);
        if (p.action === "listScheduled") return { type: "scheduledItems", items: [item("a"), item("b", { at: "2026-11-21T10:00:00Z" })] };
        if (p.action === "cancelScheduled") return { type: "scheduled", item: item(p.id as string), cancelled: true };
        return { type: "scheduled", item: item("new", { at: p.at as string, text: p.text as string }) };
      },
      onChange: () => {},
      announce: (text) => said.push(text),
      describe: ({ kind, item }) => `${kind}:${item.text ?? item.reason}`,
    });
    return { s, sent, said };
  };
  it("loads, schedules and cancels", async () => {
    const { s, sent } = setup();
    await s.load();
    expect(s.items.map((i) => i.id)).toEqual(["b", "a"]);
    await s.scheduleMessage("general", "later", new Date("2026-11-24T09:00:00Z"));
    expect(sent[1]).toMatchObject({ action: "scheduleMessage", roomId: "general", text: "later", at: "2026-11-24T09:00:00.000Z" });
    expect(typeof sent[1].clientId).toBe("string");
    expect(s.items.map((i) => i.id)).toEqual(["b", "a", "new"]);
    await s.cancel("a");
    expect(s.items.map((i) => i.id)).toEqual(["b", "new"]);
  });
  it("follows pushed changes: sent, failed, and reminders that fire", async () => {
    const { s, said } = setup();
    await s.load();
    s.onEvent({ type: "scheduled", item: item("a"), sent: true, cancelled: true });
    expect(s.items.map((i) => i.id)).toEqual(["b"]);
    s.onEvent({ type: "scheduled", item: item("b", { state: "failed", reason: "you left" }) });
    expect(s.items[0].state).toBe("failed");
    expect(said).toEqual(["failed:hi"]);
    s.onEvent({ type: "reminder", item: item("r", { kind: "reminder", state: "fired", text: "lunch", seq: 4 }), roomName: "general" });
    expect(s.fired.map((f) => f.item.id)).toEqual(["r"]);
    expect(said[1]).toBe("reminder:lunch");
    s.dismissFired("r");
    expect(s.fired).toEqual([]);
  });
});
