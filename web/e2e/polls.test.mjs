// End-to-end check of polls (issue 14): Ann creates a poll from the
// composer's "Create poll" dialog; Bob and Cyd vote; the results (bars,
// counts, percentages, who voted) appear live on every side; my choice is
// marked; an anonymous poll shows counts but never who; Ann closes her
// poll and a vote is then refused. Axe and screenshots at 1280 and 360 px.
// Its own stack; three people.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, createChannel, joinChannel, messages, openPage, signUp } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann Archer", password: "correct horse 1" };
const bob = { email: `bob-${run}@example.com`, name: "Bob Baker", password: "battery staple 2" };
const cyd = { email: `cyd-${run}@example.com`, name: "Cyd Cole", password: "purple monkey 3" };
let pageA, pageB, pageC;
const dir = join(ARTIFACTS, "screens");

before(async () => {
  stack = await startStack({ logName: "polls-stack.log" });
  pageA = await openPage(stack);
  pageB = await openPage(stack);
  pageC = await openPage(stack);
  // No bar transitions: the screenshots show the results as they are.
  for (const p of [pageA, pageB, pageC]) await p.emulateMedia({ reducedMotion: "reduce" });
  await signUp(stack, pageA, ann);
  await signUp(stack, pageB, bob);
  await signUp(stack, pageC, cyd);
  mkdirSync(dir, { recursive: true });
  await createChannel(pageA, "lunch");
  for (const p of [pageB, pageC]) await joinChannel(p, "lunch");
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

const pollOf = (page, question) => messages(page).locator("article.msg:not(.pending) .poll", { hasText: question });
const option = (page, question, text) => pollOf(page, question).locator(".poll-option", { hasText: text });
const count = async (page, question, text) => (await option(page, question, text).locator(".poll-count").textContent()).trim();

// createPoll fills the dialog the composer's 📊 opens.
async function createPoll(page, question, options, { multiple = false, anonymous = false } = {}) {
  await page.getByRole("button", { name: "Create poll" }).click();
  const dlg = page.getByRole("dialog", { name: "Create a poll" });
  await dlg.getByLabel("Question").fill(question);
  for (let i = 0; i < options.length; i++) {
    if (i >= 2) await dlg.getByRole("button", { name: "Add option" }).click();
    await dlg.getByLabel(`Option ${i + 1}`, { exact: true }).fill(options[i]);
  }
  if (multiple) await dlg.getByLabel("People may choose more than one option").check();
  if (anonymous) await dlg.getByLabel("Anonymous: nobody sees who voted for what").check();
  await dlg.getByRole("button", { name: "Create poll" }).click();
  await dlg.waitFor({ state: "detached" });
}

test("a poll created by Ann and voted on by Bob and Cyd: results live on every side, my choice marked, voters shown", { timeout: 180_000 }, async () => {
  const q = `Lunch on Friday? ${run}`;
  // The dialog checks the draft: a duplicate option is refused in place.
  await pageA.getByRole("button", { name: "Create poll" }).click();
  const dlg = pageA.getByRole("dialog", { name: "Create a poll" });
  await dlg.getByLabel("Question").fill(q);
  await dlg.getByLabel("Option 1", { exact: true }).fill("Pizza");
  await dlg.getByLabel("Option 2", { exact: true }).fill("pizza");
  await dlg.getByRole("button", { name: "Create poll" }).click();
  await dlg.getByRole("alert").filter({ hasText: "Each option must be different." }).waitFor();
  // Add and remove an option, then the real three.
  await dlg.getByRole("button", { name: "Add option" }).click();
  await dlg.getByRole("button", { name: "Remove option 3" }).click();
  await pageA.screenshot({ path: join(dir, "polls-dialog-1280.png") });
  await axeCheck(pageA, "the create-poll dialog");
  await dlg.getByRole("button", { name: "Cancel" }).click();
  await createPoll(pageA, q, ["Pizza", "Sushi", "Tacos"]);

  await pollOf(pageB, q).waitFor();
  await pollOf(pageC, q).waitFor();
  assert.match(await pollOf(pageB, q).locator("legend").textContent(), /Lunch on Friday/);

  // Bob votes Sushi: his choice is marked, Ann and Cyd see 1 · 100%.
  await option(pageB, q, "Sushi").getByRole("button").click();
  await waitFor(async () => (await option(pageB, q, "Sushi").getByRole("button").getAttribute("aria-pressed")) === "true", "Bob's choice pressed");
  await waitFor(async () => (await count(pageA, q, "Sushi")) === "1 · 100%", "Ann sees Bob's vote live");
  await waitFor(async () => (await count(pageC, q, "Sushi")) === "1 · 100%", "Cyd sees Bob's vote live");
  // Who voted: the tooltip and the screen-reader text (not anonymous).
  assert.equal(await option(pageA, q, "Sushi").getAttribute("title"), "Voted for Sushi: Bob Baker");
  assert.match(await option(pageA, q, "Sushi").locator(".sr-only").textContent(), /Sushi: 1 vote, 100%\. Voted for Sushi: Bob Baker/);

  // Cyd votes Pizza: 50% each, live for Ann and Bob.
  await option(pageC, q, "Pizza").getByRole("button").click();
  await waitFor(async () => (await count(pageA, q, "Pizza")) === "1 · 50%" && (await count(pageA, q, "Sushi")) === "1 · 50%", "Ann sees two votes");
  await waitFor(async () => (await count(pageB, q, "Pizza")) === "1 · 50%", "Bob sees Cyd's vote");
  await waitFor(async () => (await pollOf(pageB, q).locator(".poll-summary").textContent()).includes("2 people voted"), "Bob's summary");
  // Bob changes his mind: Tacos replaces Sushi.
  await option(pageB, q, "Tacos").getByRole("button").click();
  await waitFor(async () => (await count(pageA, q, "Tacos")) === "1 · 50%" && (await count(pageA, q, "Sushi")) === "0 · 0%", "the vote replaced, live");
  assert.equal(await option(pageB, q, "Sushi").getByRole("button").getAttribute("aria-pressed"), "false");
  assert.equal(await option(pageB, q, "Tacos").locator(".poll-check").count(), 1, "my choice is marked");

  // Only Ann (the author) is offered "Close poll".
  assert.equal(await pollOf(pageB, q).getByRole("button", { name: "Close poll" }).count(), 0);
  await pollOf(pageA, q).scrollIntoViewIfNeeded();
  await pageA.screenshot({ path: join(dir, "polls-light-1280.png") });
  await axeCheck(pageA, "a poll with votes");
  await pageB.emulateMedia({ colorScheme: "dark" });
  await pollOf(pageB, q).scrollIntoViewIfNeeded();
  await pageB.screenshot({ path: join(dir, "polls-dark-1280.png") });
  await axeCheck(pageB, "a poll in the dark theme");
  await pageB.emulateMedia({ colorScheme: "light" });
  await pageC.setViewportSize({ width: 360, height: 740 });
  await pollOf(pageC, q).scrollIntoViewIfNeeded();
  const box = await pollOf(pageC, q).boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 360, `the poll fits the screen: ${JSON.stringify(box)}`);
  await pageC.screenshot({ path: join(dir, "polls-light-360.png") });
  await axeCheck(pageC, "a poll at 360 px");
  await pageC.setViewportSize({ width: 1280, height: 800 });
});

test("an anonymous multiple-choice poll shows counts, never who voted", { timeout: 120_000 }, async () => {
  const q = `Which days suit you? ${run}`;
  await createPoll(pageA, q, ["Monday", "Tuesday", "Wednesday"], { multiple: true, anonymous: true });
  await pollOf(pageB, q).waitFor();
  await pollOf(pageC, q).waitFor();
  // Checkboxes: Bob picks two, Cyd one.
  await option(pageB, q, "Monday").getByRole("checkbox").check();
  await waitFor(async () => (await count(pageA, q, "Monday")) === "1 · 100%", "Ann sees Bob's first choice");
  await option(pageB, q, "Tuesday").getByRole("checkbox").check();
  await option(pageC, q, "Tuesday").getByRole("checkbox").check();
  await waitFor(async () => (await count(pageA, q, "Tuesday")) === "2 · 100%" && (await count(pageA, q, "Monday")) === "1 · 50%", "Ann sees the counts");
  await waitFor(async () => (await pollOf(pageA, q).locator(".poll-summary").textContent()).includes("2 people voted"), "two voters");
  // Nobody's name anywhere in the poll, on Ann's side (she is its author).
  for (const name of ["Bob Baker", "Cyd Cole"]) {
    const text = await pollOf(pageA, q).evaluate((el) => el.outerHTML);
    assert.ok(!text.includes(name), `the anonymous poll names ${name}`);
  }
  assert.equal(await option(pageA, q, "Tuesday").getAttribute("title"), null);
  // Nor in the client's state: the server never sent who voted.
  const leaked = await pageA.evaluate(
    (question) =>
      Object.values(window.backchannel.state.messages)
        .flat()
        .filter((m) => m.poll?.question === question)
        .some((m) => m.poll.options.some((o) => o.voterIds?.length)),
    q,
  );
  assert.equal(leaked, false, "voterIds of an anonymous poll reached Ann's client");
  // Bob's own choices stay marked for him.
  assert.equal(await option(pageB, q, "Monday").getByRole("checkbox").isChecked(), true);
  assert.equal(await option(pageB, q, "Tuesday").getByRole("checkbox").isChecked(), true);
  assert.equal(await option(pageB, q, "Wednesday").getByRole("checkbox").isChecked(), false);
  await pollOf(pageB, q).scrollIntoViewIfNeeded();
  await pageB.screenshot({ path: join(dir, "polls-anonymous-1280.png") });
  await axeCheck(pageB, "an anonymous multiple-choice poll");
});

test("a closed poll refuses votes", { timeout: 120_000 }, async () => {
  const q = `Team offsite venue? ${run}`;
  await createPoll(pageA, q, ["Lake", "Mountains"]);
  await pollOf(pageB, q).waitFor();
  await option(pageB, q, "Lake").getByRole("button").click();
  await waitFor(async () => (await count(pageA, q, "Lake")) === "1 · 100%", "Ann sees the vote");
  // Ann closes it (with a confirmation); Bob sees it closed, the options disabled.
  await pollOf(pageA, q).getByRole("button", { name: "Close poll" }).click();
  await pageA.getByRole("dialog", { name: "Close this poll?" }).getByRole("button", { name: "Close poll" }).click();
  await waitFor(async () => (await pollOf(pageB, q).locator(".poll-flags").textContent()).includes("Closed"), "Bob sees it closed");
  assert.equal(await option(pageB, q, "Mountains").getByRole("button").isDisabled(), true);
  assert.equal(await pollOf(pageA, q).getByRole("button", { name: "Close poll" }).count(), 0);
  // The server refuses a vote sent anyway (a client that missed the close).
  const seq = Number(await messages(pageB).locator("article.msg:not(.pending)", { has: pageB.locator(".poll", { hasText: q }) }).getAttribute("data-seq"));
  const refusal = await pageB.evaluate(
    async ({ seq }) => {
      const roomId = Object.values(window.backchannel.state.rooms).find((r) => r.name === "lunch").roomId;
      try {
        await window.backchannel.vote(roomId, seq, [1]);
        return "accepted";
      } catch (err) {
        return `${err.code}: ${err.message}`;
      }
    },
    { seq },
  );
  assert.match(refusal, /conflict: this poll is closed/);
  assert.equal(await count(pageA, q, "Mountains"), "0 · 0%");
  await pollOf(pageB, q).scrollIntoViewIfNeeded();
  await pageB.screenshot({ path: join(dir, "polls-closed-1280.png") });
  await axeCheck(pageB, "a closed poll");
});
