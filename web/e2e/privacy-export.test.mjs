// End-to-end check of "Export my data" (issue 15): Ann sends messages in
// #general and a channel of hers, Bob writes her a DM; in Settings >
// Privacy she asks for her export, sees it being prepared, then ready
// (pushed by the worker over her socket); after a reload the dialog still
// says ready (the server's status); she downloads the zip and the test
// opens it: her messages with their rooms, her preferences, no word of
// Bob's. Then Bob, made an admin, exports Ann's data from the admin
// console and downloads it; Ann sees an administrator asked for it. Its
// own stack (make dev: the export queue and worker run in it).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { inflateRawSync } from "node:zlib";
import { join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, createChannel, messages, openPage, send, signUp } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann Archer", password: "correct horse 1" };
const bob = { email: `bob-${run}@example.com`, name: "Bob Baker", password: "battery staple 2" };
let pageA, pageB;
const dir = join(ARTIFACTS, "screens");

before(async () => {
  stack = await startStack({ logName: "privacy-export-stack.log" });
  pageA = await openPage(stack);
  pageB = await openPage(stack);
  await signUp(stack, pageA, ann);
  await signUp(stack, pageB, bob);
  mkdirSync(dir, { recursive: true });
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

// unzip reads a zip's entries (stored or deflated) from its central
// directory: name -> bytes.
function unzip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, "a zip's end of central directory");
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map();
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, "a central directory entry");
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nlen = buf.readUInt16LE(p + 28);
    const xlen = buf.readUInt16LE(p + 30);
    const clen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nlen).toString("utf8");
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + csize);
    out.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    p += 46 + nlen + xlen + clen;
  }
  return out;
}

