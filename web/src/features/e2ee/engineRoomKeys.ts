// Room keys: finding the key of an epoch (memory, this browser's store, the
// server's wraps for this device, the key backup, then asking the other
// members' devices), making a new epoch when the room needs one (wrapped
// for every signed device of every member), backing keys up, and answering
// other devices' key requests.
import type { RoomState } from "../../api/protocol.gen";
import { RequestError } from "../../api/socket";
import { newRoomKey, openBackupRoomKey, sealBackupRoomKey, unwrapRoomKey, wrapRoomKey } from "./crypto";
import { errCode, type Core } from "./engineCore";
import type { Trust } from "./engineTrust";
import type { Bytes } from "./types";

const REQUEST_EVERY_MS = 60_000;
const ANSWER_EVERY_MS = 30_000;
const BACKUP_EVERY_MS = 30_000;
const SHARE_CHUNK = 64;

export interface EpochInfo {
  keyEpoch: number;
  rotateKey: boolean;
}

export class RoomKeys {
  private mem = new Map<string, Bytes>();
  private known = new Map<string, EpochInfo>();
  private requested = new Map<string, number>();
  private answered = new Map<string, number>();
  private backupReadAt = 0;
  private fetching = new Map<string, Promise<void>>();
  // Serialises the rotation of a room (one epoch at a time from here).
  private rotating = new Map<string, Promise<{ epoch: number; key: Bytes }>>();

  constructor(
    private readonly core: Core,
    private readonly trust: Trust,
  ) {}

  reset(): void {
    this.mem.clear();
    this.known.clear();
    this.requested.clear();
    this.answered.clear();
    this.backupReadAt = 0;
  }

  private id(roomId: string, epoch: number): string {
    return `${roomId}\n${epoch}`;
  }

  // ---- epochs ----

  // current: the room's newest epoch and whether it must rotate, from the
  // newest of what the server told (room state, getRoomKeys, shares).
  current(roomId: string): EpochInfo {
    const room = this.core.deps.state().rooms[roomId];
    const fromRoom: EpochInfo = { keyEpoch: room?.keyEpoch ?? 0, rotateKey: !!room?.rotateKey };
    const k = this.known.get(roomId);
    if (!k || fromRoom.keyEpoch > k.keyEpoch) return fromRoom;
    return k;
  }

  note(roomId: string, keyEpoch: number, rotateKey: boolean): void {
    const k = this.known.get(roomId);
    if (k && k.keyEpoch > keyEpoch) return;
    this.known.set(roomId, { keyEpoch, rotateKey });
  }

  // noteRoom takes a room's change (roomUpdated and the like).
  noteRoom(room: Pick<RoomState, "roomId" | "keyEpoch" | "rotateKey" | "encrypted">): void {
    if (!room.encrypted) return;
    const k = this.known.get(room.roomId);
    const epoch = room.keyEpoch ?? 0;
    if (!k || epoch > k.keyEpoch || (epoch === k.keyEpoch && !!room.rotateKey)) this.known.set(room.roomId, { keyEpoch: epoch, rotateKey: !!room.rotateKey });
  }

  // ---- finding keys ----

  async local(roomId: string, epoch: number): Promise<Bytes | undefined> {
    const hit = this.mem.get(this.id(roomId, epoch));
    if (hit) return hit;
    const k = await this.core.ks?.getRoomKey(roomId, epoch);
    if (k) this.mem.set(this.id(roomId, epoch), k);
    return k;
  }

  // get finds the key of an epoch: held here, else wrapped for this device
  // on the server, else in the key backup (ask: then the other devices are
  // asked for it, and it comes later by a "roomKeys" push).
  async get(roomId: string, epoch: number, ask = true): Promise<Bytes | undefined> {
    let k = await this.local(roomId, epoch);
    if (k) return k;
    if (!this.core.device) return undefined;
    await this.fetch(roomId);
    k = await this.local(roomId, epoch);
    if (k) return k;
    if (await this.readBackup()) k = await this.local(roomId, epoch);
    if (k) return k;
    if (ask) await this.request(roomId, epoch);
    return undefined;
  }

