// This browser's end-to-end encryption keys, in IndexedDB (one database per
// signed-in person, "backchannel-e2ee-<userId>"): the device key, the
// identity key, the backup key, room keys by (roomId, epoch) and the pinned
// identity keys of other people (trust on first use). Private keys are
// stored as non-extractable CryptoKeys: script can use them but never read
// them out.
import type { Bytes } from "./types";

export interface StoredDevice {
  deviceId: string;
  privateKey: CryptoKey; // ECDH, non-extractable
  publicKey: string; // b64 raw point
}

export interface StoredIdentity {
  privateKey: CryptoKey; // ECDSA, non-extractable
  publicKey: string; // b64 raw point (identityKey)
}

export interface StoredRoomKey {
  roomId: string;
  epoch: number;
  key: Bytes; // 32 raw bytes
  backedUp?: boolean; // sent to the server backup (putBackupKeys)
}

// PinnedIdentity is the identity key first seen for a person; verified once
// safety numbers were compared.
export interface PinnedIdentity {
  userId: string;
  identityKey: string;
  verified: boolean;
  firstSeen: number; // ms since the epoch
}

const VERSION = 1;
const ITEMS = "items"; // device, identity, backupKey under fixed keys
const ROOM_KEYS = "roomKeys"; // keyPath [roomId, epoch]
const PINS = "pins"; // keyPath userId

export function keystoreName(userId: string): string {
  return "backchannel-e2ee-" + userId;
}

function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function finished(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("keystore: transaction aborted"));
  });
}

function defaultFactory(): IDBFactory {
  if (typeof indexedDB === "undefined") throw new Error("keystore: IndexedDB is not available");
  return indexedDB;
}

export class Keystore {
  private constructor(
    private readonly db: IDBDatabase,
    readonly name: string,
    private readonly factory: IDBFactory,
  ) {}

  // open opens (creating if needed) the person's key database.
  static async open(userId: string, factory: IDBFactory = defaultFactory()): Promise<Keystore> {
    const name = keystoreName(userId);
    const req = factory.open(name, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(ITEMS)) db.createObjectStore(ITEMS);
      if (!db.objectStoreNames.contains(ROOM_KEYS)) db.createObjectStore(ROOM_KEYS, { keyPath: ["roomId", "epoch"] });
      if (!db.objectStoreNames.contains(PINS)) db.createObjectStore(PINS, { keyPath: "userId" });
    };
    const db = await done(req);
    // Another tab wiping (or upgrading) the database: let it.
    db.onversionchange = () => db.close();
    return new Keystore(db, name, factory);
  }

  private async get<T>(store: string, key: IDBValidKey): Promise<T | undefined> {
    return (await done(this.db.transaction(store, "readonly").objectStore(store).get(key))) as T | undefined;
  }

  private async put(store: string, value: unknown, key?: IDBValidKey): Promise<void> {
    const tx = this.db.transaction(store, "readwrite");
    tx.objectStore(store).put(value, key);
    await finished(tx);
  }

  private async remove(store: string, key: IDBValidKey): Promise<void> {
    const tx = this.db.transaction(store, "readwrite");
    tx.objectStore(store).delete(key);
    await finished(tx);
  }

  getDevice(): Promise<StoredDevice | undefined> {
    return this.get(ITEMS, "device");
  }
  putDevice(device: StoredDevice): Promise<void> {
    return this.put(ITEMS, { deviceId: device.deviceId, privateKey: device.privateKey, publicKey: device.publicKey }, "device");
  }

  getIdentity(): Promise<StoredIdentity | undefined> {
    return this.get(ITEMS, "identity");
  }
  putIdentity(identity: StoredIdentity): Promise<void> {
    return this.put(ITEMS, { privateKey: identity.privateKey, publicKey: identity.publicKey }, "identity");
  }
  deleteIdentity(): Promise<void> {
    return this.remove(ITEMS, "identity");
  }

  getBackupKey(): Promise<Bytes | undefined> {
    return this.get(ITEMS, "backupKey");
  }
  putBackupKey(bk: Uint8Array): Promise<void> {
    return this.put(ITEMS, new Uint8Array(bk), "backupKey");
  }
  deleteBackupKey(): Promise<void> {
    return this.remove(ITEMS, "backupKey");
  }

  async getRoomKey(roomId: string, epoch: number): Promise<Bytes | undefined> {
    return (await this.get<StoredRoomKey>(ROOM_KEYS, [roomId, epoch]))?.key;
  }
  putRoomKey(roomId: string, epoch: number, key: Uint8Array, opts: { backedUp?: boolean } = {}): Promise<void> {
    const entry: StoredRoomKey = { roomId, epoch, key: new Uint8Array(key) };
    if (opts.backedUp) entry.backedUp = true;
    return this.put(ROOM_KEYS, entry);
  }
  // listRoomKeys returns the room keys of one room (or of all rooms), by
  // room then epoch.
  async listRoomKeys(roomId?: string): Promise<StoredRoomKey[]> {
    const range = roomId === undefined ? undefined : IDBKeyRange.bound([roomId, -Infinity], [roomId, Infinity]);
    return (await done(this.db.transaction(ROOM_KEYS, "readonly").objectStore(ROOM_KEYS).getAll(range))) as StoredRoomKey[];
  }
  // markBackedUp flags stored room keys as sent to the server backup.
  async markBackedUp(keys: { roomId: string; epoch: number }[]): Promise<void> {
    const tx = this.db.transaction(ROOM_KEYS, "readwrite");
    const store = tx.objectStore(ROOM_KEYS);
    for (const { roomId, epoch } of keys) {
      const req = store.get([roomId, epoch]);
      req.onsuccess = () => {
        const entry = req.result as StoredRoomKey | undefined;
        if (entry && !entry.backedUp) store.put({ ...entry, backedUp: true });
      };
    }
    await finished(tx);
  }

  getPin(userId: string): Promise<PinnedIdentity | undefined> {
    return this.get(PINS, userId);
  }
  putPin(pin: PinnedIdentity): Promise<void> {
    return this.put(PINS, { userId: pin.userId, identityKey: pin.identityKey, verified: pin.verified, firstSeen: pin.firstSeen });
  }
  async listPins(): Promise<PinnedIdentity[]> {
    return (await done(this.db.transaction(PINS, "readonly").objectStore(PINS).getAll())) as PinnedIdentity[];
  }

  close(): void {
    this.db.close();
  }

  // wipe closes this keystore and deletes its database: every key of this
  // person on this browser is gone (sign-out on a shared computer, reset).
  async wipe(): Promise<void> {
    this.db.close();
    await deleteDatabase(this.factory, this.name);
  }
}

function deleteDatabase(factory: IDBFactory, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = factory.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
  });
}

// wipeKeystore deletes a person's key database without opening it.
export function wipeKeystore(userId: string, factory: IDBFactory = defaultFactory()): Promise<void> {
  return deleteDatabase(factory, keystoreName(userId));
}
