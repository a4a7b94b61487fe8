// End-to-end check of conversations (issue 14, first part): reactions
// appear live on the other side (with who reacted, for the tooltip and
// screen readers), the quick-reaction bar offers the emoji used lately,
// pins and the pinned list in the room header (and the room's setting that
// lets every member pin), saved messages and the Saved view (a deleted one
// shows deleted), and "(edited)" opening the edit history. Its own stack;
// two people.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, createChannel, joinChannel, messages, msgOf, openPage, send, signUp } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann Archer", password: "correct horse 1" };
const bob = { email: `bob-${run}@example.com`, name: "Bob Baker", password: "battery staple 2" };
let pageA, pageB;
const dir = join(ARTIFACTS, "screens");

before(async () => {
  stack = await startStack({ logName: "conversations-stack.log" });
  pageA = await openPage(stack);
  pageB = await openPage(stack);
  await signUp(stack, pageA, ann);
  await signUp(stack, pageB, bob);
  mkdirSync(dir, { recursive: true });
  // Ann's channel, which Bob joins: Ann owns it, Bob is a member.
  await createChannel(pageA, "crew");
  await joinChannel(pageB, "crew");
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

const chip = (page, text, emoji) => msgOf(page, text).locator(".reaction", { hasText: emoji });

test("reactions appear live on the other side, with who reacted; the quick bar offers recent emoji", { timeout: 120_000 }, async () => {
  const text = `Shall we ship on Friday? ${run}`;
  await send(pageA, text);
  await msgOf(pageB, text).waitFor();

  // Bob reacts from the quick bar on hover.
  await msgOf(pageB, text).hover();
  await msgOf(pageB, text).getByRole("button", { name: "React with 👍" }).click();
  // Ann sees it live: the count, and who in the label and the tooltip.
  await chip(pageA, text, "👍").waitFor();
  assert.equal(await chip(pageA, text, "👍").getAttribute("aria-label"), "👍 1 reaction: Bob Baker");
  assert.equal(await chip(pageA, text, "👍").getAttribute("title"), "Bob Baker reacted with 👍");
  assert.equal(await chip(pageA, text, "👍").getAttribute("aria-pressed"), "false");
  // Ann joins in by clicking the chip: pressed for her, two for both.
  await chip(pageA, text, "👍").click();
  await waitFor(async () => (await chip(pageA, text, "👍").getAttribute("aria-pressed")) === "true", "Ann's 👍 pressed");
  await waitFor(async () => (await chip(pageB, text, "👍").getAttribute("aria-label")) === "👍 2 reactions: you, Ann Archer", "Bob sees two");

  // The palette: Ann picks 🚀, which Bob sees, and which her quick bar
  // now offers first.
  await msgOf(pageA, text).hover();
  await msgOf(pageA, text).getByRole("button", { name: "More reactions" }).click();
  await msgOf(pageA, text).locator(".emoji-palette").getByRole("button", { name: "React with 🚀" }).click();
  await chip(pageB, text, "🚀").waitFor();
  await msgOf(pageA, text).hover();
  assert.equal(await msgOf(pageA, text).locator(".quick-react").first().getAttribute("data-emoji"), "🚀");

  // Bob takes his 👍 back: one left, Ann's.
  await chip(pageB, text, "👍").click();
  await waitFor(async () => (await chip(pageA, text, "👍").getAttribute("aria-label")) === "👍 1 reaction: you", "Ann sees hers only");

  await msgOf(pageB, text).hover();
  await pageB.screenshot({ path: join(dir, "reactions-light-1280.png") });
  await axeCheck(pageB, "a message with reactions and its quick bar");
  await pageB.emulateMedia({ colorScheme: "dark" });
  await msgOf(pageB, text).hover();
  await pageB.screenshot({ path: join(dir, "reactions-dark-1280.png") });
  await axeCheck(pageB, "reactions in the dark theme");
  await pageB.emulateMedia({ colorScheme: "light" });
});

test("pins: owners pin, the header lists them; the room's setting lets every member pin", { timeout: 120_000 }, async () => {
  const first = `Release checklist is in the wiki ${run}`;
  const second = `On-call rota starts Monday ${run}`;
  await send(pageA, first);
  await send(pageA, second);
  await msgOf(pageB, second).waitFor();

  // Bob, a member, has no pin action; Ann pins.
  await msgOf(pageB, first).hover();
  assert.equal(await msgOf(pageB, first).getByRole("button", { name: "Pin to channel" }).count(), 0, "a member cannot pin by default");
  await msgOf(pageA, first).hover();
  await msgOf(pageA, first).getByRole("button", { name: "Pin to channel" }).click();
  await msgOf(pageB, first).locator(".pinned-mark").waitFor();

  // Ann lets every member pin; Bob pins the second.
  await pageA.getByRole("button", { name: "Channel settings" }).click();
  await pageA.getByLabel("Every member can pin messages").check();
  await pageA.getByRole("dialog").getByRole("button", { name: "Save", exact: true }).click();
  await pageA.getByRole("dialog").waitFor({ state: "detached" });
  await waitFor(() => pageB.evaluate(() => Object.values(window.backchannel.state.rooms).some((r) => r.name === "crew" && r.membersCanPin)), "Bob hears of the setting");
  await msgOf(pageB, second).hover();
  await msgOf(pageB, second).getByRole("button", { name: "Pin to channel" }).click();
  await msgOf(pageA, second).locator(".pinned-mark").waitFor();

  // The pinned list from the header: newest first.
  await pageB.getByRole("button", { name: "Pinned messages" }).click();
  const pins = pageB.getByRole("dialog", { name: "Pinned messages" });
  await pins.locator(".conv-item").nth(1).waitFor();
  const texts = await pins.locator(".conv-text").allTextContents();
  assert.deepEqual(texts, [second, first]);
  await pageB.screenshot({ path: join(dir, "pins-light-1280.png") });
  await axeCheck(pageB, "the pinned list");
  // Unpin from the list: it leaves it, and the mark leaves the message.
  await pins.locator(".conv-item", { hasText: second }).getByRole("button", { name: "Unpin" }).click();
  await waitFor(async () => (await pins.locator(".conv-item").count()) === 1, "one pin left");
  await pageB.keyboard.press("Escape");
  await waitFor(async () => (await msgOf(pageA, second).locator(".pinned-mark").count()) === 0, "the mark gone for Ann");
});

test("saved: save for later, the Saved view, a deleted message shows deleted", { timeout: 120_000 }, async () => {
  const keep = `Budget numbers: 42k ${run}`;
  const gone = `Draft idea, will delete ${run}`;
  await send(pageA, keep);
  await send(pageA, gone);
  await msgOf(pageB, gone).waitFor();
  for (const text of [keep, gone]) {
    await msgOf(pageB, text).hover();
    await msgOf(pageB, text).getByRole("button", { name: "Save for later" }).click();
    await waitFor(async () => (await msgOf(pageB, text).getByRole("button", { name: "Remove from saved" }).count()) === 1, `saved: ${text}`);
  }
  // Ann deletes the second.
  await msgOf(pageA, gone).hover();
  await msgOf(pageA, gone).getByRole("button", { name: "Delete", exact: true }).click();
  await pageA.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await messages(pageB).getByText("This message was deleted.").first().waitFor();

  await pageB.getByRole("button", { name: "Saved messages" }).click();
  const saved = pageB.getByRole("dialog", { name: "Saved messages" });
  await saved.locator(".conv-item").nth(1).waitFor();
  assert.match(await saved.locator(".conv-item").nth(0).textContent(), /This message was deleted\./);
  assert.match(await saved.locator(".conv-item").nth(1).textContent(), new RegExp(`Budget numbers: 42k ${run}`));
  assert.match(await saved.locator(".conv-item").nth(1).textContent(), /in #crew/);
  await pageB.screenshot({ path: join(dir, "saved-light-1280.png") });
  await axeCheck(pageB, "the Saved view");
  // Opening one goes to its message.
  await saved.locator(".conv-open").nth(1).click();
  await saved.waitFor({ state: "detached" });
  await msgOf(pageB, keep).waitFor();
  // Ann's Saved view is her own: empty.
  await pageA.getByRole("button", { name: "Saved messages" }).click();
  await pageA.getByRole("dialog", { name: "Saved messages" }).getByText("You have not saved any messages.").waitFor();
  await pageA.keyboard.press("Escape");
});

test("edit history: (edited) opens the earlier versions", { timeout: 120_000 }, async () => {
  const text = `Meeting at 3pm ${run}`;
  await send(pageA, text);
  await msgOf(pageB, text).waitFor();
  const edit = async (from, to) => {
    await msgOf(pageA, from).hover();
    await msgOf(pageA, from).getByRole("button", { name: "Edit", exact: true }).click();
    await pageA.getByLabel("Edit message").fill(to);
    await pageA.getByLabel("Edit message").press("Enter");
    await msgOf(pageB, to).waitFor();
  };
  await edit(text, `Meeting at 4pm ${run}`);
  await edit(`Meeting at 4pm ${run}`, `Meeting at 4pm in room B ${run}`);
  await msgOf(pageB, `in room B ${run}`).getByRole("button", { name: "(edited)" }).click();
  const dialog = pageB.getByRole("dialog", { name: "Edit history" });
  await dialog.locator(".version").nth(2).waitFor();
  const versions = await dialog.locator(".version-text").allTextContents();
  assert.deepEqual(versions, [text, `Meeting at 4pm ${run}`, `Meeting at 4pm in room B ${run}`]);
  await pageB.screenshot({ path: join(dir, "edit-history-light-1280.png") });
  await axeCheck(pageB, "the edit history");
  await pageB.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  // A narrow screen: the quick bar (three recent emoji) still fits and
  // works.
  await pageB.setViewportSize({ width: 360, height: 740 });
  await pageB.waitForTimeout(200);
  const msg = msgOf(pageB, `in room B ${run}`);
  await msg.hover();
  const first = msg.locator(".quick-react").first();
  const emoji = await first.getAttribute("data-emoji");
  await first.click();
  await chip(pageA, `in room B ${run}`, emoji).waitFor();
  const bar = await msg.locator(".msg-actions").boundingBox();
  assert.ok(bar && bar.x >= 0 && bar.x + bar.width <= 360, `the actions fit the screen: ${JSON.stringify(bar)}`);
  await pageB.screenshot({ path: join(dir, "reactions-light-360.png") });
  await axeCheck(pageB, "reactions at 360 px");
  await pageB.setViewportSize({ width: 1280, height: 800 });
});
