// An in-memory server for the e2ee engine's unit tests: the key directory,
// room keys, the key backup, device messages and encrypted rooms, as
// internal/service implements them (the rules the engine relies on: epochs
// grow by exactly one, wraps only for the caller's device, the backup only
// for the right proof, stale_key for an old epoch or while rotateKey).
// Each Client is one browser: its own IndexedDB, chat state and engine.
import { IDBFactory } from "fake-indexeddb";
import type { Device, Message, MemberInfo, RoomState, ServerEvent, UserKeys, WrappedRoomKey, BackupRoomKey, BackupKDF } from "../../src/api/protocol.gen";
import { RequestError } from "../../src/api/socket";
import { E2EE } from "../../src/state/e2ee";
import { initialState, reduce } from "../../src/state/store";
import type { Action, ChatState, ServerFrame } from "../../src/state/types";
import { Engine } from "../../src/features/e2ee/engine";
import { Keystore } from "../../src/features/e2ee/keystore";
import { verifyDevice } from "../../src/features/e2ee/crypto";
import { LIMITS, PREFS } from "../fixtures";

const sha = async (s: string) => Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s))).toString("hex");

interface Person {
  userId: string;
  name: string;
  identityKey?: string;
  devices: Map<string, Device>;
  backup?: { kdf: BackupKDF; proofHash: string; wrappedKey: string; identity: string; failed: number };
  backupKeys: Map<string, BackupRoomKey>;
}

interface FakeRoom {
  room: RoomState;
  members: string[];
  wraps: WrappedRoomKey[];
  messages: Message[];
}

export class FakeServer {
  people = new Map<string, Person>();
  rooms = new Map<string, FakeRoom>();
  clients: Client[] = [];
  // As internal/service does at the time of writing: keys of an existing
  // epoch are taken as additions, written over the wraps there.
  overwriteShares = false;
  // Every action seen, for assertions.
  log: { userId: string; action: string; payload: Record<string, unknown> }[] = [];
  private nextReq = 1;

  person(userId: string, name: string): void {
    this.people.set(userId, { userId, name, devices: new Map(), backupKeys: new Map() });
  }

  room(roomId: string, members: string[]): void {
    const room: RoomState = { roomId, kind: "direct", name: roomId, createdBy: members[0], createdAt: "2026-11-30T10:00:00Z", lastSeq: 0, memberCount: members.length, memberIds: members, encrypted: true, keyEpoch: 0, readSeq: 0, unread: 0, mentions: 0 };
    this.rooms.set(roomId, { room, members, wraps: [], messages: [] });
  }

  setRotate(roomId: string): void {
    const r = this.rooms.get(roomId)!;
    r.room = { ...r.room, rotateKey: true };
    this.pushRoom(roomId);
  }

  private pushRoom(roomId: string): void {
    const r = this.rooms.get(roomId)!;
    for (const c of this.clients) if (r.members.includes(c.userId)) c.push({ type: "roomUpdated", room: { ...r.room } } as ServerFrame);
  }

  private rotateRoomsOf(userId: string): void {
    for (const [id, r] of this.rooms) if (r.members.includes(userId)) {
      r.room = { ...r.room, rotateKey: true };
      this.pushRoom(id);
    }
  }

  private pushKeysChanged(userId: string): void {
    for (const c of this.clients) c.push({ type: "keysChanged", userId } as ServerFrame);
  }

