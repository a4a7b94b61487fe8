// End-to-end checks of issue 10 (the web client tried as a new user would):
// send order, reopening where one left off, the offline state, typing, and
// the look of mentions, the composer and counts. Its own stack; three
// people (Cy, Di, Ed) so that it does not depend on chat.test.mjs.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, confirmationCode, startStack, waitFor } from "./stack.mjs";
import { makePng } from "./png.mjs";
import { axeCheck, composer, messages, openPage, send, signUp as signUpOn } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const cy = { email: `cy-${run}@example.com`, name: "Cy Clark", password: "correct horse 1" };
const di = { email: `di-${run}@example.com`, name: "Di Dunn", password: "battery staple 2" };
let pageC, pageD;

before(async () => {
  stack = await startStack({ logName: "polish-stack.log" });
  pageC = await openPage(stack);
  pageD = await openPage(stack);
  await signUpOn(stack, pageC, cy);
  await signUpOn(stack, pageD, di);
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

// seqOrder: the texts of the room's stored messages matching re, in the
// order shown.
const shown = (page, re) =>
  page.evaluate((src) => {
    const rx = new RegExp(src);
    return [...document.querySelectorAll(".messages article.msg")].map((a) => a.querySelector(".msg-text")?.textContent ?? "").filter((t) => rx.test(t));
  }, re.source);

test("item 1: 200 rapid sends of one client are stored and shown in order, by everyone and after a reload", { timeout: 300_000 }, async () => {
  const N = 200;
  const want = Array.from({ length: N }, (_, i) => `order ${i + 1}`);
  for (const text of want) {
    await composer(pageC).fill(text);
    await composer(pageC).press("Enter");
  }
  // While they go out, the pending ones are shown in the order typed.
  const pendingNow = await shown(pageC, /^order \d+$/);
  const byNumber = (a, b) => +a.split(" ")[1] - +b.split(" ")[1];
  assert.deepEqual(pendingNow, [...pendingNow].sort(byNumber), "pending ones in the order typed");
  // The rate limit (30 writes per 10 s) makes this take about a minute.
  await waitFor(async () => (await pageC.locator("article.msg.pending").count()) === 0, "every send acked", 200_000);
  await waitFor(async () => (await shown(pageD, /^order \d+$/)).length === N, "Di to see all 200", 60_000);
  assert.deepEqual(await shown(pageD, /^order \d+$/), want, "Di sees them in order");
  assert.deepEqual(await shown(pageC, /^order \d+$/), want, "Cy sees them in order");
  // And in storage: a reload shows them in order (the newest page at least).
  await pageD.reload();
  await messages(pageD).getByText("order 200", { exact: true }).waitFor();
  const after = await shown(pageD, /^order \d+$/);
  assert.ok(after.length >= 40, `a page of history (${after.length})`);
  assert.deepEqual(after, want.slice(N - after.length), "after a reload, still in order");
  await waitFor(() => pageD.evaluate(() => window.backchannel?.status === "online"), "Di online again");
});

const inView = (page, locator) =>
  locator.evaluate((n) => {
    const box = n.closest(".messages").getBoundingClientRect();
    const r = n.getBoundingClientRect();
    return r.top >= box.top - 1 && r.top < box.bottom;
  });
const roomLink = (page, name) => page.locator("nav.sidebar .room-link", { hasText: name });

test("item 2: the app reopens the last room, and a room opens at its first unread, marking read only what was seen", { timeout: 240_000 }, async () => {
  // Di goes to a channel of her own; Cy writes 70 messages in #general.
  await pageD.getByRole("button", { name: "Create a channel" }).click();
  await pageD.getByLabel("Name").fill("quiet");
  await pageD.getByRole("button", { name: "Create", exact: true }).click();
  await pageD.getByRole("heading", { name: /#quiet/ }).waitFor();
  for (let i = 1; i <= 70; i++) {
    await composer(pageC).fill(`unread ${i}`);
    await composer(pageC).press("Enter");
  }
  await waitFor(async () => (await pageC.locator("article.msg.pending").count()) === 0, "Cy's sends acked", 120_000);
  await roomLink(pageD, "general").locator(".badge").waitFor();

  // A reload reopens #quiet, not #general (which would mark it read).
  await pageD.reload();
  await pageD.getByRole("heading", { name: /#quiet/ }).waitFor();
  await waitFor(() => pageD.evaluate(() => window.backchannel?.status === "online"), "Di online");
  await roomLink(pageD, "general").locator(".badge").waitFor();

  // #general opens at the first unread message, under a divider, even
  // though it is more than a page (50) back.
  await roomLink(pageD, "general").click();
  const divider = messages(pageD).locator(".unread-divider");
  await divider.waitFor();
  await messages(pageD).getByText("unread 1", { exact: true }).waitFor();
  await waitFor(() => inView(pageD, messages(pageD).getByText("unread 1", { exact: true })), "the first unread message in view");
  assert.equal(await inView(pageD, divider), true, "the divider in view");
  assert.equal(await inView(pageD, messages(pageD).getByText("unread 70", { exact: true })), false, "the newest is below, not yet seen");
  await pageD.waitForTimeout(1500);
  // Only what was on screen was marked read: #general is still unread.
  await roomLink(pageD, "quiet").click();
  await pageD.getByRole("heading", { name: /#quiet/ }).waitFor();
  await roomLink(pageD, "general").locator(".badge").waitFor();
  const left = Number(await roomLink(pageD, "general").locator(".badge").first().innerText());
  assert.ok(left > 0 && left < 70, `part of #general still unread (${left})`);

  // Back in #general, at the bottom: the jump control brings the first unread back.
  await roomLink(pageD, "general").click();
  await divider.waitFor();
  await messages(pageD).evaluate((el) => (el.scrollTop = el.scrollHeight));
  await pageD.getByRole("button", { name: /Jump to first unread/ }).click();
  await waitFor(() => inView(pageD, divider), "the divider back in view");
  await messages(pageD).evaluate((el) => (el.scrollTop = el.scrollHeight));
  await roomLink(pageD, "quiet").click();
  await waitFor(async () => (await roomLink(pageD, "general").locator(".badge").count()) === 0, "#general read after scrolling to the bottom");
});

test("item 7: going offline shows it, and says what happens to the messages written meanwhile", async () => {
  await roomLink(pageC, "general").click();
  await roomLink(pageD, "general").click();
  await pageD.getByRole("heading", { name: /#general/ }).waitFor();
  const meStatus = pageD.locator(".me-bar .me-status");
  assert.equal(await meStatus.innerText(), "Online");
  await pageD.context().setOffline(true);
  await pageD.getByText("You are offline. Reconnecting…").waitFor({ timeout: 5000 });
  assert.equal(await meStatus.innerText(), "Offline");
  assert.equal(await pageD.locator(".me-bar .dot.off").count(), 1, "my own presence dot shows offline");
  await send(pageD, "written with no network");
  await messages(pageD).locator("article.msg.pending", { hasText: "written with no network" }).getByText("will be sent when you are back online").waitFor();
  await pageD.locator(".banner.offline", { hasText: "1 message waits and will be sent when the connection is back." }).waitFor();
  await pageD.context().setOffline(false);
  await messages(pageC).getByText("written with no network").waitFor();
  await waitFor(async () => (await meStatus.innerText()) === "Online", "Di online again");
  assert.equal(await pageD.locator(".banner.offline").count(), 0);
});

test("item 6: clearing the draft stops \"is typing\" at once", async () => {
  await composer(pageC).pressSequentially("let me thi", { delay: 20 });
  await pageD.getByText("Cy Clark is typing…").waitFor();
  const t0 = Date.now();
  await composer(pageC).fill("");
  await waitFor(async () => (await pageD.getByText("Cy Clark is typing…").count()) === 0, "the typing line to go");
  assert.ok(Date.now() - t0 < 2000, `gone after ${Date.now() - t0} ms (the expiry is 4 s)`);
  // And sending ends it too.
  await pageC.waitForTimeout(3100); // past the typing throttle
  await composer(pageC).pressSequentially("ok: ", { delay: 20 });
  await pageD.getByText("Cy Clark is typing…").waitFor();
  await composer(pageC).pressSequentially("done");
  await composer(pageC).press("Enter");
  await waitFor(async () => (await pageD.getByText("Cy Clark is typing…").count()) === 0, "the typing line to go after sending", 2000);
});

test("item 3: a mention of me is an inline chip inside the sentence", async () => {
  await composer(pageC).pressSequentially("see @Di");
  await pageC.getByRole("option", { name: /Di Dunn/ }).waitFor();
  await composer(pageC).press("Enter");
  await composer(pageC).pressSequentially("about the deploy");
  await composer(pageC).press("Enter");
  const chip = messages(pageD).locator(".mention.me", { hasText: "@di.dunn" }).last();
  await chip.waitFor();
  const box = await chip.evaluate((el) => {
    const text = el.closest(".msg-text");
    const r = el.getBoundingClientRect();
    return { display: getComputedStyle(el).display, width: r.width, textWidth: text.getBoundingClientRect().width, lines: el.getClientRects().length, textHeight: text.getBoundingClientRect().height, lineHeight: parseFloat(getComputedStyle(text).lineHeight) };
  });
  assert.equal(box.display, "inline");
  assert.equal(box.lines, 1, "the chip stays on the line");
  assert.ok(box.width < box.textWidth / 2, `not a full-width bar (${box.width} of ${box.textWidth})`);
  assert.ok(box.textHeight < box.lineHeight * 1.8, `the sentence is one line (${box.textHeight}px)`);
});

test("item 4: the composer grows with wrapped text, up to a limit, then scrolls", async () => {
  const input = composer(pageC);
  const one = await input.evaluate((el) => el.getBoundingClientRect().height);
  await input.fill("a long paragraph without line breaks ".repeat(12));
  const grown = await input.evaluate((el) => ({ h: el.getBoundingClientRect().height, sh: el.scrollHeight, ch: el.clientHeight }));
  assert.ok(grown.h > one * 2, `grew from ${one} to ${grown.h}`);
  assert.ok(grown.sh <= grown.ch + 1, "nothing clipped");
  await input.fill("a very long paragraph ".repeat(300));
  const capped = await input.evaluate((el) => ({ h: el.getBoundingClientRect().height, sh: el.scrollHeight, ch: el.clientHeight, oy: getComputedStyle(el).overflowY }));
  assert.ok(capped.h <= 241, `capped at ${capped.h}`);
  assert.ok(capped.sh > capped.ch && capped.oy === "auto", "then it scrolls");
  await input.fill("");
  await waitFor(async () => (await input.evaluate((el) => el.getBoundingClientRect().height)) <= one + 1, "back to one line");
});

test("item 5: member counts stay live for the inviter and use the language's plurals", async () => {
  await pageC.getByRole("button", { name: "Create a channel" }).click();
  await pageC.getByLabel("Name").fill("team");
  await pageC.getByRole("button", { name: "Create", exact: true }).click();
  await pageC.getByRole("heading", { name: /#team/ }).waitFor();
  await pageC.getByRole("button", { name: "1 member", exact: true }).waitFor();
  await pageC.getByRole("button", { name: "Invite people" }).click();
  await pageC.getByRole("checkbox", { name: /Di Dunn/ }).waitFor();
  // Item 11: no UUIDs as handles in the picker.
  const rows = await pageC.locator(".pick-row").allInnerTexts();
  assert.ok(rows.length > 0 && rows.every((r) => !/[0-9a-f]{8}-[0-9a-f]{4}-/.test(r)), `picker rows: ${JSON.stringify(rows)}`);
  await pageC.getByRole("checkbox", { name: /Di Dunn/ }).check();
  await pageC.getByRole("button", { name: "Invite", exact: true }).click();
  await pageC.getByRole("button", { name: "2 members", exact: true }).waitFor({ timeout: 5000 });
  await roomLink(pageD, "team").waitFor();

  // Item 12: system lines in the timeline, stored: the invite, a topic
  // change, a leave; still there after a reload.
  await messages(pageC).locator(".sys-line", { hasText: "Cy Clark added Di Dunn" }).waitFor();
  await pageC.getByRole("button", { name: "Channel settings" }).click();
  await pageC.getByLabel("Topic (optional)").fill("ship it");
  await pageC.getByRole("button", { name: "Save", exact: true }).click();
  await messages(pageC).locator(".sys-line", { hasText: "Cy Clark changed the topic to “ship it”" }).waitFor();
  await roomLink(pageD, "team").click();
  await messages(pageD).locator(".sys-line", { hasText: "Cy Clark changed the topic to “ship it”" }).waitFor();
  await pageD.getByRole("button", { name: "Leave channel" }).click();
  await pageD.getByRole("dialog", { name: "Leave #team?" }).getByRole("button", { name: "Leave channel" }).click();
  await messages(pageC).locator(".sys-line", { hasText: "Di Dunn left" }).waitFor();
  await pageC.getByRole("button", { name: "1 member", exact: true }).waitFor();
  await pageC.reload();
  await pageC.getByRole("heading", { name: /#team/ }).waitFor();
  for (const line of ["Cy Clark added Di Dunn", "Cy Clark changed the topic to “ship it”", "Di Dunn left"]) {
    await messages(pageC).locator(".sys-line", { hasText: line }).waitFor();
  }
  await waitFor(() => pageC.evaluate(() => window.backchannel?.status === "online"), "Cy online");
});

test("item 8: the display name given at sign-up survives confirming in another browser", async () => {
  const ed = { email: `ed-${run}@example.com`, name: "Ed Evans", password: "purple monkey 3" };
  const first = await openPage(stack);
  await first.goto(stack.info.webUrl);
  await first.getByRole("button", { name: "Create account" }).click();
  await first.getByLabel("Display name").fill(ed.name);
  await first.getByLabel("Email").fill(ed.email);
  await first.getByLabel("Password").fill(ed.password);
  await first.locator("form").getByRole("button", { name: "Create account" }).click();
  await first.getByLabel("Confirmation code").waitFor();
  await first.context().close();
  // Another browser: sign in, confirm there.
  const other = await openPage(stack);
  await other.goto(stack.info.webUrl);
  await other.getByLabel("Email").fill(ed.email);
  await other.getByLabel("Password").fill(ed.password);
  await other.locator("form").getByRole("button", { name: "Sign in" }).click();
  await other.getByLabel("Confirmation code").waitFor();
  await other.getByLabel("Confirmation code").fill(await confirmationCode(stack.info, ed.email));
  await other.getByRole("button", { name: "Confirm" }).click();
  await other.getByRole("heading", { name: /#general/ }).waitFor();
  await waitFor(async () => (await other.locator(".me-bar .me-name").innerText()) === "Ed Evans", "Ed's name from the sign-up");
  await other.context().close();
});

test("item 21: sign-in errors sit under their field, the card stays put, a password is not carried to sign-up; the tab shows the room", async () => {
  assert.match(await pageC.title(), /#[a-z]+ · Backchannel$/);
  const page = await openPage(stack);
  await page.goto(stack.info.webUrl);
  const card = page.locator(".auth-card");
  await card.waitFor();
  const top = await card.evaluate((el) => el.getBoundingClientRect().top);
  await page.getByLabel("Email").fill(`nobody-${run}@example.com`);
  await page.getByLabel("Password").fill("wrong password");
  await page.locator("form").getByRole("button", { name: "Sign in" }).click();
  const err = page.locator("#err-password");
  await err.filter({ hasText: "Wrong email or password." }).waitFor();
  assert.equal(await page.getByLabel("Password").getAttribute("aria-invalid"), "true");
  // Below the password field, not above the form.
  const [fieldBottom, errTop] = await Promise.all([page.getByLabel("Password").evaluate((el) => el.getBoundingClientRect().bottom), err.evaluate((el) => el.getBoundingClientRect().top)]);
  assert.ok(errTop >= fieldBottom, "the error is under the field");
  assert.equal(await card.evaluate((el) => el.getBoundingClientRect().top), top, "the card did not move");
  await page.getByRole("button", { name: "Create account" }).click();
  assert.equal(await page.getByLabel("Password").inputValue(), "", "the sign-in password is not carried over");
  await page.context().close();
});

test("item 22: the keyboard: Up edits my last message, Alt+arrows move between rooms, Escape closes, Tab stays in dialogs", async () => {
  // A second room to move to.
  await pageC.getByRole("button", { name: "Create a channel" }).click();
  await pageC.getByLabel("Name").fill("keys");
  await pageC.getByRole("button", { name: "Create", exact: true }).click();
  await pageC.getByRole("heading", { name: /#keys/ }).waitFor();
  await roomLink(pageC, "general").click();
  await pageC.getByRole("heading", { name: /#general/ }).waitFor();
  await send(pageC, "a message to fix");
  await messages(pageC).locator("article.msg.mine:not(.pending)", { hasText: "a message to fix" }).waitFor();
  await composer(pageC).focus();
  await composer(pageC).press("ArrowUp");
  const edit = pageC.getByLabel("Edit message");
  await edit.waitFor();
  assert.equal(await edit.inputValue(), "a message to fix");
  await edit.press("Escape");
  await edit.waitFor({ state: "detached" });
  // Item 13: every icon-only control has a tooltip and an accessible name,
  // and nothing looks like search (⌕) without searching.
  const bare = await pageC.$$eval("button", (bs) =>
    bs.filter((b) => b.offsetParent !== null && !/[\p{L}\p{N}]/u.test(b.textContent ?? "") && !(b.title && b.getAttribute("aria-label"))).map((b) => b.outerHTML.slice(0, 120)),
  );
  assert.deepEqual(bare, [], "icon-only buttons without a tooltip or a name");
  assert.equal(await pageC.locator("button", { hasText: "⌕" }).count(), 0);
  // Alt+↓ / Alt+↑ move through the sidebar's rooms.
  const before = await pageC.locator("#room-title").innerText();
  await pageC.keyboard.press("Alt+ArrowDown");
  await waitFor(async () => (await pageC.locator("#room-title").innerText()) !== before, "another room");
  await pageC.keyboard.press("Alt+ArrowUp");
  await waitFor(async () => (await pageC.locator("#room-title").innerText()) === before, "back again");
  // A dialog keeps Tab inside, and Escape closes it.
  await pageC.getByRole("button", { name: "Settings", exact: true }).click();
  const dlg = pageC.getByRole("dialog", { name: "Settings", exact: true });
  await dlg.waitFor();
  for (let i = 0; i < 40; i++) {
    await pageC.keyboard.press("Tab");
    assert.ok(await dlg.evaluate((d) => d.contains(document.activeElement)), `focus left the dialog after ${i + 1} Tabs`);
  }
  await pageC.keyboard.press("Escape");
  await dlg.waitFor({ state: "detached" });
  // Tabbing into the message list loads no older history.
  await messages(pageC).evaluate((el) => (el.scrollTop = el.scrollHeight));
  const held = await messages(pageC).locator("article.msg").count();
  await messages(pageC).focus();
  for (let i = 0; i < 3; i++) await pageC.keyboard.press("Tab");
  await pageC.waitForTimeout(1500);
  assert.equal(await messages(pageC).locator("article.msg").count(), held, "no older page loaded by tabbing");
});

test("items 9 and 14: a DM names the person, shows their presence, opens without the members panel; a mention is the loudest badge", async () => {
  await roomLink(pageD, "general").click();
  await pageC.getByRole("button", { name: "New direct message" }).click();
  await pageC.getByRole("checkbox", { name: /Di Dunn/ }).check();
  await pageC.getByRole("button", { name: "Start conversation" }).click();
  await pageC.getByRole("heading", { name: /Di Dunn/ }).waitFor();
  await pageC.locator(".room-head .presence-line", { hasText: "Online" }).waitFor();
  assert.equal(await pageC.locator("aside.members").count(), 0, "no members panel in a 1:1");
  await messages(pageC).getByText("This is the beginning of your conversation with Di Dunn.").waitFor();
  // A plain unread badge (#keys… any room) and a mention badge side by side on Di's screen.
  await composer(pageC).pressSequentially("psst @Di");
  await pageC.getByRole("option", { name: /Di Dunn/ }).waitFor();
  await composer(pageC).press("Enter");
  await composer(pageC).press("Enter");
  const dm = roomLink(pageD, "Cy Clark");
  await dm.locator(".badge.mention").waitFor();
  const mention = await dm.locator(".badge.mention").evaluate((el) => getComputedStyle(el).backgroundColor);
  const plain = await pageD.evaluate(() => {
    const b = document.createElement("span");
    b.className = "badge";
    document.querySelector("nav.sidebar").appendChild(b);
    const c = getComputedStyle(b).backgroundColor;
    b.remove();
    return c;
  });
  assert.equal(mention, "rgb(198, 40, 40)", "mentions are red");
  assert.notEqual(plain, mention, "plain unread counts are quieter");
  // Offline people show when they were last seen (Di goes offline).
  await pageD.context().setOffline(true);
  await pageC.locator(".room-head .presence-line", { hasText: /last seen|Offline/ }).waitFor();
  await pageD.context().setOffline(false);
  await waitFor(() => pageD.evaluate(() => window.backchannel?.status === "online"), "Di online again");
});

test("item 16: on a 360 px touch screen: one header row with a menu, a compact prompt, message actions from a ⋯ button under the text", async () => {
  const ctx = await stack.browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(stack.info.webUrl);
  await page.getByLabel("Email").fill(cy.email);
  await page.getByLabel("Password").fill(cy.password);
  await page.locator("form").getByRole("button", { name: "Sign in" }).click();
  await page.locator("#room-title").waitFor();
  await page.locator("nav.sidebar .room-link", { hasText: "general" }).dispatchEvent("click");
  await page.getByRole("heading", { name: /#general/ }).waitFor();
  assert.equal(await page.locator(".topbar").count(), 0, "no second bar above the room's header");
  const head = await page.locator(".room-head").boundingBox();
  assert.ok(head.height <= 56, `one header row (${head.height}px)`);
  await page.getByRole("button", { name: "Channel actions" }).tap();
  await page.locator(".room-actions.open").getByRole("button", { name: "Invite people" }).waitFor();
  await page.keyboard.press("Escape");
  await page.locator(".room-actions.open").waitFor({ state: "detached" });
  await composer(page).fill("from my phone");
  await page.getByRole("button", { name: "Send", exact: true }).tap();
  const mine = messages(page).locator("article.msg.mine:not(.pending)", { hasText: "from my phone" });
  await mine.waitFor();
  const prompt = page.locator(".notify-prompt");
  if (await prompt.count()) {
    const box = await prompt.boundingBox();
    assert.ok(box.height <= 64, `a compact prompt (${box.height}px)`);
  }
  assert.equal(await mine.locator(".msg-actions").isVisible(), false, "no hover toolbar over the text");
  await mine.getByRole("button", { name: "Message actions" }).tap();
  const actions = mine.locator(".msg-actions");
  await actions.waitFor({ state: "visible" });
  const [text, bar] = [await mine.locator(".msg-text").boundingBox(), await actions.boundingBox()];
  assert.ok(bar.y >= text.y + text.height - 1, "the actions sit under the text, not over it");
  await page.screenshot({ path: join(ARTIFACTS, "touch-360.png") });
  await axeCheck(page, "the 360 px touch screen with message actions open");
  await ctx.close();
});

test("items 17 and 18: colour emoji in the picker; a file card keeps its own height beside an image", async () => {
  await roomLink(pageC, "general").click();
  await pageC.getByRole("heading", { name: /#general/ }).waitFor();
  await pageC.getByRole("button", { name: "Insert emoji" }).click();
  const font = await pageC.locator(".emoji-grid button").first().evaluate((el) => getComputedStyle(el).fontFamily);
  assert.match(font, /^"?Apple Color Emoji"?, "?Segoe UI Emoji"?, "?Noto Color Emoji/);
  await pageC.keyboard.press("Escape");
  await pageC.locator("#composer-file").setInputFiles([
    { name: "wide.png", mimeType: "image/png", buffer: makePng(480, 320) },
    { name: "notes.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n% notes\n") },
  ]);
  await pageC.locator("[data-upload-status=done]").nth(1).waitFor();
  await send(pageC, "picture and notes");
  const msg = messages(pageC).locator("article.msg:not(.pending)", { hasText: "picture and notes" });
  await msg.locator("img").first().waitFor();
  await waitFor(async () => ((await msg.locator("img").first().boundingBox())?.height ?? 0) > 100, "the image laid out");
  const [img, card] = [await msg.locator(".attachments > *").first().boundingBox(), await msg.locator(".att-file").boundingBox()];
  assert.ok(card.height < img.height / 2, `the card is not stretched (${card.height} beside ${img.height})`);
});

// Every main screen, light and dark, 1280 and 360 px wide: a screenshot in
// e2e/artifacts/screens/ (looked at by a person) and axe with no violations.
test("screens: every main screen in light and dark, desktop and 360 px, axe-clean", { timeout: 600_000 }, async () => {
  const dir = join(ARTIFACTS, "screens");
  mkdirSync(dir, { recursive: true });
  const shoot = async (page, name, prepare) => {
    for (const width of [1280, 360]) {
      for (const scheme of ["light", "dark"]) {
        await page.setViewportSize({ width, height: width === 360 ? 740 : 800 });
        await page.emulateMedia({ colorScheme: scheme });
        if (prepare) await prepare(width);
        await page.waitForTimeout(250);
        await page.screenshot({ path: join(dir, `${name}-${scheme}-${width}.png`) });
        await axeCheck(page, `${name} (${scheme}, ${width} px)`);
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  };
  const drawer = (page) => async (width) => {
    if (width === 360 && (await page.locator(".shell.drawer-open").count()) === 0) await page.locator(".drawer-toggle").click();
  };

  // Sign-in, sign-up (with a field error) and confirmation.
  const auth = await openPage(stack);
  await auth.goto(stack.info.webUrl);
  await auth.locator(".auth-card").waitFor();
  await shoot(auth, "sign-in");
  await auth.getByRole("button", { name: "Create account" }).click();
  await shoot(auth, "sign-up");
  await auth.getByLabel("Display name").fill("Fay Fox");
  await auth.getByLabel("Email").fill(`fay-${run}@example.com`);
  await auth.getByLabel("Password").fill("orange fence 4");
  await auth.locator("form").getByRole("button", { name: "Create account" }).click();
  await auth.getByLabel("Confirmation code").waitFor();
  await shoot(auth, "confirm");
  await auth.context().close();

  // The chat: #general with a mention, own messages, an image beside a PDF.
  await roomLink(pageC, "general").click();
  await roomLink(pageD, "general").click();
  await pageD.getByRole("heading", { name: /#general/ }).waitFor();
  await composer(pageD).pressSequentially("thanks @Cy");
  await pageD.getByRole("option", { name: /Cy Clark/ }).waitFor();
  await composer(pageD).press("Enter");
  await composer(pageD).pressSequentially("for the **deploy** notes, see `make dev`");
  await composer(pageD).press("Enter");
  await pageD.locator("#composer-file").setInputFiles([
    { name: "chart.png", mimeType: "image/png", buffer: makePng(480, 320) },
    { name: "report.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n% test\n") },
  ]);
  await pageD.locator("[data-upload-status=done]").nth(1).waitFor();
  await composer(pageD).fill("the numbers");
  await composer(pageD).press("Enter");
  await messages(pageC).getByText("the numbers").waitFor();
  await messages(pageC).locator(".mention.me").last().waitFor();
  await send(pageC, "on it, thanks");
  await messages(pageC).locator("article.msg.mine:not(.pending)", { hasText: "on it, thanks" }).waitFor();
  await pageC.waitForTimeout(1000);
  await shoot(pageC, "chat");
  await shoot(pageC, "chat-drawer", drawer(pageC));
  if ((await pageC.locator(".shell.drawer-open").count()) > 0) await pageC.keyboard.press("Escape");
  // The hover toolbar on the first visible own message, and the emoji picker.
  const mine = messages(pageC).locator("article.msg.mine", { hasText: "on it, thanks" });
  await shoot(pageC, "chat-toolbar", async () => mine.hover());
  await shoot(pageC, "emoji-picker", async () => {
    if ((await pageC.getByRole("dialog", { name: "Emoji" }).count()) === 0) await pageC.getByRole("button", { name: "Insert emoji" }).click();
  });
  await pageC.keyboard.press("Escape");

  // Dialogs.
  const dialog = (open, name) => async () => {
    if ((await pageC.locator("dialog[open]").count()) === 0) await open();
    await pageC.getByRole("dialog", { name }).waitFor();
  };
  const closeDialog = async () => {
    await pageC.keyboard.press("Escape");
    await pageC.locator("dialog[open]").waitFor({ state: "detached" });
  };
  await shoot(pageC, "settings", dialog(() => pageC.getByRole("button", { name: "Settings", exact: true }).click(), /^Settings$/));
  await closeDialog();
  await shoot(pageC, "create-channel", dialog(() => pageC.getByRole("button", { name: "Create a channel" }).click(), /channel/i));
  await closeDialog();
  await shoot(pageC, "browse", dialog(() => pageC.getByRole("button", { name: "Browse channels" }).click(), /Browse/));
  await closeDialog();
  await shoot(pageC, "invite", dialog(() => pageC.getByRole("button", { name: "Invite people" }).click(), /Invite/));
  await closeDialog();
  await shoot(pageC, "room-settings", dialog(() => pageC.getByRole("button", { name: "Channel settings" }).click(), "Channel settings"));
  await closeDialog();
  await shoot(pageC, "confirm-delete", dialog(async () => {
    await mine.hover();
    await mine.getByRole("button", { name: "Delete" }).click();
  }, "Delete this message?"));
  await closeDialog();

  // A 1:1 DM, and the offline state.
  await pageC.getByRole("button", { name: "New direct message" }).click();
  await pageC.getByRole("checkbox", { name: /Di Dunn/ }).check();
  await pageC.getByRole("button", { name: "Start conversation" }).click();
  await pageC.getByRole("heading", { name: /Di Dunn/ }).waitFor();
  await send(pageC, "a word in private");
  await messages(pageC).locator("article.msg:not(.pending)", { hasText: "a word in private" }).waitFor();
  await shoot(pageC, "dm");
  await pageC.context().setOffline(true);
  await pageC.getByText("You are offline. Reconnecting…").waitFor();
  await send(pageC, "later");
  await shoot(pageC, "offline");
  await pageC.context().setOffline(false);
  await messages(pageC).locator("article.msg:not(.pending)", { hasText: "later" }).waitFor();
});
