// End-to-end: two people sign up in two browser contexts against the local
// stack, chat, see typing and receipts, DM, survive a forced disconnect
// without losing a message, render an XSS payload as text, fit 360 px, and
// pass axe with no violations at all.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, composer, messages, openPage, send, signUp as signUpOn } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ana = { email: `ana-${run}@example.com`, name: "Ana", password: "correct horse 1" };
const bo = { email: `bo-${run}@example.com`, name: "Bo", password: "battery staple 2" };
let pageA, pageB, ctxB, dialogs = [];
// While true, Bo's browser cannot reach the WebSocket server (its
// reconnects fail), so messages sent meanwhile can only come back via resume.
let holdBo = false;
// Dialogs are dismissed and recorded (the XSS test wants none), except
// confirm() while a test expects one.
let acceptConfirm = false;

before(async () => {
  stack = await startStack();
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

async function newPage(viewport = { width: 1280, height: 800 }) {
  const page = await openPage(stack, { viewport });
  page.on("dialog", (d) => {
    if (acceptConfirm && d.type() === "confirm") return void d.accept();
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { ctx: page.context(), page };
}

const signUp = (page, who) => signUpOn(stack, page, who);

test("the sign-in screen is accessible", async () => {
  const { ctx, page } = await newPage();
  await page.goto(stack.info.webUrl);
  await page.getByRole("button", { name: "Sign in" }).first().waitFor();
  await axeCheck(page, "the sign-in screen");
  // Cognito's error comes out as a sentence people understand.
  await page.getByLabel("Email").fill(`nobody-${run}@example.com`);
  await page.getByLabel("Password").fill("wrong password");
  await page.locator("form").getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "Wrong email or password." }).waitFor();
  await page.getByRole("button", { name: "Create account" }).click();
  await axeCheck(page, "the sign-up screen");
  await ctx.close();
});

test("two people sign up and chat in #general, with typing and receipts", async () => {
  ({ page: pageA } = await newPage());
  const b = await newPage();
  ctxB = b.ctx;
  pageB = b.page;
  // Every WebSocket of Bo's goes through this route, so the test can cut him off.
  await pageB.routeWebSocket(/\/local/, (ws) => {
    if (holdBo) {
      ws.close({ code: 1011, reason: "held by the test" });
      return;
    }
    ws.connectToServer();
  });
  await signUp(pageA, ana);
  await signUp(pageB, bo);

  await send(pageA, "hello from **Ana**");
  await messages(pageB).getByText("hello from").waitFor();
  assert.equal(await messages(pageB).locator("strong", { hasText: "Ana" }).count(), 1);

  // Bo types: Ana sees it.
  await composer(pageB).pressSequentially("hi An", { delay: 20 });
  await pageA.getByText("Bo is typing…").waitFor();
  await composer(pageB).pressSequentially("a!");
  await composer(pageB).press("Enter");
  await messages(pageA).getByText("hi Ana!").waitFor();
  // The typing line goes away once his message arrived.
  await waitFor(async () => (await pageA.getByText("Bo is typing…").count()) === 0, "the typing line to clear");

  // Bo has read Ana's message: Ana sees the receipt.
  await waitFor(async () => (await pageA.locator(".seen", { hasText: "Seen by Bo" }).count()) > 0, "Seen by Bo on Ana's screen");
  // And Ana read Bo's: Bo sees hers.
  await waitFor(async () => (await pageB.locator(".seen", { hasText: "Seen by Ana" }).count()) > 0, "Seen by Ana on Bo's screen");

  // Own messages can be edited inline.
  const mine = messages(pageA).locator("article.msg", { hasText: "hello from" });
  await mine.hover();
  await mine.getByRole("button", { name: "Edit" }).click();
  await pageA.getByLabel("Edit message").fill("hello from Ana (edited)");
  await pageA.getByLabel("Edit message").press("Enter");
  await messages(pageB).getByText("hello from Ana (edited)").waitFor();
  await messages(pageB).getByText("(edited)", { exact: true }).waitFor();

  await axeCheck(pageA, "the chat screen");

  // The emoji picker works from the keyboard.
  await pageA.getByRole("button", { name: "Insert emoji" }).click();
  await pageA.getByRole("dialog", { name: "Emoji" }).waitFor();
  await axeCheck(pageA, "the emoji picker");
  await pageA.keyboard.type("thumbs up");
  await pageA.keyboard.press("ArrowDown");
  await pageA.keyboard.press("Enter");
  await waitFor(async () => (await composer(pageA).inputValue()) === "\u{1F44D}", "the emoji in the composer");
  assert.equal(await pageA.getByRole("dialog", { name: "Emoji" }).count(), 0);
  await composer(pageA).press("Enter");
  await messages(pageB).locator(".msg-text", { hasText: "\u{1F44D}" }).waitFor();
});

test("a direct message reaches the other person with an unread badge", async () => {
  await pageA.locator("aside.members button.member", { hasText: "Bo" }).click();
  await pageA.getByRole("heading", { name: /Bo/ }).waitFor();
  await send(pageA, "psst, just between us");
  await messages(pageA).locator("article.msg:not(.pending)", { hasText: "psst" }).waitFor();
  const dmLink = pageB.locator("nav.sidebar .room-link", { hasText: "Ana" });
  await dmLink.locator(".badge").waitFor();
  await waitFor(async () => /^\(1\) #general · Backchannel$/.test(await pageB.title()), "the unread count in Bo's title");
  await dmLink.click();
  await messages(pageB).getByText("psst, just between us").waitFor();
  await send(pageB, "got it");
  await messages(pageA).getByText("got it").waitFor();
});

test("channels: create, browse and join, invite to a private one, rename, leave; mentions", async () => {
  // Ana creates a public channel; Bo finds it and joins.
  await pageA.getByRole("button", { name: "Create a channel" }).click();
  await pageA.getByLabel("Name").fill("Ops Team");
  await pageA.getByLabel("Topic (optional)").fill("pager duty");
  await axeCheck(pageA, "the create-channel dialog");
  await pageA.getByRole("button", { name: "Create", exact: true }).click();
  await pageA.getByRole("heading", { name: /#ops-team/ }).waitFor();
  await pageB.getByRole("button", { name: "Browse channels" }).click();
  await pageB.getByRole("button", { name: "Join #ops-team" }).waitFor();
  await axeCheck(pageB, "the browse dialog");
  await pageB.getByRole("button", { name: "Join #ops-team" }).click();
  await pageB.getByRole("heading", { name: /#ops-team/ }).waitFor();
  await pageA.locator("aside.members button.member", { hasText: "Bo" }).waitFor();

  // @mention autocomplete: Bo types "@An", picks Ana with Enter, which
  // inserts her handle (derived from "Ana" at sign-up).
  await composer(pageB).pressSequentially("ping @An");
  await pageB.getByRole("option", { name: /Ana @ana/ }).waitFor();
  await composer(pageB).press("Enter");
  assert.match(await composer(pageB).inputValue(), /^ping @ana $/);
  await composer(pageB).pressSequentially("please look");
  await composer(pageB).press("Enter");
  await messages(pageA).locator(".mention.me", { hasText: "@ana" }).waitFor();

  // Rename and topic: Bo sees both.
  await pageA.getByRole("button", { name: "Channel settings" }).click();
  await pageA.getByLabel("Name").fill("ops");
  await pageA.getByLabel("Topic (optional)").fill("incidents only");
  await pageA.getByRole("button", { name: "Save", exact: true }).click();
  await pageB.getByRole("heading", { name: /#ops$/ }).waitFor();
  await pageB.locator(".room-head .topic", { hasText: "incidents only" }).waitFor();
  // And the change as a line in the timeline (issue 10, item 12).
  await messages(pageB).locator(".sys-line", { hasText: "Ana changed the topic to “incidents only”" }).waitFor();
  await messages(pageB).locator(".sys-line", { hasText: "Ana renamed the channel to #ops" }).waitFor();

  // Bo leaves; Ana sees the member count drop.
  // The leave button asks "Leave #ops?" in an in-app dialog (no confirm()).
  await pageB.getByRole("button", { name: "Leave channel" }).click();
  const ask = pageB.getByRole("dialog", { name: "Leave #ops?" });
  await ask.waitFor();
  await axeCheck(pageB, "the leave confirmation");
  await ask.getByRole("button", { name: "Leave channel" }).click();
  await waitFor(async () => (await pageB.locator("nav.sidebar .room-link", { hasText: "ops" }).count()) === 0, "ops to leave Bo's sidebar");
  assert.deepEqual(dialogs, [], "no browser dialogs");
  await pageA.getByRole("button", { name: "1 member", exact: true }).waitFor();

  // A private channel, with Bo invited from the user list.
  await pageA.getByRole("button", { name: "Create a channel" }).click();
  await pageA.getByLabel("Name").fill("secret");
  await pageA.getByLabel(/Private/).check();
  await pageA.getByRole("button", { name: "Create", exact: true }).click();
  await pageA.getByRole("heading", { name: /#secret/ }).waitFor();
  await pageA.getByRole("button", { name: "Invite people" }).click();
  await pageA.getByRole("checkbox", { name: /Bo/ }).waitFor();
  await axeCheck(pageA, "the invite dialog");
  await pageA.getByRole("checkbox", { name: /Bo/ }).check();
  await pageA.getByRole("button", { name: "Invite", exact: true }).click();
  // An invitation to a private channel: Bo accepts it.
  await pageB.locator(".invite", { hasText: "secret" }).getByRole("button", { name: "Accept" }).click();
  await pageB.locator("nav.sidebar .room-link", { hasText: "secret" }).waitFor();
});

test("a forced server-side disconnect loses no message, either way", async () => {
  await pageB.locator("nav.sidebar .room-link", { hasText: "general" }).click();
  await pageA.locator("nav.sidebar .room-link", { hasText: "general" }).click();
  const connectionId = await pageB.evaluate(() => window.backchannel.connectionId);
  assert.ok(connectionId, "Bo's connection id");

  holdBo = true;
  const res = await fetch(`${stack.info.callbackUrl}/@connections/${encodeURIComponent(connectionId)}`, { method: "DELETE" });
  assert.ok(res.status === 204 || res.status === 200, `DELETE @connections answered ${res.status}`);
  await pageB.getByText("You are offline. Reconnecting…").waitFor();

  // While Bo is away: Ana talks, and Bo writes something too.
  for (const n of [1, 2, 3]) await send(pageA, `while you were away ${n}`);
  await waitFor(async () => (await messages(pageA).locator("article.msg.pending").count()) === 0, "Ana's sends to be acked");
  await send(pageB, "written while offline");
  await messages(pageB).locator("article.msg.pending", { hasText: "written while offline" }).waitFor();

  holdBo = false;
  for (const n of [1, 2, 3]) await messages(pageB).getByText(`while you were away ${n}`).waitFor({ timeout: 60_000 });
  await waitFor(() => pageB.evaluate(() => window.backchannel.status === "online"), "Bo back online", 60_000);
  assert.notEqual(await pageB.evaluate(() => window.backchannel.connectionId), connectionId);
  // Bo's offline message went out exactly once, with its original clientId.
  await messages(pageA).getByText("written while offline").waitFor();
  await messages(pageB).locator("article.msg:not(.pending)", { hasText: "written while offline" }).waitFor();
  assert.equal(await messages(pageA).getByText("written while offline").count(), 1);
  assert.equal(await messages(pageB).getByText("written while offline").count(), 1);
  // Seqs on Bo's screen are contiguous: nothing was skipped.
  const seqs = (await messages(pageB).locator("article.msg[data-seq]").evaluateAll((els) => els.map((e) => Number(e.dataset.seq)))).sort((a, b) => a - b);
  for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1, `seq gap on Bo's screen: ${seqs}`);
});

test("an XSS payload renders as inert text", async () => {
  dialogs = [];
  const payload = `<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2</script> [x](javascript:alert(3)) javascript:alert(4)`;
  await send(pageA, payload);
  const msg = messages(pageB).locator("article.msg", { hasText: "<img src=x" });
  await msg.waitFor();
  assert.equal(await msg.locator(".msg-text").innerText(), payload);
  assert.equal(await msg.locator("img, script").count(), 0);
  assert.equal(await pageB.locator(".messages script, .messages img").count(), 0);
  assert.equal(await msg.locator("a").count(), 0);
  assert.equal(await pageB.evaluate(() => window.__xss), undefined);
  assert.deepEqual(dialogs, []);
});

test("usable at 360 px: the sidebar is a drawer", async () => {
  await pageB.setViewportSize({ width: 360, height: 740 });
  const toggle = pageB.getByRole("button", { name: "Open the room list" });
  await toggle.waitFor();
  assert.equal(await pageB.locator("nav.sidebar").isVisible(), false);
  const width = await pageB.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `page is ${width}px wide at a 360px viewport`);
  await pageB.screenshot({ path: join(ARTIFACTS, "chat-360.png") });
  await toggle.click();
  await pageB.locator("nav.sidebar").waitFor({ state: "visible" });
  await pageB.waitForTimeout(300); // the drawer's slide-in transition, for the picture only
  await pageB.screenshot({ path: join(ARTIFACTS, "drawer-360.png") });
  await axeCheck(pageB, "the 360 px drawer");
  await pageB.getByRole("button", { name: "Close the room list" }).click();
  await pageB.setViewportSize({ width: 1280, height: 800 });
  await pageA.screenshot({ path: join(ARTIFACTS, "chat-1280.png") });
});

test("settings: dark theme and bubbles are remembered per user", async () => {
  await pageA.getByRole("button", { name: "Settings", exact: true }).click();
  await pageA.getByRole("dialog", { name: "Settings", exact: true }).waitFor();
  await axeCheck(pageA, "the settings dialog");
  await pageA.getByLabel("Dark").check();
  await pageA.getByLabel("Bubbles").check();
  await pageA.getByRole("button", { name: "Close" }).click();
  assert.equal(await pageA.evaluate(() => document.documentElement.dataset.theme), "dark");
  await pageA.screenshot({ path: join(ARTIFACTS, "chat-dark-bubbles.png") });
  await axeCheck(pageA, "the dark theme");
  await pageA.reload();
  await pageA.getByRole("heading", { name: /#general/ }).waitFor();
  assert.equal(await pageA.evaluate(() => document.documentElement.dataset.layout), "bubble");
  assert.equal(await pageA.evaluate(() => document.documentElement.dataset.theme), "dark");

  // The other language: every string comes from the catalog.
  await pageA.getByRole("button", { name: "Settings", exact: true }).click();
  await pageA.getByLabel("Language").selectOption("de");
  await pageA.getByRole("dialog", { name: "Einstellungen" }).waitFor();
  await pageA.getByRole("button", { name: "Schließen" }).click();
  await pageA.getByRole("button", { name: "Leute einladen" }).waitFor();
  assert.equal(await pageA.evaluate(() => document.documentElement.lang), "de");
  await pageA.screenshot({ path: join(ARTIFACTS, "chat-de.png") });
  await pageA.getByRole("button", { name: "Einstellungen", exact: true }).click();
  await pageA.getByLabel("Sprache").selectOption("en");
  await pageA.getByRole("button", { name: "Close" }).click();
});

test("history pages back on scroll and keeps the view still", async () => {
  await pageA.getByRole("button", { name: "Create a channel" }).click();
  await pageA.getByLabel("Name").fill("history");
  await pageA.getByRole("button", { name: "Create", exact: true }).click();
  await pageA.getByRole("heading", { name: /#history/ }).waitFor();
  const roomId = await pageA.locator("nav.sidebar .room-link", { hasText: "history" }).getAttribute("data-room");

  // Fill the room from a second connection of Ana's.
  const total = 60;
  await sendFromSecondConnection(pageA, roomId, Array.from({ length: total }, (_, i) => `filler ${i + 1}`));

  // A fresh load sees only the newest page; scrolling up brings the rest.
  await pageA.reload();
  await pageA.locator("nav.sidebar .room-link", { hasText: "history" }).click();
  await messages(pageA).getByText(`filler ${total}`, { exact: true }).waitFor();
  const oldest = await messages(pageA).locator("article.msg[data-seq]").first().getAttribute("data-seq");
  assert.ok(Number(oldest) > 1, `the first page should not reach seq 1 (got ${oldest})`);
  const anchor = messages(pageA).locator(`article.msg[data-seq="${oldest}"]`);
  await messages(pageA).evaluate((el) => (el.scrollTop = 0));
  const before = (await anchor.boundingBox()).y;
  await messages(pageA).getByText("filler 1", { exact: true }).waitFor();
  await pageA.getByText("This is the beginning of #history.").waitFor();
  const after = (await anchor.boundingBox()).y;
  assert.ok(Math.abs(after - before) < 4, `the view jumped by ${after - before}px when older messages loaded`);
  const seqs = await messages(pageA).locator("article.msg[data-seq]").evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
  assert.deepEqual(seqs, Array.from({ length: total }, (_, i) => i + 1));

  // Scrolled up, a new message arrives: a button offers the way down.
  await sendFromSecondConnection(pageA, roomId, ["the newest one"]);
  await pageA.getByRole("button", { name: /Jump to latest/ }).click();
  await messages(pageA).getByText("the newest one").waitFor();
  await waitFor(() => messages(pageA).evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 48), "the list scrolled to the bottom");
  await waitFor(async () => (await pageA.getByRole("button", { name: /Jump to latest/ }).count()) === 0, "the jump button to go");
});

// sendFromSecondConnection opens another WebSocket with the page's session
// and sends texts one by one, waiting for each ack; rate-limited sends are
// retried with the same clientId.
async function sendFromSecondConnection(page, roomId, texts) {
  await page.evaluate(
    async ({ roomId, texts, tag }) => {
      const token = JSON.parse(sessionStorage.getItem("backchannel.session")).idToken;
      const { wsUrl } = await (await fetch("/config.json")).json();
      const ws = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`);
      await new Promise((ok, fail) => ((ws.onopen = ok), (ws.onerror = fail)));
      const reply = (requestId) =>
        new Promise((ok) => {
          const on = (ev) => {
            const f = JSON.parse(ev.data);
            if (f.requestId === requestId) {
              ws.removeEventListener("message", on);
              ok(f);
            }
          };
          ws.addEventListener("message", on);
        });
      for (const [n, text] of texts.entries()) {
        for (let attempt = 0; ; attempt++) {
          const requestId = `${tag}-${n}-${attempt}`;
          ws.send(JSON.stringify({ action: "sendMessage", requestId, roomId, clientId: `${tag}-${n}`, text }));
          const f = await reply(requestId);
          if (f.type === "ack") break;
          if (f.code !== "rate_limited") throw new Error(`send ${n}: ${f.code} ${f.message}`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      ws.close();
    },
    { roomId, texts, tag: Math.random().toString(36).slice(2, 10) },
  );
}

test("sign out, then sign in again with remember me: a new tab is signed in", async () => {
  await pageB.getByRole("button", { name: "Sign out" }).click();
  await pageB.getByLabel("Email").fill(bo.email);
  await pageB.getByLabel("Password").fill(bo.password);
  await pageB.getByLabel("Remember me on this device").check();
  await pageB.locator("form").getByRole("button", { name: "Sign in" }).click();
  await pageB.getByRole("heading", { name: /#general/ }).waitFor();
  assert.ok(await pageB.evaluate(() => localStorage.getItem("backchannel.session")), "the remembered session is in localStorage");
  const tab = await ctxB.newPage();
  await tab.goto(stack.info.webUrl);
  await tab.getByRole("heading", { name: /#general/ }).waitFor();
  await tab.close();
});