  // handle answers one action of a client (its reply, or undefined for
  // actions without one).
  async handle(c: Client, p: Record<string, unknown>): Promise<ServerEvent | undefined> {
    this.log.push({ userId: c.userId, action: String(p.action), payload: p });
    const me = this.people.get(c.userId)!;
    const requestId = `q${this.nextReq++}`;
    const reply = (ev: Record<string, unknown>) => ({ ...ev, requestId }) as unknown as ServerEvent;
    const bad = (code: string, msg: string) => new RequestError(code, msg);
    const memberOf = (roomId: string) => {
      const r = this.rooms.get(roomId);
      if (!r || !r.members.includes(c.userId)) throw bad("forbidden", "not a member");
      return r;
    };
    switch (p.action) {
      case "registerDevice": {
        const id = p.deviceId as string;
        const old = me.devices.get(id);
        if (old && old.publicKey !== p.publicKey) throw bad("conflict", "device id taken");
        const d: Device = old ?? { userId: c.userId, deviceId: id, name: p.name as string, publicKey: p.publicKey as string, createdAt: new Date().toISOString() };
        me.devices.set(id, d);
        c.connDevice = id;
        return reply({ type: "device", device: d });
      }
      case "setIdentityKey": {
        if (me.identityKey && me.identityKey !== p.identityKey) {
          if (!p.reset) throw bad("conflict", "identity exists");
          for (const [id, d] of me.devices) if (id !== c.connDevice) me.devices.delete(id);
          else me.devices.set(id, { ...d, signature: undefined });
          me.backup = undefined;
          me.backupKeys.clear();
          this.rotateRoomsOf(c.userId);
        }
        me.identityKey = p.identityKey as string;
        this.pushKeysChanged(c.userId);
        return reply({ type: "userKeys", users: [this.keysOf(me)] });
      }
      case "signDevice": {
        const d = me.devices.get(p.deviceId as string);
        if (!d || !me.identityKey) throw bad("not_found", "no such device");
        if (!(await verifyDevice(me.identityKey, c.userId, d.deviceId, d.publicKey, p.signature as string))) throw bad("invalid", "bad signature");
        const signed = { ...d, signature: p.signature as string };
        me.devices.set(d.deviceId, signed);
        this.pushKeysChanged(c.userId);
        return reply({ type: "device", device: signed });
      }
      case "listDevices":
        return reply({ type: "devices", devices: [...me.devices.values()] });
      case "removeDevice": {
        const id = p.deviceId as string;
        me.devices.delete(id);
        for (const r of this.rooms.values()) r.wraps = r.wraps.filter((w) => w.deviceId !== id);
        this.rotateRoomsOf(c.userId);
        this.pushKeysChanged(c.userId);
        for (const x of this.clients) if (x.userId === c.userId) x.push({ type: "deviceRemoved", deviceId: id } as ServerFrame);
        return reply({ type: "devices", devices: [...me.devices.values()] });
      }
      case "getUserKeys":
        return reply({ type: "userKeys", users: (p.userIds as string[]).map((id) => this.people.get(id)).filter(Boolean).map((x) => this.keysOf(x!)) });
      case "setKeyBackup":
        if (!me.identityKey) throw bad("invalid", "no identity");
        me.backup = { kdf: p.kdf as BackupKDF, proofHash: await sha(p.proof as string), wrappedKey: p.wrappedKey as string, identity: p.identity as string, failed: 0 };
        return reply({ type: "keyBackup", exists: true, kdf: p.kdf, attemptsLeft: 10 });
      case "getKeyBackup": {
        const b = me.backup;
        if (!b) return reply({ type: "keyBackup", exists: false, attemptsLeft: 10 });
        if (p.proof === undefined) return reply({ type: "keyBackup", exists: true, kdf: b.kdf, attemptsLeft: 10 - b.failed });
        if ((await sha(p.proof as string)) !== b.proofHash) {
          b.failed++;
          throw bad("forbidden", "wrong passphrase");
        }
        return reply({ type: "keyBackup", exists: true, kdf: b.kdf, wrappedKey: b.wrappedKey, identity: b.identity, attemptsLeft: 10 - b.failed });
      }
      case "putBackupKeys":
        for (const k of p.keys as BackupRoomKey[]) me.backupKeys.set(`${k.roomId}\n${k.epoch}`, k);
        return reply({ type: "backupKeys", keys: [], stored: (p.keys as unknown[]).length });
      case "getBackupKeys":
        return reply({ type: "backupKeys", keys: [...me.backupKeys.values()] });
      case "deviceMessage": {
        const to = this.people.get(p.userId as string);
        if (!to?.devices.has(p.deviceId as string)) throw bad("not_found", "no such device");
        for (const x of this.clients) if (x.userId === p.userId && x.connDevice === p.deviceId) x.push({ type: "deviceMessage", fromUserId: c.userId, fromDeviceId: c.connDevice, body: p.body } as ServerFrame);
        return undefined;
      }
      case "listMembers": {
        const r = memberOf(p.roomId as string);
        const members = r.members.map((id) => ({ userId: id, username: id, displayName: this.people.get(id)!.name, avatarColor: "#000", online: true, role: "member", readSeq: 0 }) as unknown as MemberInfo);
        return reply({ type: "members", roomId: p.roomId, members });
      }
      case "shareRoomKeys": {
        const r = memberOf(p.roomId as string);
        const epoch = p.epoch as number;
        const ke = r.room.keyEpoch ?? 0;
        const keys = p.keys as { userId: string; deviceId: string; senderDevice: string; wrapped: string }[];
        if (epoch === ke + 1) {
          r.room = { ...r.room, keyEpoch: epoch, rotateKey: false };
        } else if (epoch <= 0 || epoch > ke + 1) {
          throw bad("conflict", "not the next epoch");
        } else if (!this.overwriteShares && keys.some((k) => r.wraps.some((w) => w.epoch === epoch && w.deviceId === k.deviceId && w.senderDevice !== k.senderDevice))) {
          // Another device made this epoch: the race's loser.
          throw bad("conflict", "epoch taken");
        }
        for (const k of keys) {
          r.wraps = r.wraps.filter((w) => !(w.epoch === epoch && w.deviceId === k.deviceId));
          r.wraps.push({ roomId: p.roomId as string, epoch, userId: k.userId, deviceId: k.deviceId, senderUserId: c.userId, senderDevice: k.senderDevice, wrapped: k.wrapped, createdAt: new Date().toISOString() });
          for (const x of this.clients) if (x.userId === k.userId && x.connDevice === k.deviceId && x !== c) x.push({ type: "roomKeys", roomId: p.roomId, epoch, keyEpoch: r.room.keyEpoch, keys: [] } as unknown as ServerFrame);
        }
        return reply({ type: "roomKeysShared", roomId: p.roomId, epoch, keyEpoch: r.room.keyEpoch });
      }
      case "getRoomKeys": {
        const r = memberOf(p.roomId as string);
        return reply({ type: "roomKeys", roomId: p.roomId, keyEpoch: r.room.keyEpoch ?? 0, rotateKey: !!r.room.rotateKey, keys: r.wraps.filter((w) => w.userId === c.userId && w.deviceId === p.deviceId) });
      }
      case "sendMessage": {
        const r = memberOf(p.roomId as string);
        const enc = p.encrypted as Message["encrypted"];
        if (!enc || p.text) throw bad("invalid", "encrypted room needs encrypted content");
        if (enc.epoch !== r.room.keyEpoch || r.room.rotateKey) throw bad("stale_key", "stale key");
        const m: Message = { roomId: r.room.roomId, seq: ++r.room.lastSeq, clientId: p.clientId as string, senderId: c.userId, senderName: me.name, text: "", encrypted: enc, createdAt: new Date().toISOString(), ...(p.mentions ? { mentions: p.mentions as string[] } : {}), ...(p.attachments ? { attachments: p.attachments as Message["attachments"] } : {}) };
        r.messages.push(m);
        for (const x of this.clients) if (x !== c && r.members.includes(x.userId)) x.push({ type: "message", message: structuredClone(m) } as ServerFrame);
        return reply({ type: "ack", clientId: m.clientId, message: structuredClone(m), delivered: 1 });
      }
      case "editMessage": {
        const r = memberOf(p.roomId as string);
        const enc = p.encrypted as Message["encrypted"];
        if (!enc || enc.epoch !== r.room.keyEpoch || r.room.rotateKey) throw bad("stale_key", "stale key");
        const i = r.messages.findIndex((m) => m.seq === p.seq);
        const m = { ...r.messages[i], encrypted: enc, editedAt: new Date().toISOString() };
        r.messages[i] = m;
        for (const x of this.clients) if (r.members.includes(x.userId) && x !== c) x.push({ type: "messageUpdated", message: structuredClone(m) } as ServerFrame);
        return reply({ type: "messageUpdated", message: structuredClone(m) });
      }
      case "history": {
        const r = memberOf(p.roomId as string);
        return reply({ type: "history", roomId: p.roomId, messages: structuredClone(r.messages), hasMore: false });
      }
      case "requestDownload":
        return reply({ type: "downloadUrl", url: `mem://${p.key}`, expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    }
    throw bad("invalid", `fake server: no ${String(p.action)}`);
  }

  keysOf(p: Person): UserKeys {
    return { userId: p.userId, identityKey: p.identityKey, devices: [...p.devices.values()] };
  }

  stateFor(c: Client) {
    const rooms = [...this.rooms.values()].filter((r) => r.members.includes(c.userId)).map((r) => ({ ...r.room }));
    const users = [...this.people.values()].map((x) => ({ userId: x.userId, username: x.userId, displayName: x.name, avatarColor: "#000", online: true, createdAt: "2026-11-20T09:00:00Z" }));
    return { type: "state", requestId: "s", connectionId: `conn-${c.name}`, me: users.find((u) => u.userId === c.userId)!, rooms, users, limits: LIMITS, invites: [], preferences: PREFS } as unknown as ServerFrame;
  }
}

// Client: one browser of one person.
export class Client {
  state: ChatState = initialState;
  view = new E2EE();
  engine: Engine;
  connDevice = "";
  errors: unknown[] = [];
  private idb = new IDBFactory();
  private inbox: Promise<void> = Promise.resolve();

  constructor(
    readonly server: FakeServer,
    readonly userId: string,
    readonly name: string,
    private readonly settleMs = 0,
  ) {
    server.clients.push(this);
    const storage = new Map<string, string>();
    this.engine = new Engine(
      {
        userId,
        request: (p) => this.request(p as Record<string, unknown>),
        state: () => this.state,
        dispatch: (a) => this.dispatch(a),
        openKeystore: (uid) => Keystore.open(uid, this.idb),
        deviceName: `Browser ${name}`,
        storage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v), removeItem: (k) => void storage.delete(k) },
        newKdf: () => ({ alg: "scrypt", n: 1024, r: 8, p: 1, salt: "AAAAAAAAAAAAAAAAAAAAAA" }),
        kdfOptions: { allowWeak: true },
        rotateJitterMs: 0,
        rotateSettleMs: this.settleMs,
        downloadUrl: async (roomId, seq, key) => ((await this.request({ action: "requestDownload", roomId, seq, key })) as unknown as { url: string }).url,
        fetchBytes: async (url) => this.server.objects.get(url.slice("mem://".length))!,
        log: (what, err) => this.errors.push([what, err]),
      },
      this.view,
    );
  }

