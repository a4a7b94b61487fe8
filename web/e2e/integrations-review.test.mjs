// End-to-end check of the message review hook (issue 16): make dev with
// REVIEW_HOOK=example runs the example hook in the Lambda stand-in, which
// the chat's real Lambda client invokes before storing each message, with
// REVIEW_DENY_WORDS=classified. A card number and an e-mail address reach
// Bob masked; a message with "classified" is rejected: Ann sees the
// hook's reason in the composer, her text back in the box, and Bob sees
// nothing. A poll is reviewed the same way (question and options). Axe
// and screenshots. Its own stack; two people.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { waitFor } from "./stack.mjs";
import { SCREENS, axeCheck, composer, messages, msgOf, send, startWithTwo } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann Archer", password: "correct horse 1" };
const bob = { email: `bob-${run}@example.com`, name: "Bob Baker", password: "battery staple 2" };
let pageA, pageB;
const dir = SCREENS;

before(async () => {
  const options = { env: { REVIEW_HOOK: "example", REVIEW_DENY_WORDS: "classified" }, logName: "integrations-review-stack.log" };
  ({ stack, pageA, pageB } = await startWithTwo(options, ann, bob, "billing"));
  assert.ok(stack.info.reviewHookUrl, "make dev starts the Lambda stand-in with the example hook");
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

test("a card number and an e-mail address reach the room masked", { timeout: 120_000 }, async () => {
  await send(pageA, `invoice ${run}: card 4111 1111 1111 1111, questions to ann@example.com`);
  const want = `invoice ${run}: card [card number hidden], questions to [email hidden]`;
  const onB = msgOf(pageB, `invoice ${run}`);
  await onB.waitFor();
  await waitFor(async () => (await onB.locator(".msg-text").textContent())?.trim() === want, "Bob's copy masked");
  // Ann's own copy is the stored one too (the ack replaces what she typed).
  const onA = msgOf(pageA, `invoice ${run}`);
  await waitFor(async () => (await onA.locator(".msg-text").textContent())?.trim() === want, "Ann's copy masked");
  assert.ok(!(await messages(pageB).textContent()).includes("4111"), "the card number is nowhere on Bob's screen");
  await pageB.screenshot({ path: join(dir, "review-masked-1280.png") });
});

test("a rejected message shows the hook's reason in the composer, keeps the text, and reaches nobody", { timeout: 120_000 }, async () => {
  const text = `the classified plan ${run}`;
  await composer(pageA).fill(text);
  await composer(pageA).press("Enter");
  const notice = pageA.locator(".composer-rejected");
  await notice.waitFor();
  assert.equal(await notice.getAttribute("role"), "alert");
  const said = (await notice.textContent()) ?? "";
  assert.ok(said.includes("Not sent: Messages with the word “classified” are not allowed in this workspace."), said);
  // The draft is back in the box, and the message is not in the timeline.
  await waitFor(async () => (await composer(pageA).inputValue()) === text, "the text back in the composer");
  assert.equal(await msgOf(pageA, `plan ${run}`).count(), 0);
  assert.equal(await messages(pageA).locator("article.msg.pending", { hasText: `plan ${run}` }).count(), 0);
  assert.equal(await composer(pageA).getAttribute("aria-invalid"), "true");
  await pageA.screenshot({ path: join(dir, "review-rejected-1280.png") });
  await axeCheck(pageA, "a rejected message's notice");
  await pageA.emulateMedia({ colorScheme: "dark" });
  await pageA.screenshot({ path: join(dir, "review-rejected-dark-1280.png") });
  await pageA.emulateMedia({ colorScheme: "light" });

  // Edited and sent again, it goes through and the notice goes away.
  await composer(pageA).fill(`the plan ${run}, version two`);
  await composer(pageA).press("Enter");
  await msgOf(pageB, `the plan ${run}, version two`).waitFor();
  await waitFor(async () => (await notice.count()) === 0, "the notice to go");
  // Bob never saw the rejected one (the next message arrived after it).
  assert.equal(await msgOf(pageB, "classified").count(), 0);
  // Reloaded, history has no trace of it either.
  await pageB.reload();
  await msgOf(pageB, `the plan ${run}, version two`).waitFor();
  assert.equal(await msgOf(pageB, "classified").count(), 0);
});

test("a poll is reviewed too: a denied one keeps its dialog open with the reason, a masked one reaches Bob masked", { timeout: 120_000 }, async () => {
  const q = `Budget ${run}?`;
  await pageA.getByRole("button", { name: "Create poll" }).click();
  const dlg = pageA.getByRole("dialog", { name: "Create a poll" });
  await dlg.getByLabel("Question").fill(q);
  await dlg.getByLabel("Option 1", { exact: true }).fill("the classified one");
  await dlg.getByLabel("Option 2", { exact: true }).fill("Card 4111 1111 1111 1111");
  await dlg.getByRole("button", { name: "Create poll" }).click();
  await dlg.getByRole("alert").filter({ hasText: "Messages with the word “classified” are not allowed in this workspace." }).waitFor();
  await axeCheck(pageA, "a rejected poll's dialog");
  // The draft stays; without the word it goes through, the card masked.
  await dlg.getByLabel("Option 1", { exact: true }).fill("the open one");
  await dlg.getByRole("button", { name: "Create poll" }).click();
  await dlg.waitFor({ state: "detached" });
  const onB = messages(pageB).locator("article.msg:not(.pending) .poll", { hasText: q });
  await onB.locator(".poll-option", { hasText: "Card [card number hidden]" }).waitFor();
  assert.ok(!(await messages(pageB).textContent()).includes("4111"), "the card number is nowhere on Bob's screen");
  assert.equal(await messages(pageB).locator(".poll", { hasText: "classified" }).count(), 0);
  await pageB.screenshot({ path: join(dir, "review-poll-masked-1280.png") });
});
