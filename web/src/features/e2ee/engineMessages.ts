// Messages of encrypted rooms: the plaintext put in place as frames arrive
// (from what this device decrypted or sent before), the rest decrypted in
// the background and applied (local/decrypted), and sends and edits
// encrypted on their way out, with a new epoch first when the room needs
// one and a retry after stale_key.
import type { Message, ServerEvent } from "../../api/protocol.gen";
import { RequestError, type Payload } from "../../api/socket";
import { mentionIds } from "../../state/e2ee";
import type { DecryptedItem, MessageE2EE, ServerFrame } from "../../state/types";
import { CryptoFailure, decryptMessage, encryptMessage, isFileKey, type EncryptedContent, type FileKey } from "./crypto";
import { errCode, type Core } from "./engineCore";
import type { RoomKeys } from "./engineRoomKeys";
import type { Trust } from "./engineTrust";

interface Result {
  text: string;
  e2ee: MessageE2EE;
}

type Enc = EncryptedContent;

const MAX_CACHE = 5000;

function cacheKey(roomId: string, senderId: string, clientId: string, enc: Enc): string {
  return [roomId, senderId, clientId, enc.epoch, enc.device, enc.iv, enc.ct].join("\n");
}

// isEncryptedMessage: an object of a frame that is an encrypted message.
function isEncryptedMessage(v: unknown): v is Message & { encrypted: Enc } {
  const m = v as Message;
  return !!m && typeof m === "object" && typeof m.roomId === "string" && typeof m.seq === "number" && !!m.encrypted && typeof m.encrypted === "object" && typeof m.encrypted.ct === "string";
}

export class Messages {
  private cache = new Map<string, Result>();
  // Waiting for a key: per "roomId\nepoch", the messages to try again.
  private waiting = new Map<string, Map<number, Message>>();
  private failures = new Map<string, number>();
  private queue: Message[] = [];
  private scheduled = false;
  private idle: Promise<void> = Promise.resolve();
  // Files of sends: the attachment's S3 key -> its FileKey (engineFiles).
  fileKeyOf: (s3Key: string) => FileKey | undefined = () => undefined;

  constructor(
    private readonly core: Core,
    private readonly keys: RoomKeys,
    private readonly trust: Trust,
  ) {}

  reset(): void {
    this.cache.clear();
    this.waiting.clear();
    this.queue = [];
  }

  // settled resolves once the background decryptions queued so far ran.
  settled(): Promise<void> {
    return this.idle;
  }

