// End-to-end: privacy controls and blocking (issue 15), two browsers on a
// stack of their own. Bo appears offline (Ana's client shows him offline
// with no last seen), turns read receipts off, and accepts DMs from nobody:
// Ana's attempt to start one is refused with the reason. Ana blocks Bo from
// the members panel: his new message is collapsed ("Message from a blocked
// person — show") and opens on "show"; Bo is told nothing. The blocked list
// in Ana's settings unblocks him. Then a DM (no members panel): Bo starts
// one, Ana blocks him from its header: his typing is not shown, his message
// there is collapsed and adds no unread badge, his search hit is collapsed;
// at 360 px the header's Unblock is in the ⋯ menu, and his typing shows again.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, composer, messages, openPage, send, signUp } from "./helpers.mjs";

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
  const privacy = dialog.getByRole("region", { name: "Privacy", exact: true });
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
  const privacyA = dialogA.getByRole("region", { name: "Privacy", exact: true });
  await privacyA.getByRole("button", { name: "Unblock Bo" }).click();
  await privacyA.getByText("You have not blocked anyone.").waitFor();
  await closeSettings(pageA);
  await send(pageB, "back in view");
  await messages(pageA).getByText("back in view").waitFor();

  // A DM has no members panel: block from its header. Bo starts one (Ana
  // takes DMs from everyone).
  await showMembers(pageB);
  await pageB.locator("aside.members button.member", { hasText: "Ana" }).click();
  await pageB.getByRole("heading", { name: /Ana/ }).waitFor();
  await send(pageB, "a word in private");
  const dmLink = pageA.locator("nav.sidebar .room-link", { hasText: "Bo" });
  await dmLink.click();
  await messages(pageA).getByText("a word in private").waitFor();
  const dmId = await pageA.evaluate(() => window.backchannel.state.activeRoom);
  const typingAt = (page) => page.evaluate(([r, u]) => !!window.backchannel.state.typing[r]?.some((t) => t.userId === u), [dmId, boId]);
  // Bo typing shows, until he clears his draft.
  // (Keys until a notice goes out: the client sends one per 3 s.)
  const typeUntil = (what, seen) =>
    waitFor(async () => {
      await composer(pageB).press("x");
      return seen();
    }, what);
  await typeUntil("Bo typing at Ana's", async () => (await pageA.getByText("Bo is typing…").count()) > 0);
  await composer(pageB).fill("");
  await waitFor(async () => (await pageA.getByText("Bo is typing…").count()) === 0, "Bo's typing line to go");

  const head = pageA.locator("header.room-head");
  await head.getByRole("button", { name: "Block Bo" }).click();
  await head.getByRole("button", { name: "Unblock Bo" }).waitFor();
  // He types again: the notice arrives, the line stays empty.
  await typeUntil("Bo's typing notice at Ana's", () => typingAt(pageA));
  await pageA.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))); // rendered
  assert.equal(await pageA.getByText("Bo is typing…").count(), 0, "a blocked person's typing is not shown");
  assert.equal((await pageA.locator("p.typing").textContent()).trim(), "", "the typing line is empty");
  await axeCheck(pageA, "a DM header with Unblock");
  await pageA.screenshot({ path: join(ARTIFACTS, "privacy-dm-blocked.png") });
  await composer(pageB).fill("");

  // His message in the DM: collapsed, and no unread badge while Ana is elsewhere.
  await pageA.locator("nav.sidebar .room-link", { hasText: "general" }).click();
  await send(pageB, "still there in private?");
  await waitFor(() => pageA.evaluate((r) => !!window.backchannel.state.messages[r]?.some((m) => m.text === "still there in private?"), dmId), "Bo's DM message at Ana's");
  assert.equal(await dmLink.locator(".badge").count(), 0, "a blocked person's message adds no unread badge");
  assert.equal(await pageA.evaluate((r) => window.backchannel.state.rooms[r].unread, dmId), 0);

  // Search: his hit is collapsed until "show".
  await pageA.getByRole("button", { name: "Search messages" }).first().click();
  const search = pageA.getByRole("dialog", { name: "Search messages" });
  const input = search.getByRole("searchbox", { name: "Search for" });
  await input.fill("private");
  await waitFor(async () => {
    await input.press("Enter");
    await pageA.waitForTimeout(400);
    return (await search.locator(".search-result-blocked").count()) >= 1;
  }, "Bo's hit, collapsed");
  assert.equal(await search.getByText("still there in private?").count(), 0, "the blocked hit's text is hidden");
  await axeCheck(pageA, "a collapsed search hit");
  await pageA.screenshot({ path: join(ARTIFACTS, "privacy-search-blocked.png") });
  await search.locator(".search-result-blocked").first().getByRole("button", { name: "show" }).click();
  await search.locator(".search-result", { hasText: "in private" }).first().waitFor();
  await pageA.keyboard.press("Escape");
  await search.waitFor({ state: "detached" });

  // At 360 px the header's actions fold into the ⋯ menu: Unblock is there.
  await dmLink.click();
  await pageA.setViewportSize({ width: 360, height: 740 });
  await head.getByRole("button", { name: "Conversation actions" }).click();
  const unblock = head.getByRole("button", { name: "Unblock Bo" });
  await unblock.waitFor({ state: "visible" });
  await pageA.screenshot({ path: join(ARTIFACTS, "privacy-dm-menu-360.png") });
  await unblock.click();
  await waitFor(() => pageA.evaluate((u) => !(window.backchannel.state.preferences?.blocked ?? []).includes(u), boId), "Bo unblocked");
  await pageA.setViewportSize({ width: 1280, height: 800 });
  await head.getByRole("button", { name: "Block Bo" }).waitFor();
  await typeUntil("Bo typing shown again", async () => (await pageA.getByText("Bo is typing…").count()) > 0);
  await pageA.context().close();
  await pageB.context().close();
});
