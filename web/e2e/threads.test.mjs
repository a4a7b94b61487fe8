// End-to-end check of threads (issue 14): a threaded conversation between
// two people. Bob replies in a thread from a message's actions; the reply
// stays out of the room's timeline and its unread count; Ann, who started
// the thread, sees the reply summary (count, avatars, last reply time) and
// an unread badge on "Threads"; the Threads view opens the thread beside
// the room, which clears the badge; "Also send to the room" puts a reply in
// the timeline too. Screenshots at 1280 and 360 px (the thread a full
// screen there), axe checks. A thread reply's notification (the push's
// parentSeq) opens the room at the parent with the thread on the reply, in
// the open tab and from a new window's /?room=&seq=&thread=. The thread's
// composer takes files like the room's (chips with progress, remove) and
// keeps them apart from the room composer's. Its own stack.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, clickNotification, createChannel, joinChannel, messages, msgOf, notifications, openPage, send, signUp, worker } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann Archer", password: "correct horse 1" };
const bob = { email: `bob-${run}@example.com`, name: "Bob Baker", password: "battery staple 2" };
let pageA, pageB;
const dir = join(ARTIFACTS, "screens");

before(async () => {
  stack = await startStack({ logName: "threads-stack.log" });
  pageA = await openPage(stack);
  pageB = await openPage(stack);
  await signUp(stack, pageA, ann);
  await signUp(stack, pageB, bob);
  mkdirSync(dir, { recursive: true });
  await createChannel(pageA, "crew");
  await joinChannel(pageB, "crew");
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

const pane = (page) => page.getByRole("complementary", { name: "Thread" });
const replyOf = (page, text) => pane(page).locator(".thread-replies article.msg:not(.pending)", { hasText: text });
const threadsLink = (page) => page.locator("nav.sidebar .threads-link");
const crewLink = (page) => page.locator('nav.sidebar .room-link[data-room]', { hasText: "crew" });

test("a threaded conversation between two people, with the unread thread badge", { timeout: 180_000 }, async () => {
  const root = `Who writes the release notes? ${run}`;
  await send(pageA, root);
  await msgOf(pageB, root).waitFor();

  // Bob replies in a thread from the message's actions.
  await msgOf(pageB, root).hover();
  await msgOf(pageB, root).getByRole("button", { name: "Reply in thread" }).click();
  await pane(pageB).waitFor();
  // The thread's composer has the caret.
  await waitFor(async () => (await pageB.evaluate(() => document.activeElement?.id)) === "thread-input", "the thread composer focused");
  const r1 = `I will, tonight ${run}`;
  await pageB.keyboard.type(r1);
  await pageB.keyboard.press("Enter");
  await replyOf(pageB, r1).waitFor();

  // Ann: the parent's summary, and a badge on Threads; not in her timeline.
  const summary = msgOf(pageA, root).locator(".thread-summary");
  await summary.waitFor();
  assert.equal(await summary.locator(".thread-count").innerText(), "1 reply");
  assert.equal(await summary.locator(".avatar").count(), 1);
  assert.match(await summary.textContent(), /1 reply by Bob Baker\s+last reply .+: open the thread$/);
  await waitFor(async () => (await threadsLink(pageA).locator(".badge").count()) === 1, "Ann's Threads badge");
  assert.equal(await threadsLink(pageA).locator(".badge").innerText(), "1");
  assert.equal(await messages(pageA).locator("article.msg", { hasText: r1 }).count(), 0, "the reply is not in Ann's timeline");
  assert.equal(await messages(pageB).locator("article.msg", { hasText: r1 }).count(), 0, "nor in Bob's");
  await pageA.screenshot({ path: join(dir, "threads-summary-1280.png") });
  await axeCheck(pageA, "a message with its thread summary and the Threads badge");

  // The Threads view lists it with its unread replies; it opens the thread.
  await threadsLink(pageA).click();
  const list = pageA.getByRole("dialog", { name: "Threads" });
  const item = list.locator(".thread-item", { hasText: root });
  await item.waitFor();
  assert.equal(await item.locator(".thread-unread").innerText(), "1");
  await pageA.screenshot({ path: join(dir, "threads-list-1280.png") });
  await axeCheck(pageA, "the Threads view");
  await item.locator(".conv-open").click();
  await list.waitFor({ state: "detached" });
  await replyOf(pageA, r1).waitFor();
  await waitFor(async () => (await threadsLink(pageA).locator(".badge").count()) === 0, "the badge clears once read");

  // Bob goes to #general: a reply kept in the thread is no unread of #crew,
  // but it is one of his threads.
  await pageB.locator('nav.sidebar .room-link[data-room="general"]').click();
  await pageB.getByRole("heading", { name: /#general/ }).waitFor();
  const r2 = `Thanks! Keep it short ${run}`;
  await pane(pageA).locator("#thread-input").fill(r2);
  await pane(pageA).locator("#thread-input").press("Enter");
  await replyOf(pageA, r2).waitFor();
  await waitFor(async () => (await threadsLink(pageB).locator(".badge").count()) === 1, "Bob's Threads badge");
  assert.equal(await crewLink(pageB).locator(".badge").count(), 0, "no unread in #crew for a thread-only reply");

  // "Also send to #crew": in the thread and in the room (and its unread).
  const r3 = `Notes are due Friday ${run}`;
  await pane(pageA).locator("#thread-input").fill(r3);
  await pane(pageA).getByRole("checkbox", { name: "Also send to #crew" }).check();
  await pane(pageA).getByRole("button", { name: "Reply", exact: true }).click();
  await replyOf(pageA, r3).waitFor();
  await msgOf(pageA, r3).waitFor();
  // In the room it says where it came from.
  await msgOf(pageA, r3).getByRole("button", { name: "Replied in a thread: show it" }).waitFor();
  await waitFor(async () => (await crewLink(pageB).locator(".badge").count()) === 1, "#crew unread for the reply sent to the room");
  await waitFor(async () => (await threadsLink(pageB).locator(".badge").innerText().catch(() => "")) === "2", "Bob's two unread replies");
  await pageA.screenshot({ path: join(dir, "threads-pane-1280.png") });
  await axeCheck(pageA, "the thread pane beside the room");

  // Bob opens the thread from the room's summary: all three replies.
  await crewLink(pageB).click();
  await msgOf(pageB, root).locator(".thread-summary").click();
  await replyOf(pageB, r3).waitFor();
  assert.deepEqual(
    (await pane(pageB).locator(".thread-replies .msg-text").allTextContents()).map((s) => s.trim()),
    [r1, r2, r3],
  );
  await waitFor(async () => (await threadsLink(pageB).locator(".badge").count()) === 0, "Bob's badge clears");
  assert.equal(await msgOf(pageB, root).locator(".thread-summary .thread-count").innerText(), "3 replies");

  // A narrow screen: the thread takes the whole screen; closing it returns
  // to the room.
  await pageB.setViewportSize({ width: 360, height: 740 });
  await pageB.waitForTimeout(200);
  const box = await pane(pageB).boundingBox();
  assert.ok(box && box.x === 0 && box.width === 360, `the thread fills the screen: ${JSON.stringify(box)}`);
  await pageB.screenshot({ path: join(dir, "threads-pane-360.png") });
  await axeCheck(pageB, "the thread at 360 px");
  await pane(pageB).getByRole("button", { name: "Close thread" }).click();
  await pane(pageB).waitFor({ state: "detached" });
  await msgOf(pageB, root).waitFor();
  await pageB.screenshot({ path: join(dir, "threads-room-360.png") });
  await pageB.setViewportSize({ width: 1280, height: 800 });
});

test("a search hit in a thread opens the thread", { timeout: 120_000 }, async () => {
  const word = `zeppelin${run}`;
  const root = `Where is the hangar? ${run}`;
  await send(pageA, root);
  await msgOf(pageA, root).hover();
  await msgOf(pageA, root).getByRole("button", { name: "Reply in thread" }).click();
  await pane(pageA).locator("#thread-input").fill(`the ${word} hangar is north`);
  await pane(pageA).locator("#thread-input").press("Enter");
  await replyOf(pageA, word).waitFor();

  await pageB.getByRole("button", { name: "Search messages" }).first().click();
  const dialog = pageB.getByRole("dialog", { name: "Search messages" });
  const input = dialog.getByRole("searchbox", { name: "Search for" });
  await input.fill(word);
  await waitFor(async () => {
    await input.press("Enter");
    await pageB.waitForTimeout(400);
    return (await dialog.locator(".search-result").count()) === 1;
  }, "the reply found");
  await dialog.locator(".search-result").click();
  await replyOf(pageB, word).waitFor();
  await msgOf(pageB, root).waitFor();
  await pane(pageB).getByRole("button", { name: "Close thread" }).click();
});

test("a thread reply's notification opens the room at the parent, the thread on the reply", { timeout: 120_000 }, async () => {
  const root = `Who brings the projector? ${run}`;
  await send(pageA, root);
  await msgOf(pageB, root).waitFor();
  await msgOf(pageB, root).hover();
  await msgOf(pageB, root).getByRole("button", { name: "Reply in thread" }).click();
  const r = `I have one in the car ${run}`;
  await pane(pageB).locator("#thread-input").fill(r);
  await pane(pageB).locator("#thread-input").press("Enter");
  await replyOf(pageB, r).waitFor();
  const { roomId, parentSeq, seq } = await waitFor(
    () =>
      pageA.evaluate(
        ({ root, r }) => {
          const st = window.backchannel.state;
          const roomId = Object.keys(st.rooms).find((id) => st.rooms[id].name === "crew");
          const ms = st.messages[roomId] ?? [];
          const p = ms.find((m) => m.text === root);
          const reply = ms.find((m) => m.text === r);
          return p && reply ? { roomId, parentSeq: p.seq, seq: reply.seq } : null;
        },
        { root, r },
      ),
    "Ann has the reply",
  );
  // Ann is elsewhere, no thread open.
  if (await pane(pageA).count()) await pane(pageA).getByRole("button", { name: "Close thread" }).click();
  await pageA.locator('nav.sidebar .room-link[data-room="general"]').click();
  await pageA.getByRole("heading", { name: /#general/ }).waitFor();

  // The push (as the server sends it for a thread reply) shows with the
  // thread in data; a click opens it in this tab.
  await pageA.context().grantPermissions(["notifications"], { origin: new URL(stack.info.webUrl).origin });
  // The grant reaches the worker on its own time: wait for it there (a push
  // shown before it would be refused).
  await waitFor(async () => (await (await worker(pageA)).evaluate(() => Notification.permission)) === "granted", "the worker allowed to notify");
  await (await worker(pageA)).evaluate(
    ({ roomId, parentSeq, seq }) => {
      const data = JSON.stringify({ v: 1, roomId, seq, parentSeq, room: "crew", sender: "Bob Baker", preview: "I have one in the car", tag: roomId });
      self.dispatchEvent(new PushEvent("push", { data }));
    },
    { roomId, parentSeq, seq },
  );
  const shown = await waitFor(async () => (await notifications(pageA, roomId))[0], "the notification").catch(async (err) => {
    const w = await worker(pageA);
    const dbg = await w.evaluate(async () => ({ perm: Notification.permission, all: (await self.registration.getNotifications()).map((n) => n.tag), state: self.registration.active?.state, url: self.location.href }));
    throw new Error(`${err.message}: ${JSON.stringify(dbg)} workers=${pageA.context().serviceWorkers().length}`);
  });
  assert.deepEqual(shown.data, { roomId, seq, parentSeq });
  assert.equal(await clickNotification(pageA, roomId), true);
  await pageA.getByRole("heading", { name: /#crew/ }).waitFor();
  await replyOf(pageA, r).waitFor();
  await msgOf(pageA, root).waitFor();
  await waitFor(() => pageA.evaluate(() => window.backchannel.state.threadFocus === 0), "the reply brought into view");
  await pageA.screenshot({ path: join(dir, "threads-from-notification-1280.png") });

  // No tab open: the worker's link, loaded in this tab, does the same.
  await pane(pageA).getByRole("button", { name: "Close thread" }).click();
  await pageA.locator('nav.sidebar .room-link[data-room="general"]').click();
  await pageA.getByRole("heading", { name: /#general/ }).waitFor();
  await pageA.goto(new URL(`/?room=${encodeURIComponent(roomId)}&seq=${seq}&thread=${parentSeq}`, stack.info.webUrl).href);
  await pageA.getByRole("heading", { name: /#crew/ }).waitFor();
  await replyOf(pageA, r).waitFor();
  await msgOf(pageA, root).waitFor();
  await waitFor(async () => new URL(pageA.url()).search === "", "the address back to /");
});

test("the thread composer takes attachments, apart from the room composer's", { timeout: 120_000 }, async () => {
  for (const page of [pageA, pageB]) {
    await crewLink(page).click();
    await page.getByRole("heading", { name: /#crew/ }).waitFor();
  }
  const root = `Photos from the offsite? ${run}`;
  await send(pageA, root);
  await msgOf(pageA, root).hover();
  await msgOf(pageA, root).getByRole("button", { name: "Reply in thread" }).click();
  await pane(pageA).waitFor();
  const chip = (name) => pane(pageA).locator(".upload-chip", { hasText: name });
  await pane(pageA).locator("#thread-file").setInputFiles([
    { name: `agenda-${run}.txt`, mimeType: "text/plain", buffer: Buffer.from("09:00 coffee\n") },
    { name: `wrong-${run}.txt`, mimeType: "text/plain", buffer: Buffer.from("not this one\n") },
  ]);
  await chip(`agenda-${run}.txt`).and(pageA.locator("[data-upload-status=done]")).waitFor();
  await chip(`wrong-${run}.txt`).and(pageA.locator("[data-upload-status=done]")).waitFor();
  // Not in the room's composer.
  assert.equal(await pageA.locator(".composer .upload-chip").count(), 0, "the room composer has no chips");
  await axeCheck(pageA, "the thread composer with files");
  await pane(pageA).getByRole("button", { name: `Remove wrong-${run}.txt` }).click();
  await chip(`wrong-${run}.txt`).waitFor({ state: "detached" });
  await pageA.screenshot({ path: join(dir, "threads-attachment-1280.png") });
  // Files alone make a reply.
  await pane(pageA).getByRole("button", { name: "Reply", exact: true }).click();
  await waitFor(async () => (await pane(pageA).locator(".upload-chip").count()) === 0, "the chip to leave the thread composer");
  const att = (page) => pane(page).locator(".thread-replies article.msg:not(.pending)", { hasText: `agenda-${run}.txt` });
  await att(pageA).waitFor();
  assert.equal(await messages(pageA).locator("article.msg", { hasText: `agenda-${run}.txt` }).count(), 0, "the reply's file is not in the timeline");
  // Bob opens the thread: the file is there.
  await msgOf(pageB, root).locator(".thread-summary").click();
  await att(pageB).waitFor();
  await pane(pageA).getByRole("button", { name: "Close thread" }).click();
  await pane(pageB).getByRole("button", { name: "Close thread" }).click();
});
