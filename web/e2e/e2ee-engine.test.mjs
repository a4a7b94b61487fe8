// End-to-end: the e2ee engine in real browsers against the local stack,
// driven through the client (window.backchannelClient, set by the test
// flag) rather than the screens (e2ee.test.mjs covers those): Ada's two
// browsers and Bob. Set up with passphrases (real scrypt), an encrypted
// DM both ways, the server's copy is ciphertext, Ada's second browser
// recovers and reads history, verification by SAS, removal and rotation,
// an encrypted file round trip, and a key change warning.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startStack, waitFor } from "./stack.mjs";
import { openPage, signUp } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const person = (name, password) => ({ name, password, email: `${name.toLowerCase()}-x-${run}@example.com` });
const ada = person("Ada", "correct horse 1");
const bob = person("Bob", "battery staple 2");
const ADA_PASS = "ada's long passphrase";
const BOB_PASS = "bob's long passphrase";
let a1, a2, b;

const flag = (ctx) => {
  ctx.on("console", (m) => {
    if (m.text().startsWith("e2ee")) console.error(`[${ctx.__name ?? "page"}] ${m.text()}`);
  });
  return ctx.addInitScript(() => localStorage.setItem("backchannel.testE2ee", "1"));
};

before(async () => {
  stack = await startStack({ logName: "stack-e2ee-engine.log" });
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

async function signIn(page, who) {
  await page.goto(stack.info.webUrl);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.locator("form").getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: /#general/ }).waitFor();
  await waitFor(() => page.evaluate(() => window.backchannel?.status === "online"), `${who.name} online`);
}

// watch logs the device messages and errors a page's socket carries
// (E2EE_E2E_DEBUG=1).
function watch(page, name) {
  if (!process.env.E2EE_E2E_DEBUG) return;
  page.on("websocket", (ws) => {
    ws.on("framereceived", (f) => {
      const t = String(f.payload);
      if (/"type":"(deviceMessage|error)"/.test(t)) console.error(`[${name} <-] ${t.slice(0, 300)}`);
    });
    ws.on("framesent", (f) => {
      const t = String(f.payload);
      if (/"action":"deviceMessage"/.test(t)) console.error(`[${name} ->] ${t.slice(0, 300)}`);
    });
  });
}

const status = (page) => page.evaluate(() => window.backchannelClient.e2ee.status);
const texts = (page, roomId) => page.evaluate((id) => (window.backchannel.state.messages[id] ?? []).map((m) => m.text || `<${m.e2ee?.error ?? (m.e2ee?.pending ? "pending" : "")}>`), roomId);

let roomId = "";

test("set up, talk in an encrypted DM, the server keeps ciphertext", { timeout: 180_000 }, async () => {
  a1 = await openPage(stack, { setup: flag });
  watch(a1, "a1");
  await signUp(stack, a1, ada);
  b = await openPage(stack, { setup: flag });
  await signUp(stack, b, bob);
  await waitFor(async () => (await status(a1)) === "off", "Ada's status off");
  await a1.evaluate((p) => window.backchannelClient.e2ee.setup(p), ADA_PASS);
  assert.equal(await status(a1), "ready");
  await b.evaluate((p) => window.backchannelClient.e2ee.setup(p), BOB_PASS);
  assert.equal(await status(b), "ready");
  const bobId = await b.evaluate(() => window.backchannel.state.me.userId);
  roomId = await a1.evaluate(async (id) => (await window.backchannelClient.chat.request({ action: "openDirect", userIds: [id], encrypted: true })).room.roomId, bobId);
  await a1.evaluate((id) => window.backchannelClient.chat.openRoom(id), roomId);
  await a1.evaluate((id) => window.backchannelClient.chat.send(id, "hello Bob, only you can read this"), roomId);
  await waitFor(async () => (await texts(a1, roomId)).includes("hello Bob, only you can read this"), "Ada's own message, acked and shown");
  await waitFor(async () => (await b.evaluate(() => Object.keys(window.backchannel.state.rooms))).includes(roomId), "the DM at Bob's");
  await b.evaluate((id) => window.backchannelClient.chat.openRoom(id), roomId);
  await waitFor(async () => (await texts(b, roomId)).includes("hello Bob, only you can read this"), "Bob reads Ada");
  await b.evaluate((id) => window.backchannelClient.chat.send(id, "hi Ada"), roomId);
  await waitFor(async () => (await texts(a1, roomId)).includes("hi Ada"), "Ada reads Bob");
  // What the server hands out is ciphertext.
  const raw = await b.evaluate(async (id) => {
    const r = await window.backchannelClient.chat.request({ action: "history", roomId: id });
    return r.messages.map((m) => ({ enc: !!m.encrypted, epoch: m.encrypted?.epoch }));
  }, roomId);
  assert.ok(raw.length >= 2 && raw.filter((m) => m.enc).every((m) => m.epoch === 1), JSON.stringify(raw));
});

test("a second browser recovers with the passphrase and reads history", { timeout: 180_000 }, async () => {
  a2 = await openPage(stack, { setup: flag });
  watch(a2, "a2");
  await signIn(a2, ada);
  await waitFor(async () => (await status(a2)) === "recovery-needed", "Ada's second browser needs recovery");
  await a2.evaluate((id) => window.backchannelClient.chat.openRoom(id), roomId);
  await waitFor(async () => (await texts(a2, roomId)).includes("<no-key>"), "no key before recovery");
  const wrong = await a2.evaluate(() => window.backchannelClient.e2ee.recover("not the passphrase").then(() => "", (e) => e.message));
  assert.match(wrong, /Wrong passphrase/);
  await a2.evaluate((p) => window.backchannelClient.e2ee.recover(p), ADA_PASS);
  assert.equal(await status(a2), "ready");
  await waitFor(async () => (await texts(a2, roomId)).includes("hello Bob, only you can read this"), "history after recovery");
});

test("an encrypted file round trip", { timeout: 120_000 }, async () => {
  const key = await a1.evaluate(async (id) => {
    const c = window.backchannelClient;
    c.uploads.add(id, [new File([new TextEncoder().encode("secret file bytes")], "notes.txt", { type: "text/plain" })]);
    for (let i = 0; i < 100 && c.uploads.attachments(id).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    const [att] = c.uploads.attachments(id);
    c.chat.send(id, "a file");
    return att;
  }, roomId);
  assert.equal(key.name, "encrypted.bin");
  assert.equal(key.type, "application/octet-stream");
  await waitFor(async () => (await texts(b, roomId)).includes("a file"), "Bob gets the file's message");
  const got = await b.evaluate(async (id) => {
    const m = window.backchannel.state.messages[id].find((x) => x.text === "a file");
    const f = m.e2ee.files[0];
    const blob = await window.backchannelClient.e2ee.openFile(id, m.seq, f);
    return { name: f.name, type: f.type, text: await blob.text() };
  }, roomId);
  assert.deepEqual(got, { name: "notes.txt", type: "text/plain", text: "secret file bytes" });
});

test("removing a device rotates the key: the removed device cannot read new messages", { timeout: 120_000 }, async () => {
  const removed = await a2.evaluate(() => window.backchannelClient.e2ee.deviceId);
  await a1.evaluate((d) => window.backchannelClient.e2ee.removeDevice(d), removed);
  await waitFor(async () => (await status(a2)) === "recovery-needed", "the removed browser starts over");
  await a1.evaluate((id) => window.backchannelClient.chat.send(id, "after the removal"), roomId);
  await waitFor(async () => (await texts(b, roomId)).includes("after the removal"), "Bob reads the new epoch");
  await waitFor(async () => (await texts(a2, roomId)).slice(-1)[0] === "<no-key>", "the removed device cannot");
  const epoch = await b.evaluate((id) => window.backchannel.state.messages[id].find((m) => m.text === "after the removal").encrypted.epoch, roomId);
  assert.equal(epoch, 2);
});

test("verification by SAS signs the new device and hands over the keys", { timeout: 120_000 }, async () => {
  const other = await a1.evaluate(() => window.backchannelClient.e2ee.deviceId);
  await a2.evaluate((d) => window.backchannelClient.e2ee.startVerification(d), other);
  await waitFor(async () => (await a1.evaluate(() => window.backchannelClient.e2ee.verification?.stage)) === "incoming", "the request arrives");
  await a1.evaluate(() => window.backchannelClient.e2ee.acceptVerification());
  const nums = async (p) => p.evaluate(() => window.backchannelClient.e2ee.verification?.numbers?.join(" ") ?? "");
  const stages = async () => JSON.stringify([await a1.evaluate(() => window.backchannelClient.e2ee.verification), await a2.evaluate(() => window.backchannelClient.e2ee.verification)]);
  await waitFor(async () => (await nums(a1)) && (await nums(a2)), "numbers on both screens", 30_000).catch(async (err) => {
    throw new Error(`${err.message}: ${await stages()}`);
  });
  assert.equal(await nums(a1), await nums(a2));
  await a1.evaluate(() => window.backchannelClient.e2ee.confirmSas());
  await a2.evaluate(() => window.backchannelClient.e2ee.confirmSas());
  await waitFor(async () => (await a2.evaluate(() => window.backchannelClient.e2ee.verification?.stage)) === "done", "done on the new device");
  assert.equal(await status(a2), "ready");
  await waitFor(async () => (await texts(a2, roomId)).includes("after the removal"), "the verified device reads the new epoch");
});

test("Bob resets his encryption: Ada sees the key change warning", { timeout: 120_000 }, async () => {
  const bobId = await b.evaluate(() => window.backchannel.state.me.userId);
  await b.evaluate(() => window.backchannelClient.e2ee.resetEncryption("bob's brand new passphrase"));
  await waitFor(async () => (await a1.evaluate((id) => window.backchannelClient.e2ee.keyWarnings.get(id), bobId)) === "changed", "the warning");
  await a1.evaluate((id) => window.backchannelClient.e2ee.acceptKeyChange(id), bobId);
  await a1.evaluate((id) => window.backchannelClient.chat.send(id, "to your new key"), roomId);
  await waitFor(async () => (await texts(b, roomId)).includes("to your new key"), "Bob reads after his reset");
});

// The server takes keys of an existing epoch as additions, written over the
// wraps there: a race's loser that arrives after the winner committed gets
// no Conflict but replaces the winner's key. The engine converges anyway
// (it reads its own wrap back after a moment and takes the later key; a
// message that fails with the held key is tried with the key now wrapped
// for it). A server refusing such writes (Conflict) would make this moot.
test("two members make the next epoch at the same time: everyone reads both messages", { timeout: 120_000 }, async () => {
  // A fresh write budget (30 per 10 s per person) after the steps above.
  await new Promise((r) => setTimeout(r, 10_000));
  const removed = await a2.evaluate(() => window.backchannelClient.e2ee.deviceId);
  await a1.evaluate((d) => window.backchannelClient.e2ee.removeDevice(d), removed);
  await waitFor(async () => await b.evaluate((id) => !!window.backchannel.state.rooms[id]?.rotateKey, roomId), "Bob sees the room must rotate");
  await waitFor(async () => await a1.evaluate((id) => !!window.backchannel.state.rooms[id]?.rotateKey, roomId), "Ada sees the room must rotate");
  await Promise.all([a1.evaluate((id) => window.backchannelClient.chat.send(id, "race from Ada"), roomId), b.evaluate((id) => window.backchannelClient.chat.send(id, "race from Bob"), roomId)]);
  for (const [p, who] of [[a1, "Ada"], [b, "Bob"]]) {
    await waitFor(async () => {
      const t = await texts(p, roomId);
      return t.includes("race from Ada") && t.includes("race from Bob");
    }, `${who} reads both racing messages`).catch(async (err) => {
      const epochs = await p.evaluate((id) => window.backchannel.state.messages[id].slice(-2).map((m) => [m.senderName, m.encrypted?.epoch, m.encrypted?.device]), roomId);
      throw new Error(`${err.message}: ${JSON.stringify(await texts(p, roomId))} ${JSON.stringify(epochs)}`);
    });
  }
});
