// End-to-end: customer support with real browsers on both sides (issue 17).
// A third-party page on another local port (make dev's demo site on
// http://127.0.0.1:<demo port>) embeds the widget; agents work in the
// inbox of the app on http://localhost:<port>. Ada (an admin) puts herself
// in the seeded Support team and creates a Tech team for Cy, and a canned
// answer for Tech, all in the inbox's screens. Vera, on the demo site,
// opens the widget, fills the pre-chat form, gets the FAQ bot's answer,
// asks for a person; Ada claims the conversation in her inbox and answers,
// Vera answers back, Ada adds an internal note and transfers to Tech with
// a note; Cy sees the conversation in the Tech queue with the transfer
// note, claims it, answers with the canned answer (`#ref` expands),
// closes it; Vera rates it in the widget, and Cy's inbox shows the rating.
// At every step both sides are checked: the visitor sees the agents'
// answers, the transfer and the closed state, and never an internal note
// (neither on screen nor in any WebSocket frame her page received).
// Then, with both agents away, another visitor leaves a message in the
// widget and Ada's inbox marks that conversation "Email".
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startStack, waitFor } from "./stack.mjs";
import { SCREENS, openPage, signUp, signUpAdmin } from "./helpers.mjs";
import { column, inbox, launcher, openInbox, queueItem } from "./support-helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ada = { email: `ada-${run}@example.com`, name: "Ada", password: "correct horse 1" };
const cy = { email: `cy-${run}@example.com`, name: "Cy", password: "staple battery 3" };
const NOTE = `VIP customer, secret ${run}`;
const TRANSFER_NOTE = `Order 42 looks like a tech fault ${run}`;
const CANNED = `Please restart the device while holding the power button (${run}).`;

before(async () => {
  stack = await startStack({ logName: "support-flow-stack.log" });
  mkdirSync(SCREENS, { recursive: true });
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

let step = 0;
const shoot = (page, name) => page.screenshot({ path: join(SCREENS, `support-flow-${String(++step).padStart(2, "0")}-${name}.png`) });

// inView: the element is scrolled into its scrolling parent's view.
const inView = (loc) =>
  loc.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const port = el.closest(".bc-log").getBoundingClientRect();
    return box.top >= port.top - 1 && box.bottom <= port.bottom + 1;
  });

const pages = [];
let pageA;
let pageC;
test("a visitor on a third-party site is helped by two agents in the inbox, across a transfer, and rates it", { timeout: 600_000 }, async () => {
  try {
    await story();
  } catch (err) {
    for (const [i, p] of pages.entries()) await p.screenshot({ path: join(SCREENS, `support-flow-failed-${i}.png`) }).catch(() => {});
    throw err;
  }
});

