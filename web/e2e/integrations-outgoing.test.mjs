// End-to-end check of outgoing webhooks (issue 16): Ann, owner of #alerts,
// registers an outgoing webhook on the trigger word "incident" in the
// channel settings ("Commands & outgoing webhooks") against a local
// receiver (signed-receiver.mjs) that verifies every delivery's signature
// with the secret the dialog showed once. Bob's message with the trigger
// word reaches the receiver, signed, from the stream pipeline; a message
// without it does not fire. Ann deletes the webhook in the dialog; a later
// message with the trigger word is delivered only to a second ("canary")
// webhook of the same room. Axe and a screenshot. Its own stack.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SCREENS, axeCheck, msgOf, send, startWithTwo } from "./helpers.mjs";
import { startReceiver } from "./signed-receiver.mjs";

let stack, receiver;
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann Archer", password: "correct horse 1" };
const bob = { email: `bob-${run}@example.com`, name: "Bob Baker", password: "battery staple 2" };
let pageA, pageB;
const dir = SCREENS;

before(async () => {
  receiver = await startReceiver();
  ({ stack, pageA, pageB } = await startWithTwo({ logName: "integrations-outgoing-stack.log" }, ann, bob, "alerts"));
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
  receiver?.close();
});

// addOutgoing registers an outgoing webhook in Ann's open channel settings
// and hands the secret shown once to the receiver.
async function addOutgoing(section, path, words) {
  await section.locator('input[name="outgoing-url"]').fill(receiver.url(path));
  await section.getByLabel("Trigger words (separated by spaces or commas)").fill(words);
  await section.getByRole("button", { name: "Add outgoing webhook" }).click();
  const secretBox = section.getByLabel(`Signing secret for ${receiver.url(path)}`);
  await secretBox.waitFor();
  const secret = await secretBox.inputValue();
  assert.match(secret, /^bcsec_[0-9a-f]{64}$/);
  receiver.setSecret(path, secret);
  await section.locator(".integration-row", { hasText: receiver.url(path) }).waitFor();
}

async function openSettings() {
  await pageA.getByRole("button", { name: "Channel settings" }).click();
  const dialog = pageA.getByRole("dialog", { name: "Channel settings" });
  const section = dialog.getByRole("region", { name: "Commands & outgoing webhooks" });
  await section.waitFor();
  return { dialog, section };
}

async function closeSettings(dialog) {
  await pageA.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
}

test("an outgoing webhook registered in the channel settings gets signed deliveries on its trigger word; deleted, it gets none", { timeout: 180_000 }, async () => {
  let { dialog, section } = await openSettings();
  await addOutgoing(section, "/incident", "incident");
  assert.match(await section.locator(".integration-row", { hasText: "/incident" }).textContent(), /on incident/);
  await dialog.evaluate((el) => el.querySelector(".integrations")?.scrollIntoView());
  await pageA.screenshot({ path: join(dir, "integrations-outgoing-settings-1280.png") });
  await axeCheck(pageA, "the channel settings with an outgoing webhook");
  await closeSettings(dialog);

  // A message without the trigger word, then one with it: only the second
  // is delivered (deliveries follow the stream, in order per room).
  await send(pageB, "all quiet here");
  await msgOf(pageA, "all quiet here").waitFor();
  await send(pageB, "the api is down, Incident!");
  await msgOf(pageA, "the api is down").waitFor();
  const got = await receiver.until((r) => r.path === "/incident");
  assert.equal(got.payload.event, "message.created");
  assert.equal(got.payload.text, "the api is down, Incident!");
  assert.equal(got.payload.triggerWord, "incident");
  assert.equal(got.payload.userName, "Bob Baker");
  assert.match(got.headers["x-backchannel-delivery"], /:/);
  assert.equal(receiver.on("/incident").length, 1, "the message without the trigger word fired nothing");
  assert.equal(receiver.refused.length, 0);

  // A second webhook (the canary) on the same room; then Ann deletes the
  // first in the dialog.
  ({ dialog, section } = await openSettings());
  await addOutgoing(section, "/canary", "incident");
  await section.getByRole("button", { name: `Delete ${receiver.url("/incident")}` }).click();
  await section.locator(".integration-row", { hasText: receiver.url("/incident") }).waitFor({ state: "detached" });
  await section.locator(".integration-row", { hasText: "/canary" }).waitFor();
  await closeSettings(dialog);

  // The same event goes to every webhook the room has when it is
  // delivered: the canary gets it, the deleted one does not.
  await send(pageB, "second incident tonight");
  await receiver.until((r) => r.path === "/canary" && r.payload.text === "second incident tonight");
  assert.equal(receiver.on("/incident").length, 1, "the deleted webhook got no delivery");
  assert.equal(receiver.refused.length, 0);
});
