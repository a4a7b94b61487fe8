// The e2ee engine end to end against an in-memory server (e2ee-fakeserver):
// several browsers (each its own IndexedDB via fake-indexeddb, chat state
// and engine) set up, send, recover, rotate, verify and warn.
import "fake-indexeddb/auto";
import { describe, expect, it, vi } from "vitest";
import { Client, FakeServer, settleAll } from "./e2ee-fakeserver";

const ADA_PASS = "correct horse battery";
const BOB_PASS = "bob's long passphrase";

async function world() {
  const server = new FakeServer();
  server.person("ada", "Ada");
  server.person("bob", "Bob");
  server.room("dm1", ["ada", "bob"]);
  const ada = new Client(server, "ada", "ada1");
  await ada.connect();
  const bob = new Client(server, "bob", "bob1");
  await bob.connect();
  return { server, ada, bob };
}

async function readyWorld() {
  const w = await world();
  await w.ada.view.setup(ADA_PASS);
  await w.bob.view.setup(BOB_PASS);
  await settleAll(w.server);
  return w;
}

const texts = (c: Client, roomId = "dm1") => c.messages(roomId).map((m) => m.text);

// Each test runs whole browsers' worth of WebCrypto (key generation, ECDH,
// a backup's scrypt) one after another; on a loaded CI machine that can
// pass vitest's 5 s default, which is not what these tests are about.
describe("e2ee engine", { timeout: 30_000 }, () => {
  it("setup -> send -> second device recovers and decrypts history", async () => {
    const { server, ada, bob } = await world();
    expect(ada.view.status).toBe("off");
    expect(ada.view.deviceId).toMatch(/^dev_[a-z2-7]{26}$/);
    await ada.view.setup(ADA_PASS);
    expect(ada.view.status).toBe("ready");
    expect(ada.view.hasIdentity).toBe(true);
    await bob.view.setup(BOB_PASS);
    await ada.send("dm1", "hello @Bob");
    await settleAll(server);
    // The server holds only ciphertext; mentions travel as user ids.
    const stored = server.rooms.get("dm1")!.messages[0];
    expect(stored.text).toBe("");
    expect(JSON.stringify(stored)).not.toContain("hello");
    expect(stored.mentions).toEqual(["bob"]);
    expect(texts(ada)).toEqual(["hello @Bob"]);
    expect(texts(bob)).toEqual(["hello @Bob"]);
    expect(ada.messages("dm1")[0].e2ee).toEqual({});

    const ada2 = new Client(server, "ada", "ada2");
    await ada2.connect();
    expect(ada2.view.status).toBe("recovery-needed");
    await ada2.history("dm1");
    await ada2.settle();
    expect(ada2.messages("dm1")[0].e2ee?.error).toBe("no-key");
    await expect(ada2.view.recover("not my passphrase")).rejects.toThrow("Wrong passphrase (9 attempts left)");
    await ada2.view.recover(ADA_PASS);
    expect(ada2.view.status).toBe("ready");
    await ada2.settle();
    expect(texts(ada2)).toEqual(["hello @Bob"]);
    expect(ada2.messages("dm1")[0].e2ee).toEqual({});
    // Its signature is the identity's: others trust it now.
    expect(server.people.get("ada")!.devices.get(ada2.view.deviceId!)!.signature).toBeTruthy();
    expect(ada2.view.reportPlaintext("dm1", 1)).toBe("hello @Bob");
  });

  it("rotation after removeDevice excludes the removed device", async () => {
    const { server, ada, bob } = await readyWorld();
    const ada2 = new Client(server, "ada", "ada2");
    await ada2.connect();
    await ada2.view.recover(ADA_PASS);
    await ada.send("dm1", "one");
    await settleAll(server);
    expect(texts(ada2)).toEqual(["one"]);
    const removed = ada2.view.deviceId!;
    await ada.view.refreshDevices();
    expect(ada.view.devices.map((d) => [d.current, d.verified])).toEqual([
      [true, true],
      [false, true],
    ]);
    await ada.view.removeDevice(removed);
    await settleAll(server);
    expect(ada.view.devices.map((d) => d.deviceId)).toEqual([ada.view.deviceId]);
    // The removed browser forgot its keys and is a new, unsigned device.
    expect(ada2.view.status).toBe("recovery-needed");
    expect(ada2.view.deviceId).not.toBe(removed);

    await ada.send("dm1", "two");
    await settleAll(server);
    const room = server.rooms.get("dm1")!;
    expect(room.room.keyEpoch).toBe(2);
    const epoch2 = room.wraps.filter((w) => w.epoch === 2).map((w) => w.deviceId);
    expect(epoch2).not.toContain(removed);
    expect(epoch2.sort()).toEqual([ada.view.deviceId, bob.view.deviceId].sort());
    expect(texts(bob)).toEqual(["one", "two"]);
    // What the removed device would see: no key for epoch 2.
    await ada2.history("dm1");
    await ada2.settle();
    expect(ada2.messages("dm1").map((m) => m.e2ee?.error)).toEqual(["no-key", "no-key"]);
  });

  it("retries after stale_key with a new epoch", async () => {
    const { server, ada, bob } = await readyWorld();
    await ada.send("dm1", "first");
    // A member left: the server wants a new epoch, and Ada has not heard.
    server.rooms.get("dm1")!.room.rotateKey = true;
    await ada.send("dm1", "second");
    await settleAll(server);
    const sends = server.log.filter((l) => l.action === "sendMessage" && l.userId === "ada").map((l) => (l.payload.encrypted as { epoch: number }).epoch);
    expect(sends).toEqual([1, 1, 2]);
    expect(texts(bob)).toEqual(["first", "second"]);
    expect(server.rooms.get("dm1")!.room.rotateKey).toBe(false);
  });

  it("uses the winner's epoch after losing the race to make it", async () => {
    const { server, ada, bob } = await readyWorld();
    await Promise.all([ada.send("dm1", "from ada"), bob.send("dm1", "from bob")]);
    await settleAll(server);
    const room = server.rooms.get("dm1")!;
    expect(room.room.keyEpoch).toBe(1);
    expect(room.messages.map((m) => m.encrypted!.epoch)).toEqual([1, 1]);
    expect(server.log.some((l) => l.action === "getRoomKeys")).toBe(true);
    expect(texts(ada).sort()).toEqual(["from ada", "from bob"]);
    expect(texts(bob).sort()).toEqual(["from ada", "from bob"]);
  });

  it("converges on one key when a late maker of the same epoch writes over the first (server without the conflict)", async () => {
    const server = new FakeServer();
    server.overwriteShares = true;
    server.person("ada", "Ada");
    server.person("bob", "Bob");
    server.room("dm1", ["ada", "bob"]);
    const ada = new Client(server, "ada", "ada1", 50);
    const bob = new Client(server, "bob", "bob1", 50);
    await ada.connect();
    await bob.connect();
    await ada.view.setup(ADA_PASS);
    await bob.view.setup(BOB_PASS);
    await Promise.all([ada.send("dm1", "from ada"), bob.send("dm1", "from bob")]);
    await settleAll(server, 6);
    expect(server.rooms.get("dm1")!.messages.map((m) => m.encrypted!.epoch)).toEqual([1, 1]);
    expect(texts(ada).sort()).toEqual(["from ada", "from bob"]);
    expect(texts(bob).sort()).toEqual(["from ada", "from bob"]);
  });

  it("answers a key request from a signed device of a member", async () => {
    const { server, ada } = await readyWorld();
    await ada.send("dm1", "before bob's new laptop");
    await settleAll(server);
    // Bob's backup lost the key (a share that never made it there).
    server.people.get("bob")!.backupKeys.clear();
    const bob2 = new Client(server, "bob", "bob2");
    await bob2.connect();
    await bob2.view.recover(BOB_PASS);
    await bob2.history("dm1");
    await settleAll(server, 6);
    const asked = server.log.filter((l) => l.action === "deviceMessage" && l.userId === "bob" && (l.payload.body as { type: string }).type === "key.request");
    expect(asked.length).toBeGreaterThan(0);
    const answers = server.log.filter((l) => l.action === "shareRoomKeys" && (l.payload.keys as { deviceId: string }[]).some((k) => k.deviceId === bob2.view.deviceId));
    expect(answers.length).toBeGreaterThan(0);
    expect(texts(bob2)).toEqual(["before bob's new laptop"]);
  });

  it("verifies a new device by SAS: equal numbers, then it is signed and reads history", async () => {
    const { server, ada } = await readyWorld();
    await ada.send("dm1", "history");
    const ada2 = new Client(server, "ada", "ada2");
    await ada2.connect();
    expect(ada2.view.status).toBe("recovery-needed");
    await ada2.view.startVerification(ada.view.deviceId!);
    expect(ada2.view.verification?.stage).toBe("requested");
    await settleAll(server);
    expect(ada.view.verification?.stage).toBe("incoming");
    expect(ada.view.verification?.otherDeviceName).toBe("Browser ada2");
    await ada.view.acceptVerification();
    await settleAll(server);
    expect(ada.view.verification?.stage).toBe("compare");
    expect(ada2.view.verification?.stage).toBe("compare");
    const numbers = ada.view.verification!.numbers!;
    expect(numbers).toHaveLength(3);
    for (const n of numbers) expect(n).toBeGreaterThanOrEqual(1000);
    expect(ada2.view.verification!.numbers).toEqual(numbers);
    await ada2.view.confirmSas();
    await ada.view.confirmSas();
    await settleAll(server, 6);
    // The new device opens the identity from the backup in the background
    // (under a loaded CI the fixed settle rounds may end first): wait for it.
    await vi.waitFor(
      () => {
        expect(ada.view.verification?.stage).toBe("done");
        expect(ada2.view.verification?.stage).toBe("done");
        expect(server.people.get("ada")!.devices.get(ada2.view.deviceId!)!.signature).toBeTruthy();
        expect(ada2.view.status).toBe("ready");
        expect(ada2.view.hasIdentity).toBe(true);
      },
      { timeout: 10_000, interval: 20 },
    );
    await ada2.history("dm1");
    await ada2.settle();
    await vi.waitFor(() => expect(texts(ada2)).toEqual(["history"]), { timeout: 10_000, interval: 20 });
  });

  it("a new device signed before it reads the other's MAC still takes the backup key and identity", async () => {
    const { server, ada } = await readyWorld();
    await ada.send("dm1", "history");
    const ada2 = new Client(server, "ada", "ada2");
    await ada2.connect();
    // Hold the first device's verification messages at the new one until
    // the signature (keysChanged) has made it "ready".
    const held: Parameters<Client["push"]>[0][] = [];
    const deliver = ada2.push.bind(ada2);
    let holding = true;
    ada2.push = (ev) => {
      const type = (ev as { type: string; body?: { type?: string } }).type === "deviceMessage" ? (ev as { body?: { type?: string } }).body?.type : undefined;
      if (holding && (type === "verify.mac" || type === "verify.done")) held.push(ev);
      else deliver(ev);
    };
    await ada2.view.startVerification(ada.view.deviceId!);
    await settleAll(server);
    await ada.view.acceptVerification();
    await settleAll(server);
    await ada2.view.confirmSas();
    await ada.view.confirmSas();
    await settleAll(server, 6);
    await vi.waitFor(() => expect(ada2.view.status).toBe("ready"), { timeout: 10_000, interval: 20 });
    expect(ada2.view.hasIdentity).toBe(false);
    expect(held.length).toBeGreaterThan(0);
    holding = false;
    for (const ev of held) deliver(ev);
    await settleAll(server, 6);
    await vi.waitFor(
      () => {
        expect(ada2.view.verification?.stage).toBe("done");
        expect(ada2.view.hasIdentity).toBe(true);
      },
      { timeout: 10_000, interval: 20 },
    );
    await ada2.history("dm1");
    await ada2.settle();
    await vi.waitFor(() => expect(texts(ada2)).toEqual(["history"]), { timeout: 10_000, interval: 20 });
  });

  it("cancels a SAS verification whose MAC does not match", async () => {
    const { server, ada } = await readyWorld();
    const ada2 = new Client(server, "ada", "ada2");
    await ada2.connect();
    await ada2.view.startVerification(ada.view.deviceId!);
    await settleAll(server);
    await ada.view.acceptVerification();
    await settleAll(server);
    // A forged MAC from "ada2" reaches the signed device.
    await ada.engine.verification.onMessage("ada", ada2.view.deviceId!, { type: "verify.mac", txn: ada.view.verification!.txn, mac: "AAAA" });
    await ada.view.confirmSas();
    await settleAll(server);
    expect(ada.view.verification?.stage).toBe("cancelled");
    expect(server.people.get("ada")!.devices.get(ada2.view.deviceId!)!.signature).toBeUndefined();
  });

  it("marks a tampered ciphertext as tampered", async () => {
    const { server, ada } = await readyWorld();
    await ada.send("dm1", "secret");
    await settleAll(server);
    const stored = server.rooms.get("dm1")!.messages[0];
    const ct = stored.encrypted!.ct;
    stored.encrypted = { ...stored.encrypted!, ct: (ct[0] === "A" ? "B" : "A") + ct.slice(1) };
    const bob2 = new Client(server, "bob", "bob2");
    await bob2.connect();
    await bob2.view.recover(BOB_PASS);
    await bob2.history("dm1");
    await bob2.settle();
    expect(bob2.messages("dm1")[0].e2ee).toEqual({ error: "tampered" });
    expect(bob2.messages("dm1")[0].text).toBe("");
    expect(bob2.view.reportPlaintext("dm1", 1)).toBeUndefined();
  });

  it("warns of a key change, louder for a verified person, and holds sends until accepted", async () => {
    const { server, ada, bob } = await readyWorld();
    await ada.send("dm1", "hi");
    await settleAll(server);
    const mine = await ada.view.safetyNumber("bob");
    expect(mine).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(await bob.view.safetyNumber("ada")).toBe(mine);
    await ada.view.markVerified("bob");
    expect(ada.view.isVerified("bob")).toBe(true);
    await bob.view.resetEncryption("bob's brand new passphrase");
    await settleAll(server);
    expect(ada.view.keyWarnings.get("bob")).toBe("changed-verified");
    expect(ada.view.isVerified("bob")).toBe(false);
    expect(ada.view.canSend("dm1").ok).toBe(false);
    await expect(ada.send("dm1", "held")).rejects.toThrow(/security key changed/);
    expect(await ada.view.safetyNumber("bob")).not.toBe(mine);
    await ada.view.acceptKeyChange("bob");
    expect(ada.view.keyWarnings.has("bob")).toBe(false);
    expect(ada.view.canSend("dm1")).toEqual({ ok: true });
    // The reset rotated the room: the next message is for Bob's new key.
    await ada.send("dm1", "after");
    await settleAll(server);
    expect(texts(bob)).toEqual(["hi", "after"]);
    expect(server.rooms.get("dm1")!.room.keyEpoch).toBe(2);
  });

  it("after a reset on another device, this one starts over and recovers with the new passphrase", async () => {
    const { server, ada } = await readyWorld();
    await ada.send("dm1", "old history");
    const ada2 = new Client(server, "ada", "ada2");
    await ada2.connect();
    await ada2.view.recover(ADA_PASS);
    const before = ada.view.deviceId;
    await ada2.view.resetEncryption("a brand new passphrase");
    await settleAll(server);
    expect(ada.view.status).toBe("recovery-needed");
    expect(ada.view.deviceId).not.toBe(before);
    expect(ada.view.hasIdentity).toBe(false);
    await ada.view.recover("a brand new passphrase");
    expect(ada.view.status).toBe("ready");
    // The resetting device put the keys it held into the new backup.
    await ada.history("dm1");
    await ada.settle();
    expect(texts(ada)).toEqual(["old history"]);
  });

  it("warns of an unverified person's key change", async () => {
    const { server, ada, bob } = await readyWorld();
    await ada.send("dm1", "hi");
    await settleAll(server);
    await bob.view.resetEncryption("bob's brand new passphrase");
    await settleAll(server);
    expect(ada.view.keyWarnings.get("bob")).toBe("changed");
    expect(ada.view.canSend("dm1")).toEqual({ ok: true, reason: expect.stringContaining("Bob's security key changed") });
    // Until Ada accepts, Bob's new key is not trusted: nothing is wrapped
    // for his new device.
    await ada.send("dm1", "before accepting");
    await settleAll(server, 6);
    const room = server.rooms.get("dm1")!;
    expect(room.wraps.filter((w) => w.epoch === 2).map((w) => w.deviceId)).toEqual([ada.view.deviceId]);
    expect(bob.messages("dm1").at(-1)!.e2ee?.error).toBe("no-key");
    await ada.view.acceptKeyChange("bob");
    await settleAll(server, 6);
    expect(texts(bob)).toEqual(["hi", "before accepting"]);
  });

  it("round-trips an encrypted file", async () => {
    const { server, ada, bob } = await readyWorld();
    const bytes = new TextEncoder().encode("the file's secret contents");
    expect(ada.engine.encryptsUploads("dm1")).toBe(true);
    const up = await ada.engine.encryptUpload(new Blob([bytes]), "notes.txt", "text/plain");
    const ct = new Uint8Array(await up.blob.arrayBuffer());
    expect(up.blob.type).toBe("application/octet-stream");
    expect(new TextDecoder().decode(ct)).not.toContain("secret");
    server.objects.set("files/obj1", ct);
    up.bind("files/obj1");
    await ada.send("dm1", "", { attachments: [{ key: "files/obj1", name: "encrypted.bin", size: ct.length, type: "application/octet-stream" }] });
    await settleAll(server);
    const files = bob.messages("dm1")[0].e2ee?.files;
    expect(files?.map((f) => [f.name, f.type, f.size])).toEqual([["notes.txt", "text/plain", bytes.length]]);
    const blob = await bob.view.openFile("dm1", 1, files![0]);
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(bytes);
  });

  it("decrypts a list held outside the state (pins, saved)", async () => {
    const { server, ada } = await readyWorld();
    await ada.send("dm1", "pin me");
    await settleAll(server);
    const bob2 = new Client(server, "bob", "bob2");
    await bob2.connect();
    await bob2.view.recover(BOB_PASS);
    const raw = structuredClone(server.rooms.get("dm1")!.messages);
    const [m] = await bob2.view.decryptMessages(raw);
    expect([m.text, m.e2ee]).toEqual(["pin me", {}]);
    const plain = { ...raw[0], encrypted: undefined, text: "plain" };
    expect(await bob2.view.decryptMessages([plain])).toEqual([plain]);
  });

  it("decrypts an edit in place", async () => {
    const { server, ada, bob } = await readyWorld();
    await ada.send("dm1", "typo");
    await settleAll(server);
    await ada.engine.outgoing({ action: "editMessage", roomId: "dm1", seq: 1, text: "fixed" } as never, (p) => ada.request(p as never))!;
    await settleAll(server);
    expect(texts(ada)).toEqual(["fixed"]);
    expect(texts(bob)).toEqual(["fixed"]);
  });

  it("leaves plain rooms alone and refuses to send encrypted before setup", async () => {
    const { server, ada } = await world();
    expect(ada.engine.outgoing({ action: "sendMessage", roomId: "plain", clientId: "c", text: "x" } as never, async () => ({}) as never)).toBeNull();
    await expect(ada.send("dm1", "too early")).rejects.toThrow(/Set up encryption/);
    expect(server.rooms.get("dm1")!.messages).toHaveLength(0);
  });
});
