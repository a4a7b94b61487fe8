// End-to-end moderation: a workspace moderator (and admin) removes a
// message and mutes a member, and both sides see it; a member reports
// messages and the moderator resolves the reports from the queue with one
// click; the audit log lists what was done. Screenshots of the new screens
// (desktop and 360 px, light and dark) go to e2e/artifacts; axe stays clean.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { addToGroup, axeCheck, composer, messages, openPage, send, signInAgain, signUp } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const mo = { email: `mo-${run}@example.com`, name: "Mo", password: "moderate me 1" };
const bo = { email: `bo-${run}@example.com`, name: "Bo", password: "battery staple 2" };
let pageM, pageB;
// What the next prompt() answers (the report's reason).
let promptAnswer = "";

before(async () => {
  stack = await startStack({ logName: "moderation-stack.log" });
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

async function newPage() {
  const page = await openPage(stack);
  page.on("dialog", (d) => {
    if (d.type() === "prompt") return void d.accept(promptAnswer);
    return void d.accept(); // confirm()
  });
  return page;
}

const message = (page, text) => messages(page).locator("article.msg", { hasText: text });

async function shoot(page, name) {
  for (const theme of ["light", "dark"]) {
    await page.evaluate((t) => (document.documentElement.dataset.theme = t), theme);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${theme}.png`) });
    await axeCheck(page, `${name} (${theme})`);
  }
  await page.evaluate(() => (document.documentElement.dataset.theme = "light"));
}

test("a moderator signs in with the token's group", async () => {
  pageM = await newPage();
  pageB = await newPage();
  await signUp(stack, pageM, mo);
  await signUp(stack, pageB, bo);
  await addToGroup(stack, mo.email, "moderators");
  await addToGroup(stack, mo.email, "admins");
  await signInAgain(pageM, mo);
  await pageM.getByRole("button", { name: "Moderation queue" }).waitFor();
  await pageM.getByRole("button", { name: "Audit log" }).waitFor();
  assert.equal(await pageB.getByRole("button", { name: "Moderation queue" }).count(), 0);
});

test("a moderator removes a message and both sides see it", async () => {
  await send(pageB, `buy cheap pills ${run}`);
  await message(pageM, `buy cheap pills ${run}`).waitFor();
  const msg = message(pageM, `buy cheap pills ${run}`);
  await msg.hover();
  await msg.getByRole("button", { name: "Remove message" }).click();
  for (const page of [pageM, pageB]) {
    await messages(page).getByText("This message was removed by a moderator.").waitFor();
  }
  assert.equal(await message(pageB, `buy cheap pills ${run}`).count(), 0);
});

test("a moderator mutes a member: the member sees a banner and cannot send", async () => {
  if (!(await pageM.locator("aside.members").isVisible())) await pageM.getByRole("button", { name: /members/ }).first().click();
  await pageM.locator("aside.members summary[aria-label='Moderate Bo']").click();
  await pageM.getByRole("button", { name: "Mute 10 minutes" }).click();
  await pageB.getByText(/You are muted in this channel until/).waitFor();
  await pageM.locator(".members .tag", { hasText: "muted" }).waitFor();
  await send(pageB, `am I muted ${run}`);
  // The refusal in local time (the server says "until <UTC>"; the client
  // formats its `until`).
  await pageB.getByText(/Not sent: you are muted in this channel until/).waitFor();
  await shoot(pageB, "muted-banner-1280");
  await pageB.setViewportSize({ width: 360, height: 740 });
  const width = await pageB.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `page is ${width}px wide at 360px`);
  await shoot(pageB, "muted-banner-360");
  await pageB.setViewportSize({ width: 1280, height: 800 });
  // Discard the refused send.
  await pageB.getByRole("button", { name: "Discard" }).click().catch(() => {});
});

test("reports are resolved from the queue with one click", async () => {
  await send(pageM, `first claim ${run}`);
  await send(pageM, `second claim ${run}`);
  for (const [text, reason] of [[`first claim ${run}`, "rude"], [`second claim ${run}`, "spam"]]) {
    const msg = message(pageB, text);
    await msg.waitFor();
    await msg.hover();
    await msg.getByRole("button", { name: "Report" }).click();
    const dialog = pageB.getByRole("dialog", { name: "Report message" });
    await dialog.getByRole("link", { name: "Community Guidelines" }).waitFor(); // the guidelines are one click away
    await dialog.getByLabel("Why are you reporting this message? (optional)").fill(reason);
    await dialog.getByRole("button", { name: "Report" }).click();
    await dialog.waitFor({ state: "detached" });
  }
  await pageM.getByRole("button", { name: "Moderation queue" }).click();
  const dialog = pageM.getByRole("dialog", { name: "Moderation queue" });
  await dialog.locator(".report").nth(1).waitFor();
  assert.match(await dialog.locator(".report").first().innerText(), /Reported by Bo: spam/);
  await dialog.locator(".report-context .reported", { hasText: `second claim ${run}` }).waitFor();
  await shoot(pageM, "queue-1280");
  await pageM.setViewportSize({ width: 360, height: 740 });
  await shoot(pageM, "queue-360");
  await pageM.setViewportSize({ width: 1280, height: 800 });
  // Delete the newest from the queue, dismiss the other.
  await dialog.locator(".report").first().getByRole("button", { name: "Delete message" }).click();
  await waitFor(async () => (await dialog.locator(".report").count()) === 1, "one report left");
  await dialog.locator(".report").first().getByRole("button", { name: "Dismiss" }).click();
  await dialog.getByText("No open reports.").waitFor();
  await pageM.getByRole("button", { name: "Close" }).click();
  // Mo deleted his own message from the queue: a plain tombstone for Bo.
  await waitFor(async () => (await message(pageB, `second claim ${run}`).count()) === 0, "the deleted message gone on Bo's side");
  await message(pageB, `first claim ${run}`).waitFor();
});

test("the audit log lists what moderators did", async () => {
  await pageM.getByRole("button", { name: "Audit log" }).click();
  const dialog = pageM.getByRole("dialog", { name: "Audit log" });
  await dialog.locator("tr[data-action='resolveReport']").first().waitFor();
  for (const action of ["deleteMessage", "muteMember", "resolveReport"]) {
    assert.ok((await dialog.locator(`tr[data-action='${action}']`).count()) > 0, `audit has ${action}`);
  }
  await shoot(pageM, "audit-1280");
  await pageM.setViewportSize({ width: 360, height: 740 });
  await shoot(pageM, "audit-360");
  await pageM.setViewportSize({ width: 1280, height: 800 });
  await pageM.getByRole("button", { name: "Close" }).click();
});

test("an invitation to a private channel is declined, then accepted", async () => {
  const invite = async () => {
    await pageM.getByRole("button", { name: "Invite people" }).click();
    await pageM.getByRole("checkbox", { name: /Bo/ }).check();
    await pageM.getByRole("button", { name: "Invite", exact: true }).click();
  };
  await pageM.getByRole("button", { name: "Create a channel" }).click();
  await pageM.getByLabel("Name").fill(`backroom-${run}`);
  await pageM.getByLabel(/Private/).check();
  await pageM.getByRole("button", { name: "Create", exact: true }).click();
  await pageM.getByRole("heading", { name: /#backroom/ }).waitFor();
  await invite();
  const card = pageB.locator(".invite", { hasText: `backroom-${run}` });
  await card.waitFor();
  assert.equal(await pageB.locator("nav.sidebar .room-link", { hasText: "backroom" }).count(), 0);
  await shoot(pageB, "invitation-1280");
  await card.getByRole("button", { name: "Decline" }).click();
  await waitFor(async () => (await card.count()) === 0, "the invitation gone");
  await invite();
  await card.getByRole("button", { name: "Accept" }).click();
  await pageB.getByRole("heading", { name: /#backroom/ }).waitFor();
  await messages(pageM).locator(".sys-line", { hasText: "Bo joined" }).waitFor();
  // A role change and a removal are system lines too, for both sides.
  if (!(await pageM.locator("aside.members").isVisible())) await pageM.getByRole("button", { name: /members/ }).first().click();
  await pageM.locator("aside.members summary[aria-label='Moderate Bo']").click();
  await pageM.getByRole("button", { name: "Make moderator" }).click();
  for (const page of [pageM, pageB]) {
    await messages(page).locator(".sys-line", { hasText: "Mo made Bo a moderator" }).waitFor();
  }
  await shoot(pageB, "system-lines-1280");
  await pageM.locator("aside.members summary[aria-label='Moderate Bo']").click();
  await pageM.getByRole("button", { name: "Remove from channel" }).click();
  await messages(pageM).locator(".sys-line", { hasText: "Mo removed Bo" }).waitFor();
  await waitFor(async () => (await pageB.locator("nav.sidebar .room-link", { hasText: "backroom" }).count()) === 0, "the channel gone from Bo's sidebar");
});

test("an admin deletes a channel: it leaves both sidebars", async () => {
  await pageM.getByRole("button", { name: "Create a channel" }).click();
  await pageM.getByLabel("Name").fill(`scratch-${run}`);
  await pageM.getByRole("button", { name: "Create", exact: true }).click();
  await pageM.getByRole("heading", { name: /#scratch/ }).waitFor();
  await pageM.getByRole("button", { name: "Invite people" }).click();
  await pageM.getByRole("checkbox", { name: /Bo/ }).check();
  await pageM.getByRole("button", { name: "Invite", exact: true }).click();
  const link = (page) => page.locator("nav.sidebar .room-link", { hasText: `scratch-${run}` });
  await link(pageB).waitFor();
  await pageM.getByRole("button", { name: "Channel settings" }).click();
  await pageM.getByRole("button", { name: "Delete channel" }).click();
  const confirm = pageM.getByRole("dialog", { name: `Delete #scratch-${run} for everyone?` });
  await confirm.waitFor();
  await shoot(pageM, "delete-channel-1280");
  await confirm.getByRole("button", { name: "Delete channel" }).click();
  for (const page of [pageM, pageB]) {
    await waitFor(async () => (await link(page).count()) === 0, "the deleted channel gone from the sidebar");
  }
});