const openSettings = async (page) => {
  await page.getByRole("button", { name: "Settings", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Settings", exact: true });
  await dialog.waitFor();
  return dialog;
};

test("Ann exports her data, waits for it, reloads, downloads it and it holds her messages", { timeout: 180_000 }, async () => {
  const general = `hello general ${run}`;
  const inPlans = `plans <b>bold</b> & more ${run}`;
  const bobSecret = `bob only for ann ${run}`;
  await send(pageA, general);
  await messages(pageB).getByText(general).waitFor();
  await createChannel(pageA, `plans-${run}`);
  await send(pageA, inPlans);
  await messages(pageA).getByText(inPlans).waitFor();
  // Bob's DM to Ann: his words, never in her archive.
  await pageB.getByRole("button", { name: "New direct message" }).click();
  const dmDialog = pageB.getByRole("dialog", { name: "New direct message" });
  await dmDialog.waitFor();
  await dmDialog.getByRole("checkbox", { name: new RegExp(`^${ann.name} @[a-z0-9._-]+$`) }).check();
  await dmDialog.getByRole("button", { name: "Start conversation" }).click();
  await dmDialog.waitFor({ state: "detached" });
  await send(pageB, bobSecret);
  await messages(pageB).getByText(bobSecret).waitFor();

  const dialog = await openSettings(pageA);
  const status = dialog.locator(".export-status");
  await dialog.getByRole("heading", { name: "Privacy: your data" }).waitFor();
  await dialog.getByRole("button", { name: "Export my data" }).click();
  // Ready, pushed by the worker (the "being prepared" state may be too
  // short to see on a fast machine).
  await waitFor(async () => (await status.getAttribute("data-state")) === "ready", "the export ready", 60_000);
  assert.match(await status.innerText(), /Your export is ready/);
  await dialog.getByRole("button", { name: "Download export" }).scrollIntoViewIfNeeded();
  await pageA.screenshot({ path: join(dir, "privacy-export-ready-1280.png") });
  await axeCheck(pageA, "the settings dialog with a ready export");

  // A reload asks the server: still ready.
  await pageA.reload();
  await waitFor(() => pageA.evaluate(() => window.backchannel?.status === "online"), "Ann online again");
  const again = await openSettings(pageA);
  await waitFor(async () => (await again.locator(".export-status").getAttribute("data-state")) === "ready", "ready after the reload");

  const [download] = await Promise.all([pageA.waitForEvent("download"), again.getByRole("button", { name: "Download export" }).click()]);
  const path = await download.path();
  const zip = unzip(readFileSync(path));
  for (const name of ["README.txt", "profile.json", "rooms.json", "messages.json", "reactions.json", "files.json", "preferences.json", "saved.json"]) {
    assert.ok(zip.has(name), `the archive has ${name}: ${[...zip.keys()].join(", ")}`);
  }
  const msgs = JSON.parse(zip.get("messages.json").toString("utf8"));
  const texts = msgs.map((m) => m.text);
  assert.ok(texts.includes(general), `her #general message: ${texts}`);
  const planned = msgs.find((m) => m.text === inPlans);
  assert.ok(planned, "her message in her channel, its text as sent (escaped only on screen)");
  assert.equal(planned.roomName, `plans-${run}`);
  assert.ok(!Number.isNaN(Date.parse(planned.createdAt)), "with its time");
  assert.ok(msgs.every((m) => m.roomId && m.roomName !== undefined && m.seq > 0), "every message has its room and seq");
  const profile = JSON.parse(zip.get("profile.json").toString("utf8"));
  assert.equal(profile.displayName, ann.name);
  const prefs = JSON.parse(zip.get("preferences.json").toString("utf8"));
  assert.ok(prefs.appearance && prefs.notify, "her preferences");
  for (const [name, bytes] of zip) {
    assert.ok(!bytes.includes(Buffer.from(bobSecret)), `${name} holds Bob's DM`);
  }
  // The text with markup was shown escaped in the app, never as HTML.
  assert.equal(await messages(pageA).locator("b", { hasText: "bold" }).count(), 0);
});

// cognito calls the local pool's API directly (cognito-local checks no
// signature), as an operator with the AWS CLI would.
async function cognito(op, body) {
  const res = await fetch(stack.info.cognitoEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": `AWSCognitoIdentityProviderService.${op}` },
    body: JSON.stringify(body),
  });
  assert.ok(res.ok, `${op}: ${res.status} ${await res.text()}`);
}

test("an admin exports Ann's data on her request from the admin console and downloads it", { timeout: 180_000 }, async () => {
  await cognito("AdminAddUserToGroup", { UserPoolId: stack.info.userPoolId, Username: bob.email, GroupName: "admins" });
  // A fresh token carries the group.
  await pageB.getByRole("button", { name: "Sign out", exact: true }).click();
  await pageB.getByLabel("Email").fill(bob.email);
  await pageB.getByLabel("Password", { exact: true }).fill(bob.password);
  await pageB.locator("form").getByRole("button", { name: "Sign in" }).click();
  // Signed in again (in the room he was last in), now with the console.
  await pageB.getByRole("button", { name: "Manage people" }).waitFor();
  await waitFor(() => pageB.evaluate(() => window.backchannel?.status === "online"), "Bob online as an admin");

  await pageB.getByRole("button", { name: "Manage people" }).click();
  const dialog = pageB.getByRole("dialog", { name: "People" });
  await dialog.getByLabel("Search by name or email").fill(`ann-${run}`);
  const row = dialog.locator(`li[data-email="${ann.email}"]`);
  await row.waitFor();
  await row.getByRole("button", { name: `Export data of ${ann.name}` }).click();
  const dl = row.getByRole("button", { name: `Download export of ${ann.name}` });
  await dl.waitFor({ timeout: 60_000 });
  await pageB.screenshot({ path: join(dir, "privacy-export-admin-1280.png") });
  await axeCheck(pageB, "the admin console with a ready export");
  const [download] = await Promise.all([pageB.waitForEvent("download"), dl.click()]);
  const zip = unzip(readFileSync(await download.path()));
  const profile = JSON.parse(zip.get("profile.json").toString("utf8"));
  assert.equal(profile.displayName, ann.name);
  const msgs = JSON.parse(zip.get("messages.json").toString("utf8"));
  assert.ok(msgs.some((m) => m.text === `hello general ${run}`), "Ann's messages in the admin's export of her data");

  // Ann sees that an administrator asked for it.
  await pageA.keyboard.press("Escape");
  await pageA.locator("dialog[open]").waitFor({ state: "detached" });
  const annDialog = await openSettings(pageA);
  await annDialog.getByText("An administrator asked for this export.").waitFor();
});
