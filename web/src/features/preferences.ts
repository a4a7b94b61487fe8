// The synced preferences from the client's side: notification settings and
// per-room levels and mutes written with setPreferences / setRoomNotify
// (shown at once, the server's reply confirms), and the appearance, which
// lives on the server and is cached in localStorage only for the first
// paint (features/prefs.ts). The local appearance of earlier versions is
// sent to the server once.
import type { AppearancePreferences, NotifyLevel, NotifyPreferences, Preferences, PrivacyPreferences } from "../api/notifyProtocol";
import { RequestError } from "../api/socket";
import type { Chat, ChatFeature } from "../state/chat";
import { defaultNotify, privacyOf, roomNotify } from "../state/preferences";
import { ACCENTS, type Prefs } from "./prefs";

export interface PreferencesEnv {
  userId: string;
  storage: Pick<Storage, "getItem" | "setItem">;
  // The appearance in use (the local cache until the server's arrives).
  current(): Prefs;
  // apply: the server's appearance, to use and cache.
  apply(p: Prefs): void;
  // hadLocal: this device had saved an appearance before (to migrate).
  hadLocal: boolean;
}

export function appearanceOf(p: Prefs): AppearancePreferences {
  return { theme: p.theme, accent: p.accent, layout: p.layout, lang: p.lang, sound: p.sound };
}

function sameAppearance(a: AppearancePreferences, b: AppearancePreferences): boolean {
  return a.theme === b.theme && a.accent.toLowerCase() === b.accent.toLowerCase() && a.layout === b.layout && (a.lang || b.lang) === (b.lang || a.lang) && a.sound === b.sound;
}

// atDefaults: the server's appearance was never chosen (the language is
// not looked at: the server's default need not be this browser's).
function atDefaults(a: AppearancePreferences): boolean {
  return a.theme === "system" && a.accent.toLowerCase() === ACCENTS[0] && a.layout === "compact" && a.sound;
}

// RETRIED: the error codes after which a setting is sent again.
const RETRIED = ["rate_limited", "internal", "timeout"];

export class PreferencesSync implements ChatFeature {
  // An appearance change not yet stored on the server (sent again on the
  // next connect instead of taking the server's).
  private dirty = false;
  // Edits sent and not yet answered, by what they change ("notify",
  // "appearance", "room:<id>"): a preferences frame that arrives meanwhile
  // (the reply to an earlier edit, or another device's change) would show
  // the older value again for a moment, so they are laid over it until
  // their own reply is in.
  private readonly tries = 5;
  backoffMs = 1000; // shorter in unit tests
  private pending = new Map<string, { token: number; apply: (p: Preferences) => Preferences }>();
  private tokens = 0;

  // A setting sets values, so sending it again is harmless: while the
  // server says wait (the rate limit, after a burst of messages) or fails
  // for a moment, it is sent again with backoff (the next rate window is
  // at most 10 s away) and stays on the screen meanwhile. A newer edit of
  // the same settings ends the retries: it carries these values too.
  private async edit(key: string, apply: (p: Preferences) => Preferences, send: () => Promise<unknown>): Promise<void> {
    const token = ++this.tokens;
    this.pending.set(key, { token, apply });
    try {
      for (let i = 0; ; i++) {
        try {
          await send();
          return;
        } catch (err) {
          const code = err instanceof RequestError ? err.code : "";
          if (i + 1 >= this.tries || !RETRIED.includes(code)) throw err;
          await new Promise((r) => setTimeout(r, this.backoffMs * 2 ** i * (1 + Math.random() / 2)));
          if (this.pending.get(key)?.token !== token) return;
        }
      }
    } finally {
      if (this.pending.get(key)?.token === token) this.pending.delete(key);
    }
  }

  private overlayPending(): void {
    const p = this.chat.state.preferences;
    if (!p || this.pending.size === 0) return;
    let next = p;
    for (const { apply } of this.pending.values()) next = apply(next);
    this.chat.dispatch({ type: "local/preferences", preferences: next });
  }

  constructor(
    private readonly chat: Chat,
    private readonly env: PreferencesEnv,
  ) {}

  private get migratedKey() {
    return `backchannel.prefsMigrated.${this.env.userId}`;
  }

  private base(): Preferences {
    const p = this.chat.state.preferences;
    return p ?? { notify: defaultNotify(), appearance: appearanceOf(this.env.current()), rooms: {} };
  }