  dispatch(a: Action): void {
    this.state = reduce(this.state, a);
  }

  // receive: a frame as Chat.onEvent takes it.
  receive(ev: ServerFrame): void {
    ev = this.engine.transform(ev);
    this.dispatch(ev);
    this.engine.onEvent(ev);
  }

  // push: a server push, delivered after the current work (like a socket).
  push(ev: ServerFrame): void {
    this.inbox = this.inbox.then(() => new Promise<void>((r) => setTimeout(() => { this.receive(ev); r(); }, 0)));
  }

  async request(p: Record<string, unknown>): Promise<ServerEvent> {
    const ev = await this.server.handle(this, p);
    // No reply (deviceMessage): the socket's request times out.
    if (!ev) throw new RequestError("timeout", "no reply");
    this.receive(ev as ServerFrame);
    return ev;
  }

  // connect: the state frame and this device's registration.
  async connect(): Promise<void> {
    this.dispatch(this.server.stateFor(this) as Action);
    for (const r of (this.server.stateFor(this) as unknown as { rooms: RoomState[] }).rooms) this.engine.keys.noteRoom(r);
    await this.engine.device.connected();
  }

  // send goes the way Chat's outbox does: through the engine.
  async send(roomId: string, text: string, extra: Record<string, unknown> = {}): Promise<ServerEvent> {
    const payload = { action: "sendMessage", roomId, clientId: crypto.randomUUID(), text, ...extra };
    const p = this.engine.outgoing(payload as never, (x) => this.request(x as Record<string, unknown>));
    if (!p) throw new Error("not an encrypted room");
    return p;
  }

  async history(roomId: string): Promise<void> {
    await this.request({ action: "history", roomId });
  }

  messages(roomId: string): Message[] {
    return this.state.messages[roomId] ?? [];
  }

  // settle: pushes delivered and background decryption done.
  async settle(rounds = 6): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      await this.inbox;
      await this.engine.idle();
      await this.engine.messages.settled();
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

// settleAll lets every client of the server catch up.
export async function settleAll(server: FakeServer, rounds = 4): Promise<void> {
  for (let i = 0; i < rounds; i++) for (const c of server.clients) await c.settle(2);
}

declare module "./e2ee-fakeserver" {
  interface FakeServer {
    objects: Map<string, Uint8Array>;
  }
}
FakeServer.prototype.objects = new Map();