  // store keeps a key here and, unless it came from the backup, backs it up.
  async store(roomId: string, epoch: number, key: Bytes, backedUp: boolean): Promise<void> {
    const had = this.mem.has(this.id(roomId, epoch));
    this.mem.set(this.id(roomId, epoch), key);
    await this.core.ks?.putRoomKey(roomId, epoch, key, { backedUp });
    if (!backedUp) await this.backup([{ roomId, epoch, key }]).catch((err) => this.core.log("backup room key", err));
    if (!had) this.core.onKeys(roomId, epoch);
  }

  // fetch reads the wraps for this device (one request at a time per room)
  // and keeps those from a signed device of a member.
  fetch(roomId: string): Promise<void> {
    const running = this.fetching.get(roomId);
    if (running) return running;
    const p = this.doFetch(roomId).finally(() => this.fetching.delete(roomId));
    this.fetching.set(roomId, p);
    return p;
  }

  private async doFetch(roomId: string): Promise<void> {
    const r = await this.core.roomKeys(roomId);
    this.note(roomId, r.keyEpoch, !!r.rotateKey);
    let members: string[] | null = null;
    for (const w of r.keys ?? []) {
      if (w.deviceId !== this.core.deviceId || (await this.local(w.roomId, w.epoch))) continue;
      try {
        members ??= await this.core.members(roomId);
        if (!members.includes(w.senderUserId)) continue;
        const dev = await this.trust.signedDevice(w.senderUserId, w.senderDevice);
        if (!dev) continue;
        const key = await unwrapRoomKey(this.core.device!.privateKey, dev.publicKey, roomId, w.epoch, w.senderDevice, this.core.deviceId, w.wrapped);
        await this.store(roomId, w.epoch, key, false);
      } catch (err) {
        this.core.log("unwrap room key", err);
      }
    }
  }

  // readBackup imports the room keys of the key backup (at most every
  // BACKUP_EVERY_MS unless forced); true when it ran.
  async readBackup(force = false): Promise<boolean> {
    const bk = this.core.bk;
    if (!bk) return false;
    if (!force && this.core.now() - this.backupReadAt < BACKUP_EVERY_MS) return false;
    this.backupReadAt = this.core.now();
    let cursor: string | undefined;
    do {
      const page = await this.core.backupKeysPage(cursor);
      for (const e of page.keys ?? []) {
        if (await this.local(e.roomId, e.epoch)) continue;
        try {
          const key = await openBackupRoomKey(bk, e.roomId, e.epoch, e.key);
          await this.store(e.roomId, e.epoch, key, true);
        } catch (err) {
          this.core.log("open backup key", err);
        }
      }
      cursor = page.cursor || undefined;
    } while (cursor);
    return true;
  }

  // backup seals keys under BK and puts them in the server's backup.
  async backup(entries: { roomId: string; epoch: number; key: Uint8Array }[]): Promise<void> {
    const bk = this.core.bk;
    if (!bk || entries.length === 0) return;
    for (let i = 0; i < entries.length; i += 100) {
      const chunk = entries.slice(i, i + 100);
      const keys = await Promise.all(chunk.map(async (e) => ({ roomId: e.roomId, epoch: e.epoch, key: await sealBackupRoomKey(bk, e.roomId, e.epoch, e.key) })));
      await this.core.deps.request({ action: "putBackupKeys", keys });
      await this.core.ks?.markBackedUp(chunk.map(({ roomId, epoch }) => ({ roomId, epoch })));
    }
  }

  // backupAll puts every key held here into the (new) backup.
  async backupAll(): Promise<void> {
    const all = (await this.core.ks?.listRoomKeys()) ?? [];
    await this.backup(all.map((e) => ({ roomId: e.roomId, epoch: e.epoch, key: e.key })));
  }

  // replaced: the key of an epoch failed to open a message: is the wrap
  // for this device now another key (a device that made the same epoch at
  // the same time wrote over the first)? Then that key, kept; else none.
  async replaced(roomId: string, epoch: number, failed: Uint8Array): Promise<Bytes | undefined> {
    const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
    const held = await this.local(roomId, epoch);
    if (held && !same(held, failed)) return held;
    if (!this.core.device) return undefined;
    const r = await this.core.roomKeys(roomId);
    const w = r.keys?.find((k) => k.epoch === epoch && k.deviceId === this.core.deviceId);
    if (!w) return undefined;
    if (!(await this.core.members(roomId)).includes(w.senderUserId)) return undefined;
    const dev = await this.trust.signedDevice(w.senderUserId, w.senderDevice);
    if (!dev) return undefined;
    const key = await unwrapRoomKey(this.core.device.privateKey, dev.publicKey, roomId, epoch, w.senderDevice, this.core.deviceId, w.wrapped);
    if (same(key, failed)) return undefined;
    this.mem.set(this.id(roomId, epoch), key);
    await this.core.ks?.putRoomKey(roomId, epoch, key, { backedUp: false });
    await this.backup([{ roomId, epoch, key }]).catch((err) => this.core.log("backup room key", err));
    return key;
  }

