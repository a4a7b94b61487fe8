// End-to-end check of message search (issue 12): from the room header, a
// stemmed word finds a message, the person and channel filters edit the
// query, a malformed query shows the server's reason, and a result opens
// its room at the message, highlighted. Its own stack; two people.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, messages, openPage, send, signUp } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann Archer", password: "correct horse 1" };
const bob = { email: `bob-${run}@example.com`, name: "Bob Baker", password: "battery staple 2" };
let pageA, pageB;

before(async () => {
  stack = await startStack({ logName: "search-stack.log" });
  pageA = await openPage(stack);
  pageB = await openPage(stack);
  await signUp(stack, pageA, ann);
  await signUp(stack, pageB, bob);
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

const dialog = (page) => page.getByRole("dialog", { name: "Search messages" });
const results = (page) => dialog(page).locator(".search-result");
const input = (page) => dialog(page).getByRole("searchbox", { name: "Search for" });

// searchUntil types query and submits it again until n results show (the
// index follows the table's stream: new messages take a moment).
async function searchUntil(page, query, n) {
  await input(page).fill(query);
  await waitFor(async () => {
    await input(page).press("Enter");
    await page.waitForTimeout(400);
    return (await results(page).count()) === n;
  }, `${n} results for ${query}`);
}

test("search from the header: a stemmed word, filtered by person and channel, opened in context", { timeout: 240_000 }, async () => {
  const bobText = `We are deploying the release on Friday <img src=x onerror=alert(1)> ${run}`;
  await send(pageB, bobText);
  await messages(pageA).locator(".msg", { hasText: "deploying the release" }).waitFor();
  await send(pageA, `Checklist: deploy steps are in the wiki ${run}`);
  // More after it than a page around it holds (25 each side), from both
  // (each within the send budget of 30 per 10 s).
  for (let i = 0; i < 25; i++) await send(pageA, `filler line ${i}`);
  for (let i = 0; i < 25; i++) await send(pageB, `bob filler ${i}`);
  await messages(pageA).locator(".msg", { hasText: "bob filler 24" }).waitFor();
  const bobSeq = await pageA.evaluate((t) => window.backchannel.state.messages.general.find((m) => m.text === t)?.seq, bobText);
  assert.ok(bobSeq > 0, "Bob's message is held");

  // The header's search button opens the panel; Escape closes it and
  // gives the focus back.
  const button = pageA.getByRole("button", { name: "Search messages" });
  await button.click();
  await input(pageA).waitFor();
  assert.equal(await input(pageA).evaluate((el) => el === document.activeElement), true, "the field has the focus");
  await pageA.keyboard.press("Escape");
  await dialog(pageA).waitFor({ state: "detached" });
  assert.equal(await button.evaluate((el) => el === document.activeElement), true, "focus back on the button");

  // A malformed query: the server's reason, as a clear error line.
  await button.click();
  await input(pageA).fill(`"deploy`);
  await input(pageA).press("Enter");
  const error = dialog(pageA).locator(".search-error");
  await error.waitFor();
  assert.match(await error.textContent(), /quote/i);

  // "deploys" finds both messages by their stem, newest first.
  await searchUntil(pageA, `deploys ${run}`, 2);
  const texts = await results(pageA).locator(".search-text").allTextContents();
  assert.match(texts[0], /Checklist/, "newest first");
  assert.match(texts[1], /deploying the release/);
  assert.ok(texts[1].includes("<img src=x onerror=alert(1)>"), "the markup in the text stays text");
  assert.equal(await dialog(pageA).locator(".search-text img").count(), 0, "no element from the text");
  assert.equal((await results(pageA).nth(1).locator("mark").first().textContent()).toLowerCase(), "deploying");
  assert.match(await results(pageA).nth(1).locator(".search-author").textContent(), /Bob Baker/);
  assert.match(await results(pageA).nth(1).locator(".search-room").textContent(), /#general/);

  // The person filter edits the query: from:@bob.baker leaves Bob's.
  await dialog(pageA).getByLabel("From").selectOption({ label: "Bob Baker (@bob.baker)" });
  assert.match(await input(pageA).inputValue(), /^from:@bob\.baker deploys/);
  await waitFor(async () => (await results(pageA).count()) === 1, "one result from Bob");
  // The channel filter too: in:#general.
  await dialog(pageA).getByLabel("In", { exact: true }).selectOption({ label: "#general" });
  assert.match(await input(pageA).inputValue(), /^in:#general from:@bob\.baker deploys/);
  await waitFor(async () => (await results(pageA).count()) === 1, "still one result in #general");
  assert.match(await results(pageA).first().locator(".search-text").textContent(), /deploying the release/);
  await axeCheck(pageA, "the search panel with results");

  const dir = join(ARTIFACTS, "screens");
  mkdirSync(dir, { recursive: true });
  for (const width of [1280, 360]) {
    for (const scheme of ["light", "dark"]) {
      await pageA.setViewportSize({ width, height: width === 360 ? 740 : 800 });
      await pageA.emulateMedia({ colorScheme: scheme });
      await pageA.waitForTimeout(200);
      await pageA.screenshot({ path: join(dir, `search-${scheme}-${width}.png`) });
      await axeCheck(pageA, `the search panel (${scheme}, ${width} px)`);
    }
  }
  await pageA.setViewportSize({ width: 1280, height: 800 });
  await pageA.emulateMedia({ colorScheme: "light" });

  // Opening the result: the room around the message, which is in view and
  // highlighted for a moment.
  await results(pageA).first().click();
  await dialog(pageA).waitFor({ state: "detached" });
  const target = messages(pageA).locator(`[data-seq="${bobSeq}"]`);
  await target.waitFor();
  await waitFor(() => target.evaluate((el) => el.classList.contains("flash")), "the message highlighted");
  await waitFor(async () => {
    const box = await target.boundingBox();
    const list = await messages(pageA).boundingBox();
    return box && list && box.y >= list.y && box.y + Math.min(box.height, 20) <= list.y + list.height;
  }, "the message in view");
  await pageA.screenshot({ path: join(dir, "search-opened-light-1280.png") });
  await axeCheck(pageA, "the room opened at a search result");
  // Newer messages than the page around it: paged in while scrolling
  // down, until the room is live again.
  assert.equal(await messages(pageA).locator(".msg", { hasText: "bob filler 24" }).count(), 0, "the newest are not loaded yet");
  assert.ok(await pageA.evaluate(() => window.backchannel.state.history.general.hasMoreAfter), "more after");
  await waitFor(async () => {
    await messages(pageA).evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await pageA.waitForTimeout(150);
    return (await messages(pageA).locator(".msg", { hasText: "bob filler 24" }).count()) === 1;
  }, "scrolling down to reach the newest message");
  await waitFor(() => pageA.evaluate(() => !window.backchannel.state.history.general.hasMoreAfter), "the room live again");
  assert.equal(await messages(pageA).locator(".load-newer").count(), 0, "no more to load");
  const seqs = await pageA.evaluate(() => window.backchannel.state.messages.general.map((m) => m.seq));
  for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1, `contiguous from the jump to the newest: ${seqs}`);
  await send(pageB, `after the jump ${run}`);
  await messages(pageA).locator(".msg", { hasText: `after the jump ${run}` }).waitFor();
});