async function story() {
  assert.match(stack.info.demoUrl, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.match(stack.info.webUrl, /^http:\/\/(localhost|127\.0\.0\.1):\d+\/?$/);
  assert.notEqual(new URL(stack.info.demoUrl).origin, new URL(stack.info.appOrigin).origin);

  // The agents sign up in the app.
  pageA = await openPage(stack);
  pages.push(pageA);
  await signUpAdmin(stack, pageA, ada);
  pageC = await openPage(stack);
  pages.push(pageC);
  await signUp(stack, pageC, cy);

  // Ada puts herself in the seeded Support team (no round-robin: she claims
  // from the queue) and makes a Tech team for Cy.
  await pageA.reload();
  await openInbox(pageA);
  await inbox(pageA).getByRole("button", { name: "Support teams" }).click();
  const teams = pageA.getByRole("dialog", { name: "Support teams" });
  await teams.getByRole("button", { name: "Edit Support" }).click();
  await teams.getByLabel("Agents: Ada").check();
  await teams.getByLabel("Assign new conversations round-robin to online agents").uncheck();
  await teams.getByRole("button", { name: "Save team" }).click();
  await waitFor(async () => /Ada/.test((await teams.locator('li[data-team="Support"]').textContent()) ?? ""), "Ada in the Support team");
  await teams.getByRole("button", { name: "New team" }).click();
  await teams.getByLabel("Name", { exact: true }).fill("Tech");
  await teams.getByLabel("Topics").fill("tech");
  await teams.getByLabel("Agents: Cy").check();
  await teams.getByLabel("Assign new conversations round-robin to online agents").uncheck();
  await teams.getByRole("button", { name: "Save team" }).click();
  await teams.locator('li[data-team="Tech"]').waitFor();
  await teams.getByRole("button", { name: "Close" }).first().click();

  // A canned answer for Tech.
  await inbox(pageA).getByRole("button", { name: "Canned answers" }).click();
  const canned = pageA.getByRole("dialog", { name: "Canned answers" });
  await canned.getByLabel("Shortcut").fill("restart");
  await canned.getByLabel("Title").fill("Restart");
  await canned.getByLabel("Text").fill(CANNED);
  await canned.locator('select[name="canned-team"]').selectOption({ label: "Tech" });
  await canned.getByRole("button", { name: "Add answer" }).click();
  await canned.locator('li[data-shortcut="restart"]').waitFor();
  await canned.getByRole("button", { name: "Close" }).first().click();

  // Both agents go online in their inboxes.
  for (const page of [pageA, pageC]) {
    await page.reload();
    await openInbox(page);
    await inbox(page).getByRole("radio", { name: "Online" }).check();
    await waitFor(() => inbox(page).locator('.support-status[data-availability="online"]').count(), "online");
  }

  // Vera opens the demo site; the widget comes from the app's origin.
  const pageV = await openPage(stack);
  pages.push(pageV);
  // Every WebSocket frame the visitor's page receives, to prove no note
  // ever reaches it (not only that none is drawn).
  const frames = [];
  pageV.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(String(f.payload))));
  await pageV.goto(stack.info.demoUrl);
  const src = await pageV.locator("script[data-widget]").getAttribute("src");
  assert.equal(new URL(src).origin, new URL(stack.info.appOrigin).origin);
  await launcher(pageV).click();
  const panel = pageV.getByRole("dialog");
  const log = panel.getByRole("log");
  const status = panel.locator(".bc-status");
  const composer = panel.getByRole("textbox", { name: "Message" });
  await panel.getByLabel("Your name").fill("Vera");
  await panel.getByLabel(/^Email/).fill(`vera-${run}@example.com`);
  await panel.getByLabel(/^Topic/).selectOption("orders");
  await panel.getByLabel(/^Message/).fill("How long does shipping take?");
  await panel.getByRole("button", { name: "Start chat" }).click();

  // The FAQ bot answers first; Vera asks for a person.
  await log.locator(".bc-them", { hasText: "Orders leave our warehouse within 2 working days" }).waitFor();
  await shoot(pageV, "visitor-bot");
  await panel.getByRole("button", { name: "Talk to a person" }).click();
  await waitFor(async () => /Waiting for the next available person/.test((await status.textContent()) ?? ""), "the visitor queued");
  await composer.fill("My order 42 arrived broken.");
  await composer.press("Enter");
  await log.locator(".bc-me:not(.bc-pending)", { hasText: "My order 42 arrived broken." }).waitFor();

  // Ada sees Vera in the Support queue (live, with the demo page), not Cy.
  await queueItem(pageA, "Vera").waitFor();
  assert.match(await queueItem(pageA, "Vera").textContent(), /Alpenglow/);
  assert.equal(await queueItem(pageC, "Vera").count(), 0, "Cy (Tech) does not see Support's queue");
  await shoot(pageA, "ada-queue");

  // Ada claims and answers; Vera sees the answer and Ada's name.
  await queueItem(pageA, "Vera").getByRole("button", { name: "Claim the conversation with Vera" }).click();
  const colA = column(pageA, "Vera");
  await colA.getByText("My order 42 arrived broken.").waitFor();
  await colA.getByText("How long does shipping take?").waitFor();
  const boxA = colA.locator("textarea");
  await boxA.fill(`Hi Vera, Ada here. Sorry about order 42 ${run}.`);
  await boxA.press("Enter");
  await colA.locator(".conv-msg.agent", { hasText: `Sorry about order 42 ${run}` }).waitFor();
  await log.locator(".bc-them", { hasText: `Hi Vera, Ada here. Sorry about order 42 ${run}.` }).waitFor();
  await waitFor(async () => (await status.textContent()) === "You're chatting with Ada", "the visitor sees Ada's name");

  // Vera answers in the widget; Ada sees it.
  await composer.fill("The screen stays black.");
  await composer.press("Enter");
  await colA.getByText("The screen stays black.").waitFor();

  // Ada adds an internal note: hers to see, not Vera's.
  await colA.getByRole("button", { name: "Note", exact: true }).click();
  await boxA.fill(NOTE);
  await colA.getByRole("button", { name: "Add note" }).click();
  const noteA = colA.locator(".conv-msg.note", { hasText: NOTE });
  await noteA.waitFor();
  assert.match(await noteA.textContent(), /Only agents see this/);
  await colA.getByRole("button", { name: "Note", exact: true }).click();
  await shoot(pageA, "ada-conversation");
  await shoot(pageV, "visitor-with-ada");

  // Ada transfers to Tech with a note; the conversation leaves her inbox.
  await colA.getByRole("button", { name: "Transfer" }).click();
  const tr = pageA.getByRole("dialog", { name: "Transfer the conversation" });
  await tr.getByLabel("Team", { exact: true }).selectOption({ label: "Tech" });
  await tr.getByLabel("Note for the next agent").fill(TRANSFER_NOTE);
  await tr.getByRole("button", { name: "Transfer" }).click();
  await waitFor(async () => (await column(pageA, "Vera").count()) === 0, "the conversation left Ada's inbox");
  // Vera sees the transfer and waits again.
  await log.locator(".bc-system", { hasText: "Transferred to Tech" }).waitFor();
  await waitFor(async () => /Waiting for the next available person/.test((await status.textContent()) ?? ""), "the visitor queued again");
  await shoot(pageV, "visitor-transferred");

  // Cy sees it in the Tech queue, claims it, and reads the transfer note.
  await queueItem(pageC, "Vera").waitFor();
  await queueItem(pageC, "Vera").getByRole("button", { name: "Claim the conversation with Vera" }).click();
  const colC = column(pageC, "Vera");
  await colC.locator(".conv-msg.note", { hasText: TRANSFER_NOTE }).waitFor();
  await colC.locator(".conv-msg.note", { hasText: NOTE }).waitFor();
  await colC.locator('.conv-system[data-kind="transferred"]', { hasText: "Ada transferred the conversation to Tech" }).waitFor();
  await colC.getByText("The screen stays black.").waitFor();

  // Cy answers with the canned answer: `#rest` offers it, Enter takes it, Enter sends.
  const boxC = colC.locator("textarea");
  await boxC.click();
  await boxC.pressSequentially("#rest");
  await colC.getByRole("option", { name: /#restart/ }).waitFor();
  await boxC.press("Enter");
  assert.equal(await boxC.inputValue(), CANNED);
  await boxC.press("Enter");
  await colC.locator(".conv-msg.agent", { hasText: CANNED }).waitFor();
  await log.locator(".bc-them", { hasText: CANNED }).waitFor();
  await waitFor(async () => (await status.textContent()) === "You're chatting with Cy", "the visitor sees Cy's name");
  await shoot(pageC, "cy-conversation");
  await shoot(pageV, "visitor-with-cy");

  // Cy closes it; Vera sees the closed state: no composer, the rating form.
  await colC.getByRole("button", { name: "Close", exact: true }).click();
  await pageC.getByRole("dialog", { name: "Close" }).locator(".btn.danger").click();
  await colC.locator('.conv-system[data-kind="closed"]', { hasText: "Cy closed the conversation" }).waitFor();
  await panel.getByRole("group", { name: "How was your conversation?" }).waitFor();
  assert.equal(await status.textContent(), "This conversation has ended.");
  assert.equal(await composer.count(), 0, "no composer after close");
  // The log still ends at the newest line although the form shrank it.
  const closedLine = log.locator(".bc-system", { hasText: "Conversation closed" });
  await waitFor(() => inView(closedLine), "the closed line in view in the widget's log");
  await shoot(pageV, "visitor-closed");

  // Vera rates it in the widget; the rating shows in Cy's inbox.
  await panel.getByRole("radio", { name: "4 of 5 stars" }).check();
  await panel.getByLabel("Comment (optional)").fill(`Fixed after a restart ${run}`);
  await panel.getByRole("button", { name: "Send rating" }).click();
  await panel.getByText("Thanks for your feedback!").waitFor();
  await waitFor(() => inView(closedLine), "the closed line still in view after rating");
  const rating = colC.locator(".conv-rating");
  await rating.waitFor();
  assert.match(await rating.textContent(), /4 of 5/);
  assert.match(await rating.textContent(), new RegExp(`Fixed after a restart ${run}`));
  await shoot(pageC, "cy-rated");
  await shoot(pageV, "visitor-rated");

  // The visitor never saw a note: not on screen, not on the wire.
  const shown = await panel.textContent();
  for (const secret of [NOTE, TRANSFER_NOTE, "Only agents see this"]) {
    assert.ok(!shown.includes(secret), `the widget shows ${secret}`);
    assert.ok(!frames.some((f) => f.includes(secret)), `a frame to the visitor carries ${secret}`);
  }
  assert.ok(frames.some((f) => f.includes(CANNED)), "the frames were recorded");
}

test("nobody online: a visitor leaves a message, and the inbox marks the conversation Email", { timeout: 120_000 }, async () => {
  assert.ok(pageA && pageC, "the agents of the first test");
  try {
    for (const page of [pageA, pageC]) {
      await inbox(page).getByRole("radio", { name: "Away" }).check();
      await waitFor(() => inbox(page).locator('.support-status[data-availability="away"]').count(), "away");
    }
    const pageV = await openPage(stack);
    pages.push(pageV);
    await pageV.goto(stack.info.demoUrl);
    await launcher(pageV).click();
    const panel = pageV.getByRole("dialog");
    await panel.getByText("We're not available right now. Leave a message and we'll reply by email.").waitFor();
    await panel.getByLabel("Your name").fill("Carla");
    await panel.getByLabel(/^Email/).fill(`carla-${run}@example.com`);
    await panel.getByLabel(/^Message/).fill(`Do you ship to Norway? ${run}`);
    await panel.getByRole("button", { name: "Send message" }).click();
    await panel.getByText(`Thanks! We'll reply to carla-${run}@example.com by email.`).waitFor();

    // Ada (away, so no live queue) finds it in her team's queue on load,
    // marked Email; opened to read, its header says so too.
    await pageA.reload();
    await openInbox(pageA);
    const item = queueItem(pageA, "Carla");
    await item.waitFor();
    assert.equal(await item.locator(".chip.email").textContent(), "Email");
    assert.equal(await queueItem(pageA, "Vera").count(), 0);
    await item.locator(".support-item-main").click();
    const col = column(pageA, "Carla");
    await col.getByText(`Do you ship to Norway? ${run}`).waitFor();
    assert.equal(await col.locator(".conv-head .chip.email").textContent(), "Email");
    await shoot(pageA, "ada-email-conversation");
  } catch (err) {
    for (const [i, p] of pages.entries()) await p.screenshot({ path: join(SCREENS, `support-flow-failed-${i}.png`) }).catch(() => {});
    throw err;
  }
});