  // ---- key requests ----

  // request asks the signed devices of the room's members (mine included)
  // for the key of an epoch, once a minute at most.
  async request(roomId: string, epoch: number): Promise<void> {
    if (!this.core.ready()) return;
    const id = this.id(roomId, epoch);
    if (this.core.now() - (this.requested.get(id) ?? -Infinity) < REQUEST_EVERY_MS) return;
    this.requested.set(id, this.core.now());
    const members = await this.core.members(roomId);
    const users = await this.trust.get(members);
    for (const uid of members) {
      for (const d of await this.trust.signedDevices(users.get(uid))) {
        if (d.deviceId === this.core.deviceId) continue;
        this.core.deviceMessage(uid, d.deviceId, { type: "key.request", roomId, epoch });
      }
    }
  }

  // answer shares a key I hold with a signed device of a member that asked.
  async answer(fromUserId: string, fromDeviceId: string, body: { roomId?: unknown; epoch?: unknown }): Promise<void> {
    const roomId = typeof body.roomId === "string" ? body.roomId : "";
    const epoch = typeof body.epoch === "number" && Number.isInteger(body.epoch) && body.epoch > 0 ? body.epoch : 0;
    if (!roomId || !epoch || !this.core.ready() || fromDeviceId === this.core.deviceId) return;
    if (!this.core.deps.state().rooms[roomId]?.encrypted) return;
    const id = [fromDeviceId, roomId, epoch].join("\n");
    if (this.core.now() - (this.answered.get(id) ?? -Infinity) < ANSWER_EVERY_MS) return;
    const key = await this.local(roomId, epoch);
    if (!key) return;
    this.answered.set(id, this.core.now());
    const members = await this.core.members(roomId);
    if (!members.includes(fromUserId)) return;
    const dev = await this.trust.signedDevice(fromUserId, fromDeviceId, true);
    if (!dev) return;
    const wrapped = await wrapRoomKey(this.core.device!.privateKey, dev.publicKey, roomId, epoch, this.core.deviceId, fromDeviceId, key);
    await this.core.shareRoomKeys(roomId, epoch, [{ userId: fromUserId, deviceId: fromDeviceId, senderDevice: this.core.deviceId, wrapped }]);
  }

  // shareWith: a person whose key change was accepted gets the current key
  // of each encrypted room we share (what was sent since the change).
  async shareWith(userId: string): Promise<void> {
    if (!this.core.ready()) return;
    const s = this.core.deps.state();
    const rooms = Object.values(s.rooms).filter((r) => r.encrypted && this.core.memberIdsKnown(r.roomId).includes(userId));
    if (rooms.length === 0) return;
    const devices = await this.trust.signedDevices(await this.trust.one(userId, true));
    const me = this.core.deviceId;
    for (const r of rooms) {
      const epoch = this.current(r.roomId).keyEpoch;
      const key = epoch > 0 ? await this.local(r.roomId, epoch) : undefined;
      if (!key || devices.length === 0) continue;
      const keys = await Promise.all(devices.map(async (d) => ({ userId, deviceId: d.deviceId, senderDevice: me, wrapped: await wrapRoomKey(this.core.device!.privateKey, d.publicKey, r.roomId, epoch, me, d.deviceId, key) })));
      await this.core.shareRoomKeys(r.roomId, epoch, keys).catch((err) => this.core.log("share after key change", err));
    }
  }

  // ---- sending ----

