// The visitor session: the widget's public config, the proof of work, the
// session (a short-lived visitor token for the WebSocket) and the
// resumeToken that keeps the same visitor across reloads on this site
// (localStorage, one key per widget id).
import { RequestError } from "../src/api/socket";
import { solve } from "./pow";
import type { Challenge, Identity, Session, WidgetConfig } from "./wire";

// Refused: the deployment refuses this page's origin (or the widget id).
export class Refused extends Error {}

// Saved: what survives a reload, per widget.
export interface Saved {
  resumeToken?: string;
  roomId?: string;
}

export interface Store {
  load(): Saved;
  save(s: Saved): void;
}

// localStore: localStorage under "backchannel.widget.<id>"; a storage that
// throws (blocked cookies, sandboxed frames) degrades to memory.
export function localStore(widgetId: string): Store {
  const key = `backchannel.widget.${widgetId}`;
  let mem: Saved = {};
  return {
    load() {
      try {
        return { ...mem, ...(JSON.parse(localStorage.getItem(key) ?? "{}") as Saved) };
      } catch {
        return mem;
      }
    },
    save(s) {
      mem = s;
      try {
        localStorage.setItem(key, JSON.stringify(s));
      } catch {
        /* memory only */
      }
    },
  };
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

async function errorText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: string } };
    return body.error?.message ?? res.statusText;
  } catch {
    return res.statusText;
  }
}

export class VisitorSession {
  private session: Session | null = null;
  private pending: Promise<Session> | null = null;
  identity: Identity | null = null;
  // reopenToken: from a support mail's link (#bc-reopen=…): the next session
  // is that conversation's visitor, once.
  reopenToken = "";

  constructor(
    // base: <script origin>/widget/v1/<widgetId>
    readonly base: string,
    readonly store: Store,
    private readonly fetchImpl: Fetch = (i, init) => fetch(i, init),
    private readonly now: () => number = Date.now,
  ) {}

  async config(): Promise<WidgetConfig> {
    const res = await this.fetchImpl(`${this.base}/config`, { credentials: "omit" });
    if (res.status === 403 || res.status === 404) throw new Refused(await errorText(res));
    if (!res.ok) throw new Error(`config: ${res.status} ${await errorText(res)}`);
    return (await res.json()) as WidgetConfig;
  }

  // current: the session in use (null before the first).
  get current(): Session | null {
    return this.session;
  }

  // forget drops the session (an identity changed): the next token() makes
  // a new one.
  forget(): void {
    this.session = null;
  }

  // token returns a visitor token valid for at least another minute,
  // making a new session when needed (force: even if the current one looks
  // valid: the server refused it).
  async token(force = false): Promise<string> {
    const s = this.session;
    if (s && !force && Date.parse(s.expiresAt) - this.now() > 60_000) return s.token;
    return (await this.renew()).token;
  }

  renew(): Promise<Session> {
    this.pending ??= this.create().finally(() => (this.pending = null));
    return this.pending;
  }

  private async create(): Promise<Session> {
    const identity = this.identity ?? undefined;
    if (this.reopenToken) {
      const reopenToken = this.reopenToken;
      this.reopenToken = "";
      const res = await this.post("session", { reopenToken, identity });
      if (res.ok) {
        // Another visitor's conversation may be stored here: forget it.
        this.store.save({});
        return this.keep((await res.json()) as Session);
      }
      if (res.status === 403) throw new RequestError("auth", await errorText(res));
      // An expired or bad link: go on as this browser's visitor.
    }
    const saved = this.store.load();
    if (saved.resumeToken) {
      const res = await this.post("session", { resumeToken: saved.resumeToken, identity });
      if (res.ok) return this.keep((await res.json()) as Session);
      if (res.status === 403) throw new RequestError("auth", await errorText(res));
      if (res.status >= 500 || res.status === 429) throw new RequestError("unavailable", await errorText(res));
      // The resume token expired or was refused: start as a new visitor.
      this.store.save({});
    }
    const cres = await this.post("challenge", {});
    if (cres.status === 403) throw new RequestError("auth", await errorText(cres));
    if (!cres.ok) throw new RequestError("unavailable", await errorText(cres));
    const ch = (await cres.json()) as Challenge;
    const nonce = await solve(ch.challenge, ch.difficulty);
    const res = await this.post("session", { challenge: ch.challenge, nonce, identity });
    if (res.status === 403) throw new RequestError("auth", await errorText(res));
    if (!res.ok) throw new RequestError("unavailable", await errorText(res));
    return this.keep((await res.json()) as Session);
  }

  private keep(s: Session): Session {
    this.session = s;
    const saved = this.store.load();
    if (saved.resumeToken !== s.resumeToken) this.store.save({ ...saved, resumeToken: s.resumeToken });
    return s;
  }

  private post(path: string, body: unknown): Promise<Response> {
    return this.fetchImpl(`${this.base}/${path}`, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }
}
