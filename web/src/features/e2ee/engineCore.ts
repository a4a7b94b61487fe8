// What the parts of the e2ee engine share (engine.ts composes them): the
// dependencies on the chat (requests, state), this device's keys and the
// view the screens read (state/e2ee.ts).
import type { BackupKeysFrame, Device, KeyBackupFrame, RoomKeysFrame, ServerEvent, UserKeys, UserKeysFrame, DeviceFrame, DevicesFrame, RoomKeysSharedFrame, MembersFrame } from "../../api/protocol.gen";
import { RequestError } from "../../api/socket";
import type { Action, ChatState } from "../../state/types";
import type { E2EE } from "../../state/e2ee";
import type { KdfOptions } from "./backup";
import type { BackupKDF, Bytes } from "./types";

// The keystore (keystore.ts, helper e2ee-crypto) as the engine uses it.
export interface StoredDevice {
  deviceId: string;
  privateKey: CryptoKey;
  publicKey: string;
}
export interface StoredIdentity {
  privateKey: CryptoKey;
  publicKey: string;
}
export interface PinnedIdentity {
  userId: string;
  identityKey: string;
  verified: boolean;
  firstSeen: number;
}
export interface KeyStoreLike {
  getDevice(): Promise<StoredDevice | undefined>;
  putDevice(d: StoredDevice): Promise<void>;
  getIdentity(): Promise<StoredIdentity | undefined>;
  putIdentity(i: StoredIdentity): Promise<void>;
  deleteIdentity(): Promise<void>;
  getBackupKey(): Promise<Bytes | undefined>;
  putBackupKey(bk: Uint8Array): Promise<void>;
  deleteBackupKey(): Promise<void>;
  getRoomKey(roomId: string, epoch: number): Promise<Bytes | undefined>;
  putRoomKey(roomId: string, epoch: number, key: Uint8Array, opts?: { backedUp?: boolean }): Promise<void>;
  listRoomKeys(roomId?: string): Promise<{ roomId: string; epoch: number; key: Bytes; backedUp?: boolean }[]>;
  markBackedUp(keys: { roomId: string; epoch: number }[]): Promise<void>;
  getPin(userId: string): Promise<PinnedIdentity | undefined>;
  putPin(pin: PinnedIdentity): Promise<void>;
  listPins(): Promise<PinnedIdentity[]>;
  wipe(): Promise<void>;
}

export interface EngineDeps {
  userId: string;
  // request sends an action and resolves with its reply (RequestError on
  // an error reply).
  request(p: object): Promise<ServerEvent>;
  state(): ChatState;
  dispatch(a: Action): void;
  openKeystore(userId: string): Promise<KeyStoreLike>;
  // The browser and system, the device's name in the list ("Chrome on Linux").
  deviceName: string;
  // Small values that are not secrets: the sealed identity (under BK), and
  // whether this device was registered once (to notice its removal).
  storage?: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  // Backup KDF parameters for new backups, and the options scrypt runs with
  // (tests use cheap ones).
  newKdf?(): BackupKDF;
  kdfOptions?: KdfOptions;
  // Files: a download URL for an attachment, and its bytes.
  downloadUrl?(roomId: string, seq: number, key: string): Promise<string>;
  fetchBytes?(url: string): Promise<Uint8Array>;
  createObjectUrl?(blob: Blob): string;
  supported?(): boolean;
  // Before making a new epoch, wait up to this long (random) and ask the
  // server again: two members sending at once after a rotation then rarely
  // both make the epoch (default 400 ms; tests 0).
  rotateJitterMs?: number;
  // After making an epoch, how long to wait before reading this device's
  // wrap back (a concurrent maker's write lands by then); default: twice
  // what making it took, 300 ms to 2 s; tests 0.
  rotateSettleMs?: number;
  // Diagnostics for background failures.
  log?(what: string, err: unknown): void;
  now?(): number;
}

// Core: the shared state of the parts.
export class Core {
  ks: KeyStoreLike | null = null;
  device: StoredDevice | null = null;
  identity: StoredIdentity | null = null;
  bk: Uint8Array | null = null;
  // My identity key as the server has it ("" when none).
  serverIdentity = "";
  // Things to do when keys arrive (engine.ts: retry decryptions).
  onKeys: (roomId: string, epoch: number) => void = () => {};
  // After this device's status may have changed (verified by another).
  onSelfChanged: () => Promise<void> = async () => {};
  // The latest connection's registration (sends wait for it).
  connecting: Promise<void> = Promise.resolve();
  // This browser's keys were wiped: forget what was decrypted with them.
  onWiped: () => void = () => {};

