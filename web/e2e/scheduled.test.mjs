// End-to-end check of scheduled messages and reminders (issue 14): "send
// later" from the composer's menu arrives on the other side at its time;
// the Scheduled view edits, reschedules and cancels (what is sent is the
// edited text, nothing of the cancelled one); "Remind me" on a message
// fires a reminder card. The stack keeps real time: the test hook
// POST /dev/scheduled/fire of make dev makes the EventBridge Scheduler
// stand-in deliver every pending item now, through the same code as at
// their time. Its own stack; two people in #general.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, composer, msgOf, openPage, send, signUp } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann Archer", password: "correct horse 1" };
const bob = { email: `bob-${run}@example.com`, name: "Bob Baker", password: "battery staple 2" };
let pageA, pageB;
const dir = join(ARTIFACTS, "screens");

before(async () => {
  stack = await startStack({ logName: "scheduled-stack.log" });
  pageA = await openPage(stack);
  pageB = await openPage(stack);
  await signUp(stack, pageA, ann);
  await signUp(stack, pageB, bob);
  mkdirSync(dir, { recursive: true });
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});


// fire delivers every pending scheduled item now (make dev's test hook)
// and returns how many schedules fired.
async function fire() {
  const res = await fetch(new URL("dev/scheduled/fire", stack.info.webUrl), { method: "POST" });
  assert.equal(res.status, 200);
  return (await res.json()).fired;
}

// localIn: a datetime-local value minutes from now, in the page's zone.
const localIn = (page, minutes) =>
  page.evaluate((m) => {
    const d = new Date(Date.now() + m * 60_000);
    const p = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }, minutes);

const sendLater = (page) => page.getByRole("button", { name: "Send later…" });
const scheduledView = (page) => page.locator("dialog.scheduled-dialog");

test("a message sent later arrives at its time on the other side", { timeout: 120_000 }, async () => {
  const text = `Standup notes are in the doc ${run}`;
  await composer(pageA).fill(text);
  await sendLater(pageA).click();
  await pageA.getByRole("menu", { name: "Send later…" }).waitFor();
  await pageA.screenshot({ path: join(dir, "send-later-menu-1280.png") });
  await axeCheck(pageA, "the send later menu");
  await pageA.getByRole("menuitem", { name: "In 30 minutes" }).click();
  // The composer empties as on a send; nothing reaches the room yet.
  await waitFor(async () => (await composer(pageA).inputValue()) === "", "the composer emptied");
  const marker = `barrier ${run}`;
  await send(pageA, marker);
  await msgOf(pageB, marker).waitFor();
  assert.equal(await msgOf(pageB, text).count(), 0, "sent before its time");

  assert.equal(await fire(), 1);
  await msgOf(pageB, text).waitFor();
  await msgOf(pageA, text).waitFor(); // the author's own tab shows it too
  const sender = await pageB.evaluate((t) => {
    const msgs = Object.values(window.backchannel.state.messages).flat();
    return msgs.find((m) => m.text === t)?.senderName;
  }, text);
  assert.equal(sender, ann.name);
});