  private remember(k: string, r: Result): void {
    if (this.cache.size >= MAX_CACHE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(k, r);
  }

  // transform puts known plaintext into the frame's encrypted messages and
  // queues the others (marked pending) for decryption.
  transform(ev: ServerFrame): ServerFrame {
    const seen = new Set<object>();
    const walk = (v: unknown, depth: number): void => {
      if (!v || typeof v !== "object" || depth > 6 || seen.has(v)) return;
      seen.add(v);
      if (Array.isArray(v)) {
        for (const x of v) walk(x, depth + 1);
        return;
      }
      if (isEncryptedMessage(v)) {
        this.fill(v);
        if (v.thread) walk(v.thread, depth + 1);
        return;
      }
      for (const x of Object.values(v)) if (x && typeof x === "object") walk(x, depth + 1);
    };
    walk(ev, 0);
    return ev;
  }

  private fill(m: Message & { encrypted: Enc }): void {
    if (m.deleted) return;
    const hit = this.cache.get(cacheKey(m.roomId, m.senderId, m.clientId, m.encrypted));
    if (hit) {
      m.text = hit.text;
      m.e2ee = hit.e2ee;
      return;
    }
    m.text = "";
    m.e2ee = { pending: true };
    this.queue.push({ ...m });
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.idle = this.idle.then(
      () =>
        new Promise<void>((resolve) => {
          setTimeout(() => {
            this.scheduled = false;
            const batch = this.queue;
            this.queue = [];
            this.run(batch)
              .catch((err) => this.core.log("decrypt", err))
              .finally(resolve);
          }, 0);
        }),
    );
  }

  // retry: the key of an epoch arrived: decrypt what waited for it.
  retry(roomId: string, epoch: number): void {
    const w = this.waiting.get(`${roomId}\n${epoch}`);
    if (!w) return;
    this.waiting.delete(`${roomId}\n${epoch}`);
    this.queue.push(...w.values());
    this.schedule();
  }

  // retryAll: everything that waited (after recovery or verification).
  retryAll(): void {
    const all = [...this.waiting.values()].flatMap((w) => [...w.values()]);
    this.waiting.clear();
    this.queue.push(...all);
    if (all.length) this.schedule();
  }

  private async run(batch: Message[]): Promise<void> {
    const groups = new Map<string, Message[]>();
    for (const m of batch) {
      const id = `${m.roomId}\n${m.encrypted!.epoch}`;
      if (!groups.has(id)) groups.set(id, []);
      groups.get(id)!.push(m);
    }
    for (const [id, msgs] of groups) {
      const roomId = msgs[0].roomId;
      const epoch = msgs[0].encrypted!.epoch;
      let key: Uint8Array | undefined;
      try {
        key = await this.keys.get(roomId, epoch, false);
      } catch (err) {
        // Could not ask (offline, rate limited): still pending; again soon.
        this.core.log("room key", err);
        const tries = (this.failures.get(id) ?? 0) + 1;
        this.failures.set(id, tries);
        if (tries <= 5) {
          if (!this.waiting.has(id)) this.waiting.set(id, new Map());
          for (const m of msgs) this.waiting.get(id)!.set(m.seq, m);
          setTimeout(() => this.retry(roomId, epoch), 1000 * 2 ** tries);
          continue;
        }
      }
      this.failures.delete(id);
      const items: DecryptedItem[] = [];
      for (const m of msgs) {
        const enc = m.encrypted!;
        let r: Result;
        if (!key) {
          r = { text: "", e2ee: { error: "no-key" } };
          if (!this.waiting.has(id)) this.waiting.set(id, new Map());
          this.waiting.get(id)!.set(m.seq, m);
        } else {
          r = await this.open(key, m);
          this.remember(cacheKey(m.roomId, m.senderId, m.clientId, enc), r);
        }
        items.push({ seq: m.seq, iv: enc.iv, ct: enc.ct, ...r });
      }
      this.core.deps.dispatch({ type: "local/decrypted", roomId, items });
      if (!key) this.keys.request(roomId, epoch).catch((err) => this.core.log("key request", err));
    }
  }

  private async open(key: Uint8Array, m: Message, again = true): Promise<Result> {
    try {
      const content = await decryptMessage(key, { roomId: m.roomId, senderUserId: m.senderId, clientId: m.clientId }, m.encrypted!);
      // A device the sender's listing shows unsigned sent it: say so.
      if (await this.unsignedDevice(m.senderId, m.encrypted!.device)) return { text: "", e2ee: { error: "bad-device" } };
      const files = Array.isArray(content.files) ? content.files.filter(isFileKey) : undefined;
      return { text: content.text, e2ee: files && files.length ? { files } : {} };
    } catch (err) {
      if (!(err instanceof CryptoFailure)) throw err;
      // Two devices made this epoch at once: the key may have been replaced.
      if (again && err.reason === "tampered") {
        const other = await this.keys.replaced(m.roomId, m.encrypted!.epoch, key).catch(() => undefined);
        if (other) return this.open(other, m, false);
      }
      return { text: "", e2ee: { error: "tampered" } };
    }
  }

  private async unsignedDevice(userId: string, deviceId: string): Promise<boolean> {
    try {
      const u = await this.trust.one(userId);
      const d = u?.devices.find((x) => x.deviceId === deviceId);
      // A device no longer listed (removed since) is not held against the
      // messages it sent while it was.
      return !!d && !(await this.trust.signed(this.trust.trustedIdentity(u), d));
    } catch {
      return false;
    }
  }

  // decryptList decrypts copies of messages held outside the chat state.
  async decryptList(list: Message[]): Promise<Message[]> {
    const out: Message[] = [];
    for (const m of list) {
      if (!isEncryptedMessage(m) || m.deleted) {
        out.push(m);
        continue;
      }
      const k = cacheKey(m.roomId, m.senderId, m.clientId, m.encrypted);
      let r = this.cache.get(k);
      if (!r) {
        let key: Uint8Array | undefined;
        try {
          key = await this.keys.get(m.roomId, m.encrypted.epoch, false);
        } catch (err) {
          this.core.log("room key", err);
        }
        if (key) {
          r = await this.open(key, m);
          this.remember(k, r);
        } else r = { text: "", e2ee: { error: "no-key" } };
      }
      out.push({ ...m, text: r.text, e2ee: r.e2ee });
    }
    return out;
  }

  // ---- outgoing ----

  // outgoing encrypts sendMessage and editMessage of an encrypted room.
  outgoing(payload: Payload, request: (p: Payload) => Promise<ServerEvent>): Promise<ServerEvent> | null {
    if (payload.action !== "sendMessage" && payload.action !== "editMessage") return null;
    if (!this.core.deps.state().rooms[payload.roomId]?.encrypted) return null;
    return this.encryptAndSend(payload, request);
  }

  private async encryptAndSend(payload: Extract<Payload, { action: "sendMessage" | "editMessage" }>, request: (p: Payload) => Promise<ServerEvent>): Promise<ServerEvent> {
    const roomId = payload.roomId;
    await this.core.connecting;
    if (!this.core.ready()) throw new RequestError("forbidden", "Set up encryption (or recover it on this device) to send in an encrypted conversation.");
    const can = this.canSend(roomId);
    if (!can.ok) throw new RequestError("forbidden", can.reason ?? "Cannot send here");
    const text = payload.text;
    let clientId: string;
    let files: FileKey[] | undefined;
    if (payload.action === "sendMessage") {
      clientId = payload.clientId;
      if (payload.gif) throw new RequestError("invalid", "GIFs cannot be sent in an encrypted conversation.");
      const atts = payload.attachments ?? [];
      files = [];
      for (const a of atts) {
        const fk = this.fileKeyOf(a.key);
        if (!fk) throw new RequestError("invalid", "This file was not encrypted: attach it again.");
        files.push(fk);
      }
    } else {
      const held = this.find(roomId, payload.seq);
      if (!held) throw new RequestError("not_found", "message not loaded");
      clientId = held.clientId;
      files = held.e2ee?.files;
    }
    const content = files && files.length ? { text, files } : { text };
    const mentions = payload.action === "sendMessage" ? this.mentions(roomId, text) : undefined;
    for (let attempt = 0; ; attempt++) {
      const { epoch, key } = await this.keys.sendKey(roomId);
      const enc = await encryptMessage(key, { roomId, epoch, senderUserId: this.core.userId, senderDevice: this.core.deviceId, clientId }, content);
      this.remember(cacheKey(roomId, this.core.userId, clientId, enc), { text, e2ee: files && files.length ? { files } : {} });
      try {
        return await request({ ...payload, text: "", encrypted: enc, ...(mentions && mentions.length ? { mentions } : {}) } as Payload);
      } catch (err) {
        if (errCode(err) !== "stale_key" || attempt >= 2) throw err;
        await this.keys.refresh(roomId);
      }
    }
  }

  private mentions(roomId: string, text: string): string[] {
    if (!text.includes("@")) return [];
    const s = this.core.deps.state();
    const people = this.core.memberIdsKnown(roomId).map((id) => s.users[id] ?? { userId: id });
    return mentionIds(text, people);
  }

  // find: a held message of the room by seq (timeline or threads).
  find(roomId: string, seq: number): Message | undefined {
    const s = this.core.deps.state();
    const inRoom = s.messages[roomId]?.find((m) => m.seq === seq);
    if (inRoom) return inRoom;
    for (const v of Object.values(s.threads)) {
      if (v.roomId !== roomId) continue;
      if (v.parent?.seq === seq) return v.parent;
      const r = v.replies.find((m) => m.seq === seq);
      if (r) return r;
    }
    return undefined;
  }

  // plaintext of a held message, for a report.
  plaintext(roomId: string, seq: number): string | undefined {
    const m = this.find(roomId, seq);
    if (!m?.encrypted || !m.e2ee || m.e2ee.error || m.e2ee.pending) return undefined;
    return m.text;
  }

  canSend(roomId: string): { ok: boolean; reason?: string } {
    const room = this.core.deps.state().rooms[roomId];
    if (!room?.encrypted) return { ok: true };
    const status = this.core.view.status;
    if (status !== "ready") return { ok: false, reason: status === "off" ? "Set up encryption to send in this conversation." : status === "recovery-needed" ? "Recover your keys or verify this device to send here." : "Encryption is not available on this device." };
    const s = this.core.deps.state();
    let changed = "";
    for (const uid of this.core.memberIdsKnown(roomId)) {
      const name = s.users[uid]?.displayName ?? uid;
      if (this.trust.blocked(uid)) return { ok: false, reason: `${name}'s security key changed. Compare safety numbers or accept the change before sending.` };
      if (this.core.view.keyWarnings.has(uid)) changed ||= `${name}'s security key changed: accept the change so that ${name}'s new devices can read what you send.`;
    }
    return changed ? { ok: true, reason: changed } : { ok: true };
  }
}
