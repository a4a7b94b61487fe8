// Scheduled messages and reminders (docs/PROTOCOL.md "Scheduled messages
// and reminders"): my items as the server keeps them, kept current by the
// `scheduled` events every change pushes to all my connections, and the
// reminders that fired, shown until dismissed. A feature of its own: the
// chat's store does not hold them.
import type { Message, ReminderFrame, ScheduledFrame, ScheduledItem, ScheduledItemsFrame } from "../api/protocol.gen";
import type { ChatFeature } from "../state/chat";
import type { ServerFrame } from "../state/types";

export interface ScheduledEnv {
  request(payload: Record<string, unknown> & { action: string }): Promise<ServerFrame>;
  onChange(): void;
  // announce: a line for screen readers (a reminder fired, a message failed).
  announce(text: string): void;
  describe(ev: { kind: "reminder" | "failed"; item: ScheduledItem; message?: Message }): string;
}

// A reminder that fired, to show.
export interface FiredReminder {
  item: ScheduledItem;
  roomName?: string;
  message?: Message;
}

// The shortest lead the server accepts is a minute.
export const MIN_LEAD_MS = 60_000;

export class ScheduledItems implements ChatFeature {
  items: ScheduledItem[] = [];
  loaded = false;
  loading = false;
  // Reminders that fired while this tab was open, newest first.
  fired: FiredReminder[] = [];

  constructor(private readonly env: ScheduledEnv) {}

  // load lists my items (the Scheduled view asks on open).
  async load(): Promise<void> {
    this.loading = true;
    this.env.onChange();
    try {
      const r = (await this.env.request({ action: "listScheduled" })) as ScheduledItemsFrame;
      this.items = sortItems(r.items);
      this.loaded = true;
    } finally {
      this.loading = false;
      this.env.onChange();
    }
  }

  async scheduleMessage(roomId: string, text: string, at: Date): Promise<ScheduledItem> {
    const r = (await this.env.request({ action: "scheduleMessage", roomId, text, at: at.toISOString(), clientId: crypto.randomUUID() })) as ScheduledFrame;
    this.apply(r);
    return r.item;
  }

  async remindMe(roomId: string, seq: number, at: Date, note?: string): Promise<ScheduledItem> {
    const r = (await this.env.request({ action: "remindMe", roomId, seq, at: at.toISOString(), note: note || undefined })) as ScheduledFrame;
    this.apply(r);
    return r.item;
  }

  async edit(id: string, change: { text?: string; at?: Date }): Promise<ScheduledItem> {
    const r = (await this.env.request({ action: "editScheduled", id, text: change.text, at: change.at?.toISOString() })) as ScheduledFrame;
    this.apply(r);
    return r.item;
  }

  // cancel cancels a pending item or dismisses a failed or fired one.
  async cancel(id: string): Promise<void> {
    const r = (await this.env.request({ action: "cancelScheduled", id })) as ScheduledFrame;
    this.apply(r);
  }

  dismissFired(id: string): void {
    this.fired = this.fired.filter((f) => f.item.id !== id);
    this.env.onChange();
  }

  // pending: my items still waiting, soonest first.
  pending(kind?: ScheduledItem["kind"]): ScheduledItem[] {
    return this.items.filter((it) => (it.state === "pending" || it.state === "sending") && (!kind || it.kind === kind));
  }

  onEvent(ev: ServerFrame): void {
    if (ev.type === "scheduled" && !ev.requestId) {
      this.apply(ev);
      if (ev.item.state === "failed") this.env.announce(this.env.describe({ kind: "failed", item: ev.item }));
    } else if (ev.type === "reminder") {
      this.onReminder(ev);
    } else if (ev.type === "state" && this.loaded) {
      // Reconnected: what changed meanwhile.
      void this.load().catch(() => {});
    }
  }

  onStop(): void {
    this.items = [];
    this.fired = [];
    this.loaded = false;
  }

  private onReminder(ev: ReminderFrame): void {
    this.upsert(ev.item);
    this.fired = [{ item: ev.item, roomName: ev.roomName, message: ev.message }, ...this.fired.filter((f) => f.item.id !== ev.item.id)];
    this.env.announce(this.env.describe({ kind: "reminder", item: ev.item, message: ev.message }));
    this.env.onChange();
  }

  private apply(ev: ScheduledFrame): void {
    if (ev.cancelled) {
      this.items = this.items.filter((it) => it.id !== ev.item.id);
      this.fired = this.fired.filter((f) => f.item.id !== ev.item.id);
    } else {
      this.upsert(ev.item);
    }
    this.env.onChange();
  }

  private upsert(item: ScheduledItem): void {
    this.items = sortItems([...this.items.filter((it) => it.id !== item.id), item]);
  }
}

// sortItems: waiting ones soonest first, then failed and fired, newest first.
export function sortItems(items: ScheduledItem[]): ScheduledItem[] {
  const waiting = (it: ScheduledItem) => it.state === "pending" || it.state === "sending";
  return [...items].sort((a, b) => {
    if (waiting(a) !== waiting(b)) return waiting(a) ? -1 : 1;
    if (waiting(a)) return Date.parse(a.at) - Date.parse(b.at);
    return Date.parse(b.firedAt ?? b.at) - Date.parse(a.firedAt ?? a.at);
  });
}

// The quick choices of "send later" and "remind me".
export type Preset = "30m" | "1h" | "3h" | "tomorrow9" | "monday9";

// presetTime: when a quick choice means, from now in local time.
export function presetTime(p: Preset, now: Date): Date {
  const d = new Date(now.getTime());
  switch (p) {
    case "30m":
      return new Date(now.getTime() + 30 * 60_000);
    case "1h":
      return new Date(now.getTime() + 60 * 60_000);
    case "3h":
      return new Date(now.getTime() + 3 * 60 * 60_000);
    case "tomorrow9":
      d.setDate(d.getDate() + 1);
      d.setHours(9, 0, 0, 0);
      return d;
    case "monday9": {
      const days = (8 - d.getDay()) % 7 || 7;
      d.setDate(d.getDate() + days);
      d.setHours(9, 0, 0, 0);
      return d;
    }
  }
}

// toLocalInput formats a time for <input type="datetime-local"> (local
// time, minutes).
export function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// fromLocalInput parses a datetime-local value as local time (null when
// it is not one).
export function fromLocalInput(v: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(v);
  if (!m) return null;
  const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0, 0);
  return Number.isNaN(d.getTime()) ? null : d;
}

// tooSoon: the server refuses times less than a minute ahead.
export function tooSoon(at: Date, now: Date): boolean {
  return at.getTime() < now.getTime() + MIN_LEAD_MS;
}