test("the Scheduled view edits, reschedules and cancels", { timeout: 180_000 }, async () => {
  const draft = `Draft of the release note ${run}`;
  const final = `Release note, final ${run}`;
  const never = `Never mind this one ${run}`;
  // One for tomorrow at 9:00, one at a custom time.
  await composer(pageA).fill(draft);
  await sendLater(pageA).click();
  await pageA.getByRole("menuitem", { name: "Tomorrow at 9:00" }).click();
  await waitFor(async () => (await composer(pageA).inputValue()) === "", "the composer emptied");
  await composer(pageA).fill(never);
  await sendLater(pageA).click();
  await pageA.getByRole("menuitem", { name: "Custom time…" }).click();
  const custom = pageA.locator("dialog.time-dialog");
  await custom.getByLabel("Date and time").fill(await localIn(pageA, 0)); // too soon
  await custom.getByRole("button", { name: "Schedule" }).click();
  await custom.getByRole("alert").filter({ hasText: "at least a minute" }).waitFor();
  await custom.getByLabel("Date and time").fill(await localIn(pageA, 90));
  await pageA.screenshot({ path: join(dir, "send-later-custom-1280.png") });
  await axeCheck(pageA, "the custom time dialog");
  await custom.getByRole("button", { name: "Schedule" }).click();
  await custom.waitFor({ state: "detached" });

  await pageA.getByRole("button", { name: "Scheduled messages and reminders" }).click();
  const view = scheduledView(pageA);
  const row = (text) => view.locator("li.sched-item", { hasText: text });
  await row(draft).waitFor();
  await row(never).waitFor();
  assert.match(await row(draft).innerText(), /to #general/);

  // Edit the draft's text, and move it.
  await row(draft).getByRole("button", { name: "Edit" }).click();
  const edit = pageA.locator("dialog.time-dialog");
  await edit.getByLabel("Message").fill(final);
  await edit.getByLabel("Date and time").fill(await localIn(pageA, 45));
  await edit.getByRole("button", { name: "Save" }).click();
  await row(final).waitFor();
  assert.equal(await row(draft).count(), 0);
  // Reschedule the other one only in time.
  await row(never).getByRole("button", { name: "Reschedule" }).click();
  await edit.getByLabel("Date and time").fill(await localIn(pageA, 120));
  await edit.getByRole("button", { name: "Save" }).click();
  await edit.waitFor({ state: "detached" });
  await pageA.screenshot({ path: join(dir, "scheduled-view-1280.png") });
  await axeCheck(pageA, "the Scheduled view");
  await pageA.emulateMedia({ colorScheme: "dark" });
  await pageA.screenshot({ path: join(dir, "scheduled-view-dark-1280.png") });
  await axeCheck(pageA, "the Scheduled view, dark");
  await pageA.emulateMedia({ colorScheme: "light" });
  // Cancel it: gone from the list.
  await row(never).getByRole("button", { name: /^Cancel the scheduled message/ }).click();
  await row(never).waitFor({ state: "detached" });

  // Their time comes: the edited text arrives, nothing of the cancelled one.
  assert.equal(await fire(), 1);
  await msgOf(pageB, final).waitFor();
  await row(final).waitFor({ state: "detached" }); // sent: off the list
  await view.getByRole("button", { name: "Close" }).click();
  const marker = `after the fire ${run}`;
  await send(pageA, marker);
  await msgOf(pageB, marker).waitFor();
  assert.equal(await msgOf(pageB, draft).count(), 0);
  assert.equal(await msgOf(pageB, never).count(), 0);
});

test("a reminder about a message fires as a card that opens it", { timeout: 120_000 }, async () => {
  const text = `Please review the budget by Friday ${run}`;
  await send(pageA, text);
  await msgOf(pageB, text).waitFor();
  await msgOf(pageB, text).hover();
  await msgOf(pageB, text).getByRole("button", { name: "Remind me about this message" }).click();
  await pageB.getByRole("menuitem", { name: "In 1 hour" }).click();
  await pageB.getByRole("button", { name: "Scheduled messages and reminders" }).click();
  const view = scheduledView(pageB);
  const reminder = view.locator(".sched-reminders li.sched-item", { hasText: text });
  await reminder.waitFor();
  assert.match(await reminder.innerText(), /#general/);
  await view.getByRole("button", { name: "Close" }).click();

  assert.equal(await fire(), 1);
  const card = pageB.locator(".reminder-toast", { hasText: text });
  await card.waitFor();
  assert.match(await card.innerText(), /Reminder/);
  assert.match(await card.innerText(), /Ann Archer/);
  assert.equal(await pageA.locator(".reminder-toast").count(), 0, "Ann got Bob's reminder");
  await pageB.screenshot({ path: join(dir, "reminder-fired-1280.png") });
  await axeCheck(pageB, "a fired reminder");
  // The view lists it as fired; Open on the card opens the message.
  await card.getByRole("button", { name: "Open" }).click();
  await card.waitFor({ state: "detached" });
  await pageB.getByRole("button", { name: "Scheduled messages and reminders" }).click();
  await view.locator(".sched-reminders li.sched-item.fired", { hasText: text }).waitFor();
  await view.locator(".sched-reminders li.sched-item.fired").getByRole("button", { name: "Dismiss" }).click();
  await view.locator(".sched-reminders li.sched-item").first().waitFor({ state: "detached" });
  await view.getByRole("button", { name: "Close" }).click();
});
