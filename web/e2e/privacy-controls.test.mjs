// End-to-end: privacy controls and blocking (issue 15), two browsers on a
// stack of their own. Bo appears offline (Ana's client shows him offline
// with no last seen), turns read receipts off, and accepts DMs from nobody:
// Ana's attempt to start one is refused with the reason. Ana blocks Bo from
// the members panel: his new message is collapsed ("Message from a blocked
// person — show") and opens on "show"; Bo is told nothing. The blocked list
// in Ana's settings unblocks him.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, messages, openPage, send, signUp } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const person = (name, password) => ({ name, password, email: `${name.toLowerCase()}-p-${run}@example.com` });
const ana = person("Ana", "correct horse 1");
const bo = person("Bo", "battery staple 2");

before(async () => {
  stack = await startStack({ logName: "stack-privacy-controls.log" });
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

const openSettings = async (page) => {
  await page.getByRole("button", { name: "Settings", exact: true }).click();
  return page.getByRole("dialog", { name: "Settings", exact: true });
};
const closeSettings = (page) => page.getByRole("button", { name: "Close" }).click();
const userOf = (page, id) => page.evaluate((uid) => window.backchannel.state.users[uid] ?? null, id);
const showMembers = async (page) => {
  if (!(await page.locator("aside.members").isVisible())) await page.getByRole("button", { name: /members/ }).first().click();
  await page.locator("aside.members").waitFor();
};

test("privacy settings and blocking, across two browsers", async () => {
  const pageA = await openPage(stack);
  const pageB = await openPage(stack);
  await signUp(stack, pageA, ana);
  await signUp(stack, pageB, bo);
  const boId = await pageB.evaluate(() => window.backchannel.state.me.userId);
  await waitFor(async () => (await userOf(pageA, boId))?.online === true, "Ana sees Bo online");

  // Bo: Settings › Privacy.
  const dialog = await openSettings(pageB);
  const privacy = dialog.getByRole("region", { name: "Privacy" });
  await privacy.waitFor();
  await privacy.getByLabel("Appear offline").check();
  await privacy.getByLabel("Don't send read receipts").check();
  await privacy.getByLabel("Nobody").check();
  await waitFor(() => pageB.evaluate(() => {
    const p = window.backchannel.state.preferences?.privacy;
    return p && p.appearOffline && p.hideReceipts && p.dmFrom === "nobody";
  }), "Bo's privacy stored");
  await privacy.getByText("You have not blocked anyone.").waitFor();
  await axeCheck(pageB, "settings with the privacy section");
  await privacy.scrollIntoViewIfNeeded();
  await pageB.screenshot({ path: join(ARTIFACTS, "privacy-settings.png") });
  await closeSettings(pageB);

  // Ana sees him offline, with no last seen.
  await waitFor(async () => {
    const u = await userOf(pageA, boId);
    return u && u.online === false && !u.lastSeen;
  }, "Bo offline with no last seen at Ana's");
  // Bo still chats; Ana gets it.
  await send(pageB, "still here, quietly");
  await messages(pageA).getByText("still here, quietly").waitFor();

  // A DM: refused with the reason.
  await showMembers(pageA);
  await pageA.locator("aside.members button.member", { hasText: "Bo" }).click();
  await pageA.locator("aside.members [role=alert]", { hasText: "does not accept new direct messages" }).waitFor();

  // Ana blocks Bo from the members panel; Bo is not told.
  await pageA.getByRole("button", { name: "Block Bo" }).click();
  await pageA.getByRole("button", { name: "Unblock Bo" }).waitFor();
  await send(pageB, "a message Ana will not see at first");
  const collapsed = messages(pageA).locator(".blocked-msg").last();
  await collapsed.getByText("Message from a blocked person").waitFor();
  assert.equal(await messages(pageA).getByText("a message Ana will not see at first").count(), 0, "the blocked message is collapsed");
  await axeCheck(pageA, "a collapsed message");
  await pageA.screenshot({ path: join(ARTIFACTS, "privacy-blocked-message.png") });
  await collapsed.getByRole("button", { name: "show" }).click();
  await messages(pageA).getByText("a message Ana will not see at first").waitFor();
  assert.equal(await pageB.evaluate(() => (window.backchannel.state.preferences?.blocked ?? []).length), 0, "Bo's state names no block");
  assert.equal(await pageB.getByText(/blocked/i).count(), 0, "Bo's screen says nothing of a block");

  // The blocked list in Ana's settings: Bo, unblocked from there.
  const dialogA = await openSettings(pageA);
  const privacyA = dialogA.getByRole("region", { name: "Privacy" });
  await privacyA.getByRole("button", { name: "Unblock Bo" }).click();
  await privacyA.getByText("You have not blocked anyone.").waitFor();
  await closeSettings(pageA);
  await send(pageB, "back in view");
  await messages(pageA).getByText("back in view").waitFor();
  await pageA.context().close();
  await pageB.context().close();
});
