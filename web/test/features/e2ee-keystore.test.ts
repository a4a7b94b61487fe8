// The IndexedDB key store, on fake-indexeddb (installed globally by its
// /auto entry, in this test file only).
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { generateDeviceKey, generateIdentity, newBackupKey, newRoomKey, unwrapRoomKey, wrapRoomKey } from "../../src/features/e2ee/crypto";
import { Keystore, keystoreName, wipeKeystore } from "../../src/features/e2ee/keystore";
import { ALICE, ALICE_DEV, ALICE_ID_PUB, BOB } from "./e2ee-fixtures";

async function databases(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? "");
}

describe("keystore", () => {
  it("is one database per person", async () => {
    expect(keystoreName(ALICE)).toBe("backchannel-e2ee-usr_alice");
    const a = await Keystore.open(ALICE);
    const b = await Keystore.open(BOB);
    await a.putBackupKey(new Uint8Array(32).fill(1));
    expect(await b.getBackupKey()).toBeUndefined();
    expect(await databases()).toEqual(expect.arrayContaining(["backchannel-e2ee-usr_alice", "backchannel-e2ee-usr_bob"]));
    await a.wipe();
    await b.wipe();
  });

  it("keeps non-extractable keys usable across reopening", async () => {
    const store = await Keystore.open(ALICE);
    expect(await store.getDevice()).toBeUndefined();
    expect(await store.getIdentity()).toBeUndefined();
    const dev = await generateDeviceKey();
    const id = await generateIdentity();
    await store.putDevice({ deviceId: ALICE_DEV, ...dev });
    await store.putIdentity({ privateKey: id.privateKey, publicKey: id.publicKey });
    store.close();

    const again = await Keystore.open(ALICE);
    const device = await again.getDevice();
    expect(device).toMatchObject({ deviceId: ALICE_DEV, publicKey: dev.publicKey });
    expect(device!.privateKey.extractable).toBe(false);
    // The stored private key still derives: wrap to ourselves and unwrap.
    const key = newRoomKey();
    const wrapped = await wrapRoomKey(device!.privateKey, dev.publicKey, "room_1", 1, ALICE_DEV, ALICE_DEV, key);
    expect(await unwrapRoomKey(dev.privateKey, device!.publicKey, "room_1", 1, ALICE_DEV, ALICE_DEV, wrapped)).toEqual(key);
    const identity = await again.getIdentity();
    expect(identity?.publicKey).toBe(id.publicKey);
    expect(identity!.privateKey.extractable).toBe(false);
    await again.deleteIdentity();
    expect(await again.getIdentity()).toBeUndefined();
    await again.wipe();
  });

  it("stores the backup key and room keys by room and epoch", async () => {
    const store = await Keystore.open(ALICE);
    const bk = newBackupKey();
    await store.putBackupKey(bk);
    expect(await store.getBackupKey()).toEqual(bk);

    const k1 = newRoomKey();
    const k2 = newRoomKey();
    const k3 = newRoomKey();
    await store.putRoomKey("room_b", 1, k3);
    await store.putRoomKey("room_a", 2, k2);
    await store.putRoomKey("room_a", 1, k1, { backedUp: true });
    expect(await store.getRoomKey("room_a", 1)).toEqual(k1);
    expect(await store.getRoomKey("room_a", 2)).toEqual(k2);
    expect(await store.getRoomKey("room_a", 3)).toBeUndefined();
    const a = await store.listRoomKeys("room_a");
    expect(a.map((e) => [e.roomId, e.epoch, !!e.backedUp])).toEqual([
      ["room_a", 1, true],
      ["room_a", 2, false],
    ]);
    expect((await store.listRoomKeys()).map((e) => `${e.roomId}/${e.epoch}`)).toEqual(["room_a/1", "room_a/2", "room_b/1"]);

    await store.markBackedUp([{ roomId: "room_a", epoch: 2 }, { roomId: "room_x", epoch: 9 }]);
    expect((await store.listRoomKeys()).filter((e) => !e.backedUp).map((e) => e.roomId)).toEqual(["room_b"]);
    expect(await store.getRoomKey("room_a", 2)).toEqual(k2);
    await store.wipe();
  });

  it("pins identity keys with a verified flag and first sight", async () => {
    const store = await Keystore.open(ALICE);
    expect(await store.getPin(BOB)).toBeUndefined();
    await store.putPin({ userId: BOB, identityKey: ALICE_ID_PUB, verified: false, firstSeen: 1700000000000 });
    await store.putPin({ userId: "usr_carol", identityKey: ALICE_ID_PUB, verified: false, firstSeen: 1700000000001 });
    await store.putPin({ userId: BOB, identityKey: ALICE_ID_PUB, verified: true, firstSeen: 1700000000000 });
    expect(await store.getPin(BOB)).toEqual({ userId: BOB, identityKey: ALICE_ID_PUB, verified: true, firstSeen: 1700000000000 });
    expect((await store.listPins()).map((p) => p.userId)).toEqual([BOB, "usr_carol"]);
    await store.wipe();
  });

  it("wipe deletes everything of the person, and only theirs", async () => {
    const a = await Keystore.open(ALICE);
    const b = await Keystore.open(BOB);
    await a.putBackupKey(newBackupKey());
    await a.putRoomKey("room_a", 1, newRoomKey());
    await b.putBackupKey(newBackupKey());
    await a.wipe();
    expect(await databases()).not.toContain("backchannel-e2ee-usr_alice");
    const fresh = await Keystore.open(ALICE);
    expect(await fresh.getBackupKey()).toBeUndefined();
    expect(await fresh.listRoomKeys()).toEqual([]);
    expect(await b.getBackupKey()).toBeDefined();
    // wipeKeystore works while another connection is open (it closes).
    await wipeKeystore(BOB);
    expect(await databases()).not.toContain("backchannel-e2ee-usr_bob");
    await fresh.wipe();
  });
});