  // sendKey: the key to send with now. Makes a new epoch when the room has
  // none, must rotate, or its current key cannot be had here.
  async sendKey(roomId: string): Promise<{ epoch: number; key: Bytes }> {
    let fresh = false;
    for (let attempt = 0; attempt < 4; attempt++) {
      const info = this.current(roomId);
      if (info.keyEpoch > 0 && !info.rotateKey) {
        const key = await this.get(roomId, info.keyEpoch, false);
        if (key) return { epoch: info.keyEpoch, key };
      }
      if (!fresh) {
        // Before making an epoch, the server's word on the current one
        // (another member may have just made it), after a random moment so
        // that two senders rarely ask at the same time.
        fresh = true;
        const jitter = this.core.deps.rotateJitterMs ?? 400;
        if (jitter > 0) await new Promise((r) => setTimeout(r, Math.random() * jitter));
        await this.fetch(roomId);
        const now = this.current(roomId);
        if (now.keyEpoch !== info.keyEpoch || now.rotateKey !== info.rotateKey) continue;
      }
      try {
        return await this.rotate(roomId, info.keyEpoch + 1);
      } catch (err) {
        if (errCode(err) !== "conflict" && errCode(err) !== "stale_key") throw err;
        // Lost the race (or the epoch moved on): take the server's view.
        await this.fetch(roomId);
      }
    }
    throw new RequestError("internal", "could not agree on a room key");
  }

  // refresh after a stale_key: the server's epoch and wraps for this device.
  async refresh(roomId: string): Promise<void> {
    await this.fetch(roomId);
  }

  rotate(roomId: string, epoch: number): Promise<{ epoch: number; key: Bytes }> {
    const running = this.rotating.get(roomId);
    if (running) return running;
    const p = this.doRotate(roomId, epoch).finally(() => this.rotating.delete(roomId));
    this.rotating.set(roomId, p);
    return p;
  }

  private async doRotate(roomId: string, epoch: number): Promise<{ epoch: number; key: Bytes }> {
    const started = this.core.now();
    const members = await this.core.members(roomId);
    const users = await this.trust.get(members, true);
    for (const uid of members) {
      if (this.trust.blocked(uid)) throw new RequestError("forbidden", "A verified person's security key changed: compare safety numbers or accept the change first.");
    }
    const key = newRoomKey();
    const keys: { userId: string; deviceId: string; senderDevice: string; wrapped: string }[] = [];
    const me = this.core.deviceId;
    for (const uid of members) {
      for (const d of await this.trust.signedDevices(users.get(uid))) {
        keys.push({ userId: uid, deviceId: d.deviceId, senderDevice: me, wrapped: await wrapRoomKey(this.core.device!.privateKey, d.publicKey, roomId, epoch, me, d.deviceId, key) });
      }
    }
    if (!keys.some((k) => k.deviceId === me)) {
      keys.unshift({ userId: this.core.userId, deviceId: me, senderDevice: me, wrapped: await wrapRoomKey(this.core.device!.privateKey, this.core.device!.publicKey, roomId, epoch, me, me, key) });
    }
    // The first call makes the epoch (exactly keyEpoch+1, or conflict).
    for (let i = 0; i < keys.length; i += SHARE_CHUNK) {
      const r = await this.core.shareRoomKeys(roomId, epoch, keys.slice(i, i + SHARE_CHUNK));
      if (i === 0) this.note(roomId, Math.max(epoch, r.keyEpoch ?? epoch), false);
    }
    this.note(roomId, epoch, false);
    // Read back this device's wrap: a device that made the same epoch at
    // the same time may have written its keys over ours (the server takes
    // keys of an existing epoch as additions). Then its key is the one
    // every device holds now: use it. Such a write lands at most about as
    // long after ours as making ours took: wait that long (twice) first.
    const wait = this.core.deps.rotateSettleMs ?? Math.min(2000, Math.max(300, 2 * (this.core.now() - started)));
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const back = await this.core.roomKeys(roomId).catch(() => null);
    const mine = back?.keys?.find((w) => w.epoch === epoch && w.deviceId === me);
    if (mine && mine.senderDevice !== me) {
      const members2 = await this.core.members(roomId);
      const dev = members2.includes(mine.senderUserId) ? await this.trust.signedDevice(mine.senderUserId, mine.senderDevice) : undefined;
      if (dev) {
        const theirs = await unwrapRoomKey(this.core.device!.privateKey, dev.publicKey, roomId, epoch, mine.senderDevice, me, mine.wrapped);
        await this.store(roomId, epoch, theirs, false);
        return { epoch, key: theirs };
      }
    }
    await this.store(roomId, epoch, key, false);
    return { epoch, key };
  }
}