  onEvent(ev: { type: string }): void {
    if (ev.type !== "state" && ev.type !== "preferences") return;
    this.overlayPending();
    const server = this.chat.state.preferences?.appearance;
    if (!server) return;
    const local = appearanceOf(this.env.current());
    const migrate = !this.env.storage.getItem(this.migratedKey);
    if (migrate) this.env.storage.setItem(this.migratedKey, "1");
    if (ev.type === "state" && (this.dirty || (migrate && this.env.hadLocal && atDefaults(server) && !sameAppearance(server, local)))) {
      // This device's choice goes to the server (after the sync that the
      // state event starts: the socket takes requests once it is online).
      setTimeout(() => void this.saveAppearance(this.env.current()), 0);
      return;
    }
    if (!sameAppearance(server, local)) this.env.apply({ ...this.env.current(), ...server, lang: server.lang || this.env.current().lang });
  }

  // saveAppearance: the person changed the appearance here (applied by the
  // caller already): store it on the server.
  async saveAppearance(p: Prefs): Promise<void> {
    const appearance = appearanceOf(p);
    const now = this.chat.state.preferences;
    if (now && sameAppearance(now.appearance, appearance) && !this.dirty) return;
    if (now) this.chat.dispatch({ type: "local/preferences", preferences: { ...now, appearance } });
    this.dirty = true;
    try {
      await this.edit("appearance", (p) => ({ ...p, appearance }), () => this.chat.request({ action: "setPreferences", appearance }));
      this.dirty = false;
    } catch {
      /* kept locally; sent again on the next connect */
    }
  }

  // setNotify stores the notification settings (rejects with the server's
  // error, the previous settings shown again).
  async setNotify(notify: NotifyPreferences): Promise<void> {
    const before = this.base();
    this.chat.dispatch({ type: "local/preferences", preferences: { ...before, notify } });
    try {
      await this.edit("notify", (p) => ({ ...p, notify }), () => this.chat.request({ action: "setPreferences", notify }));
    } catch (err) {
      if (this.chat.state.preferences) this.chat.dispatch({ type: "local/preferences", preferences: { ...this.chat.state.preferences, notify: before.notify } });
      throw err;
    }
  }

  // setPrivacy stores privacy settings (issue 15; rejects with the
  // server's error, the previous settings shown again).
  async setPrivacy(patch: Partial<PrivacyPreferences>): Promise<void> {
    const before = this.base();
    const privacy = { ...privacyOf(this.chat.state), ...patch };
    this.chat.dispatch({ type: "local/preferences", preferences: { ...before, privacy } });
    try {
      await this.edit("privacy", (p) => ({ ...p, privacy: { ...privacyOf({ preferences: p }), ...patch } }), () => this.chat.request({ action: "setPreferences", privacy: patch }));
    } catch (err) {
      if (this.chat.state.preferences) this.chat.dispatch({ type: "local/preferences", preferences: { ...this.chat.state.preferences, privacy: before.privacy } });
      throw err;
    }
  }

  // block / unblock a person: the server's reply (preferences, with the
  // new list) updates the state; nobody else is told.
  async block(userId: string): Promise<void> {
    await this.chat.request({ action: "blockUser", userId });
  }

  async unblock(userId: string): Promise<void> {
    await this.chat.request({ action: "unblockUser", userId });
  }

  // setRoom sets a room's level ("" = the default) and mute (muteUntil ""
  // ends a mute; undefined keeps the current one).
  async setRoom(roomId: string, level: NotifyLevel | "", muteUntil?: string): Promise<void> {
    const before = this.base();
    const old = roomNotify(this.chat.state, roomId);
    const until = muteUntil ?? old.muteUntil ?? "";
    const rooms = { ...before.rooms, [roomId]: { ...(level ? { level } : {}), ...(until ? { muteUntil: until } : {}) } };
    this.chat.dispatch({ type: "local/preferences", preferences: { ...before, rooms } });
    try {
      const mine = rooms[roomId];
      await this.edit(`room:${roomId}`, (p) => ({ ...p, rooms: { ...p.rooms, [roomId]: mine } }), () => this.chat.request({ action: "setRoomNotify", roomId, level, muteUntil: until }));
    } catch (err) {
      if (this.chat.state.preferences) this.chat.dispatch({ type: "local/preferences", preferences: { ...this.chat.state.preferences, rooms: before.rooms } });
      throw err;
    }
  }
}
