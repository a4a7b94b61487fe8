// End-to-end check of retention (issue 15): an admin keeps a channel's
// messages for a day from its settings; the room's header tells both
// members ("Messages older than a day are removed"); a message sent then
// expires a day later, and after make dev's TTL sweep, run as if two days
// had passed (POST /dev/ttl/sweep?advance=48h: the shortened clock), it is
// gone on a reload while a later one stays. The admin also sets the
// workspace's default in the settings. Its own stack.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, startStack } from "./stack.mjs";
import { axeCheck, createChannel, joinChannel, msgOf, openPage, send, signUp, signUpAdmin } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann Archer", password: "correct horse 1" };
const bob = { email: `bob-${run}@example.com`, name: "Bob Baker", password: "battery staple 2" };
const channel = `keep-${run}`;
let pageA, pageB;
const dir = join(ARTIFACTS, "screens");

before(async () => {
  stack = await startStack({ logName: "privacy-retention-stack.log" });
  pageA = await openPage(stack);
  pageB = await openPage(stack);
  await signUpAdmin(stack, pageA, ann);
  await signUp(stack, pageB, bob);
  mkdirSync(dir, { recursive: true });
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

// sweep runs make dev's TTL stand-in (and the S3 lifecycle) once, as if
// the clock were `advance` later.
async function sweep(advance) {
  const res = await fetch(new URL(`dev/ttl/sweep?advance=${advance}`, stack.info.webUrl), { method: "POST" });
  const body = await res.text();
  assert.equal(res.status, 200, body);
  return JSON.parse(body);
}

const notice = (page) => page.locator(".room-head .retention-notice");

test("an admin keeps a channel's messages for a day and both members see it", { timeout: 120_000 }, async () => {
  await createChannel(pageA, channel);
  await joinChannel(pageB, channel);
  assert.equal(await notice(pageA).count(), 0, "no notice while messages are kept forever");

  await pageA.getByRole("button", { name: "Channel settings" }).click();
  const dialog = pageA.getByRole("dialog", { name: "Channel settings" });
  await dialog.getByLabel("Keep messages").selectOption({ label: "1 day" });
  await dialog.getByRole("button", { name: "Save retention" }).click();
  await dialog.getByText("Retention saved.").waitFor();
  await pageA.screenshot({ path: join(dir, "retention-room-settings-1280.png") });
  await axeCheck(pageA, "the channel settings with retention");
  await dialog.getByRole("button", { name: "Close" }).click();

  for (const page of [pageA, pageB]) {
    await notice(page).filter({ hasText: "Messages older than a day are removed" }).waitFor();
  }
  await pageB.screenshot({ path: join(dir, "retention-notice-1280.png") });
  await axeCheck(pageB, "the room with its retention notice");
});

test("a message past its retention is gone after the TTL sweep; a newer one stays", { timeout: 120_000 }, async () => {
  const old = `kept a day ${run}`;
  await send(pageA, old);
  await msgOf(pageB, old).waitFor();
  const expiresAt = await pageB.evaluate((t) => Object.values(window.backchannel.state.messages).flat().find((m) => m.text === t)?.expiresAt, old);
  assert.ok(expiresAt, "the message carries its expiry");
  const day = Date.parse(expiresAt) - Date.now();
  assert.ok(day > 23 * 3600_000 && day <= 24 * 3600_000 + 60_000, `expires in a day, not ${day} ms`);

  // Nothing has expired yet: a sweep at the real time deletes none of it.
  await sweep("0s");
  // Two days later (the shortened clock), the sweep deletes it.
  const swept = await sweep("48h");
  assert.ok(swept.deleted >= 1, `the sweep deleted ${JSON.stringify(swept)}`);

  const fresh = `sent after the sweep ${run}`;
  await send(pageA, fresh);
  await msgOf(pageB, fresh).waitFor();
  await pageB.reload();
  await pageB.getByRole("heading", { name: new RegExp(`#${channel}`) }).waitFor();
  await msgOf(pageB, fresh).waitFor();
  assert.equal(await msgOf(pageB, old).count(), 0, "the expired message came back on reload");
  await notice(pageB).filter({ hasText: "Messages older than a day are removed" }).waitFor();
  await pageB.screenshot({ path: join(dir, "retention-after-sweep-1280.png") });
});

test("an admin sets the workspace's default retention in the settings", { timeout: 60_000 }, async () => {
  await pageA.getByRole("button", { name: "Settings", exact: true }).click();
  const dialog = pageA.getByRole("dialog", { name: "Settings", exact: true });
  const days = dialog.getByLabel("Days to keep messages (0: forever)");
  await days.fill("365");
  await dialog.getByRole("button", { name: "Save retention" }).click();
  await dialog.getByText("Retention saved.").waitFor();
  await dialog.getByRole("heading", { name: "Message retention" }).scrollIntoViewIfNeeded();
  await pageA.screenshot({ path: join(dir, "retention-workspace-setting-1280.png") });
  await axeCheck(pageA, "the settings with the workspace retention");
  await dialog.getByRole("button", { name: "Close" }).click();
  // Bob is no admin: no such setting for him.
  await pageB.getByRole("button", { name: "Settings", exact: true }).click();
  const his = pageB.getByRole("dialog", { name: "Settings", exact: true });
  await his.getByRole("heading", { name: "Settings" }).waitFor();
  assert.equal(await his.getByText("Message retention").count(), 0);
  await his.getByRole("button", { name: "Close" }).click();
});