  constructor(
    readonly deps: EngineDeps,
    readonly view: E2EE,
  ) {}

  get userId(): string {
    return this.deps.userId;
  }
  get deviceId(): string {
    return this.device?.deviceId ?? "";
  }
  now(): number {
    return this.deps.now?.() ?? Date.now();
  }
  ready(): boolean {
    return this.view.status === "ready" && !!this.device && !!this.ks;
  }
  log(what: string, err: unknown): void {
    this.deps.log?.(what, err);
  }

  // ---- typed requests ----
  async userKeys(userIds: string[]): Promise<UserKeys[]> {
    const out: UserKeys[] = [];
    for (let i = 0; i < userIds.length; i += 50) {
      const r = (await this.deps.request({ action: "getUserKeys", userIds: userIds.slice(i, i + 50) })) as UserKeysFrame;
      out.push(...r.users);
    }
    return out;
  }
  async keyBackup(proof?: string): Promise<KeyBackupFrame> {
    return (await this.deps.request({ action: "getKeyBackup", proof })) as KeyBackupFrame;
  }
  async backupKeysPage(cursor?: string): Promise<BackupKeysFrame> {
    return (await this.deps.request({ action: "getBackupKeys", cursor })) as BackupKeysFrame;
  }
  async roomKeys(roomId: string, sinceEpoch?: number): Promise<RoomKeysFrame> {
    return (await this.deps.request({ action: "getRoomKeys", roomId, deviceId: this.deviceId, sinceEpoch })) as RoomKeysFrame;
  }
  async shareRoomKeys(roomId: string, epoch: number, keys: { userId: string; deviceId: string; senderDevice: string; wrapped: string }[]): Promise<RoomKeysSharedFrame> {
    return (await this.deps.request({ action: "shareRoomKeys", roomId, epoch, keys })) as RoomKeysSharedFrame;
  }
  async registerDevice(d: StoredDevice): Promise<Device> {
    return ((await this.deps.request({ action: "registerDevice", deviceId: d.deviceId, name: this.deps.deviceName, publicKey: d.publicKey })) as DeviceFrame).device;
  }
  async signDeviceReq(deviceId: string, signature: string): Promise<Device> {
    return ((await this.deps.request({ action: "signDevice", deviceId, signature })) as DeviceFrame).device;
  }
  async listDevices(): Promise<Device[]> {
    return ((await this.deps.request({ action: "listDevices" })) as DevicesFrame).devices;
  }
  // members: the room's member ids, asked of the server (who is in the
  // room decides who gets keys: never from a stale list).
  async members(roomId: string): Promise<string[]> {
    const r = (await this.deps.request({ action: "listMembers", roomId })) as MembersFrame;
    return r.members.map((m) => m.userId);
  }
  // memberIdsKnown: the members the state holds (no request).
  memberIdsKnown(roomId: string): string[] {
    const s = this.deps.state();
    const held = s.members[roomId];
    if (held) return Object.keys(held);
    return s.rooms[roomId]?.memberIds ?? [];
  }
  // deviceMessage relays a body to one device. It is a request, so that a
  // refusal comes back: rate_limited (the person's write budget is shared
  // by all their devices) is tried again a little later; success has no
  // reply (the request's timeout is that).
  deviceMessage(userId: string, deviceId: string, body: object, attempt = 0): void {
    this.deps.request({ action: "deviceMessage", userId, deviceId, body }).then(
      () => {},
      (err) => {
        const code = errCode(err);
        if (code === "timeout") return;
        if (code === "rate_limited" && attempt < 5) {
          setTimeout(() => this.deviceMessage(userId, deviceId, body, attempt + 1), 1000 * 2 ** attempt + Math.random() * 500);
          return;
        }
        this.log("device message", err);
      },
    );
  }

  // storage keys
  sealedIdentityKey(): string {
    return `backchannel.e2ee.sealedIdentity.${this.userId}`;
  }
  registeredKey(deviceId: string): string {
    return `backchannel.e2ee.registered.${this.userId}.${deviceId}`;
  }
}

export const errCode = (err: unknown): string => (err instanceof RequestError ? err.code : "");

// E2EEError: a refusal with words for people.
export function fail(message: string): Error {
  return new Error(message);
}
