// The support widget on a third-party page (issue 17): two origins, the
// demo site on http://127.0.0.1:<demo port> embedding the widget from the
// app at http://localhost:<port>. An agent (signed up in the app, online
// in the dev seed's team, acting over a raw socket of the app's page
// until the inbox UI is merged) answers; a visitor opens the widget, fills
// the pre-chat form, chats with the bot first, asks for a person, gets the
// agent, and after the agent closes rates the conversation and asks for a
// transcript; the conversation survives a reload; the widget is accessible
// (axe) on a desktop and a phone (full screen, German); an origin the
// widget does not allow (the same page as http://localhost:<demo port>) is
// refused: no launcher, a clear console line, and the config and session
// routes answer 403.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { SCREENS, axeCheck, openPage, signUpAdmin } from "./helpers.mjs";
import { startStack, waitFor } from "./stack.mjs";
import { launcher } from "./support-helpers.mjs";

let stack;
let agentPage;
before(async () => {
  stack = await startStack({ logName: "support-widget-stack.log" });
  mkdirSync(SCREENS, { recursive: true });
  // The agent: an admin of the workspace (admins manage teams), put in the
  // dev seed's team and online, on a socket of their own in the app's page.
  agentPage = await openPage(stack);
  await signUpAdmin(stack, agentPage, { name: "Bob Agent", email: "bob@example.com", password: "Correct-Horse-9" });
  await agentPage.evaluate(async () => {
    const raw = localStorage.getItem("backchannel.session") ?? sessionStorage.getItem("backchannel.session");
    const { idToken } = JSON.parse(raw);
    const { wsUrl } = await (await fetch("/config.json")).json();
    const ws = new WebSocket(`${wsUrl}?token=${encodeURIComponent(idToken)}`);
    const agent = { ws, events: [], n: 0, waiting: new Map() };
    window.agent = agent;
    ws.onmessage = (e) => {
      const f = JSON.parse(e.data);
      agent.events.push(f);
      const w = f.requestId && agent.waiting.get(f.requestId);
      if (w) (f.type === "error" ? w.reject : w.resolve)(f);
    };
    agent.req = (frame) =>
      new Promise((resolve, reject) => {
        const requestId = `a${++agent.n}`;
        agent.waiting.set(requestId, { resolve, reject: (f) => reject(new Error(`${frame.action}: ${f.code} ${f.message}`)) });
        ws.send(JSON.stringify({ ...frame, requestId }));
      });
    await new Promise((r) => (ws.onopen = r));
    const state = await agent.req({ action: "getState" });
    agent.me = state.me.userId;
    const { teams } = await agent.req({ action: "listSupportTeams" });
    const team = teams[0];
    await agent.req({ action: "saveSupportTeam", team: { ...team, agents: [...(team.agents ?? []), agent.me] } });
    await agent.req({ action: "setAgentStatus", availability: "online" });
  });
});
after(async () => {
  await stack?.stop();
});

// agentDo runs fn(agent) in the agent's page.
const agentDo = (fn, arg) => agentPage.evaluate(fn, arg);

const shot = (page, name) => page.screenshot({ path: join(SCREENS, `support-widget-${name}.png`) });


test("the ready file names the demo site, the widget and the app's origin", () => {
  const { demoUrl, widgetId, appOrigin, webUrl } = stack.info;
  assert.match(demoUrl, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.match(widgetId, /^wid_/);
  assert.equal(appOrigin, webUrl.replace("127.0.0.1", "localhost"));
});

test("a visitor on the demo site chats through the widget", async () => {
  const page = await openPage(stack);
  const consoleLines = [];
  page.on("console", (m) => consoleLines.push(m.text()));
  await page.goto(stack.info.demoUrl);
  // The script comes from the other origin.
  const src = await page.locator("script[data-widget]").getAttribute("src");
  assert.equal(new URL(src).origin, new URL(stack.info.appOrigin).origin);
  await launcher(page).waitFor();
  assert.equal(await page.locator("#backchannel-widget").getAttribute("data-state"), "ready");
  // The host page's styles (its red buttons, Georgia) stay out of the shadow root.
  const font = await launcher(page).evaluate((el) => getComputedStyle(el).fontFamily);
  assert.doesNotMatch(font, /Georgia/);
  await shot(page, "1-launcher");
  await axeCheck(page, "the demo site with the widget's launcher");

  // Keyboard: focus the launcher, Enter opens the panel, focus moves in.
  await launcher(page).focus();
  await page.keyboard.press("Enter");
  const panel = page.getByRole("dialog");
  await panel.waitFor();
  assert.equal(await launcher(page).getAttribute("aria-expanded"), "true");
  await shot(page, "2-prechat");
  await axeCheck(page, "the widget's pre-chat form");

  const name = panel.getByLabel("Your name");
  if (await name.count()) await name.fill("Ann Visitor");
  const email = panel.getByLabel(/^Email/);
  if (await email.count()) await email.fill("ann@example.com");
  const topic = panel.getByLabel(/^Topic/);
  if (await topic.count()) {
    const options = await topic.locator("option").evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    if (options.length) await topic.selectOption(options[0]);
  }
  await panel.getByLabel(/^Message/).fill("How long does shipping take?");
  await panel.getByRole("button", { name: "Start chat" }).click();
  const log = panel.getByRole("log");
  await log.getByText("How long does shipping take?").waitFor();

  // The bot answers first (the demo widget's FAQ bot), under its name.
  const status = panel.locator(".bc-status");
  const botAnswer = log.locator(".bc-them", { hasText: "Orders leave our warehouse within 2 working days" });
  await botAnswer.waitFor();
  assert.equal(await botAnswer.locator(".bc-who").textContent(), "Alpenglow assistant");
  assert.equal(await status.textContent(), "Alpenglow assistant is answering");
  await shot(page, "3-bot");
  // "Talk to a person" hands over to the team's queue.
  await panel.getByRole("button", { name: "Talk to a person" }).click();
  await waitFor(async () => /Waiting for the next available person/.test((await status.textContent()) ?? ""), "queued");
  const composer = panel.getByRole("textbox", { name: "Message" });
  await composer.fill("Hello, where is my order <b>42</b>?");
  await composer.press("Enter");
  await log.locator(".bc-me:not(.bc-pending)", { hasText: "Hello, where is my order <b>42</b>?" }).waitFor();
  // Escaped: the tags are text, not elements.
  assert.equal(await log.locator("b").count(), 0);

  // The agent sees it queued in their team, claims it and answers.
  const roomId = await waitFor(
    () => agentDo(() => window.agent.events.find((f) => f.type === "supportConversation" && f.conversation.state === "queued")?.conversation.roomId),
    "the queued conversation at the agent",
  );
  await agentDo(async (roomId) => {
    await window.agent.req({ action: "claimSupport", roomId });
    await window.agent.req({ action: "sendMessage", roomId, clientId: "agent-1", text: "Hi Ann, Bob here. Let me look at order 42." });
  }, roomId);
  await log.getByText("Hi Ann, Bob here.").waitFor();
  await waitFor(async () => (await status.textContent()) === "You're chatting with Bob Agent", "the agent's name");

  // A message from the composer (Enter sends); the agent gets it.
  await composer.fill("It was order 42.");
  await composer.press("Enter");
  await log.locator(".bc-me:not(.bc-pending)", { hasText: "It was order 42." }).waitFor();
  await waitFor(() => agentDo(() => window.agent.events.some((f) => f.type === "message" && f.message.text === "It was order 42.")), "the agent receives the visitor's message");
  await shot(page, "3-chat");
  await axeCheck(page, "the widget's conversation");

  // The agent closes: the visitor rates it and asks for a transcript.
  await agentDo((roomId) => window.agent.req({ action: "closeSupport", roomId }), roomId);
  await panel.getByRole("group", { name: "How was your conversation?" }).waitFor();
  assert.equal(await composer.count(), 0, "no composer after close");
  await shot(page, "4-closed");
  await axeCheck(page, "the widget's rating form");
  await panel.getByRole("radio", { name: "5 of 5 stars" }).check();
  await panel.getByLabel("Comment (optional)").fill("Quick and kind.");
  await panel.getByRole("button", { name: "Send rating" }).click();
  await panel.getByText("Thanks for your feedback!").waitFor();
  await panel.getByRole("button", { name: "Email me a transcript" }).click();
  await panel.getByText("We'll email you a transcript.").waitFor();
  await waitFor(
    () => agentDo((roomId) => window.agent.events.some((f) => f.type === "supportConversation" && f.conversation.roomId === roomId && f.conversation.rating?.score === 5), roomId),
    "the rating reaches the agent",
  );

  // Escape closes, focus returns to the launcher.
  await page.keyboard.press("Escape");
  await panel.waitFor({ state: "detached" });
  await waitFor(() => launcher(page).evaluate((el) => el.getRootNode().activeElement === el), "focus back on the launcher");

  // A reload keeps the visitor (resume token) and the conversation.
  await page.reload();
  await launcher(page).click();
  await page.getByRole("log").getByText("It was order 42.").waitFor();
  await page.getByRole("dialog").getByText("This conversation has ended.").waitFor();
  assert.deepEqual(
    consoleLines.filter((l) => /Backchannel/.test(l)),
    [],
  );
  await page.context().close();
});

test("on a phone the open panel fills the screen", async () => {
  const page = await openPage(stack, { viewport: { width: 390, height: 780 } });
  await page.goto(`${stack.info.demoUrl}?lang=de`);
  await page.locator("#backchannel-widget").getByRole("button", { name: "Chat öffnen" }).click();
  const box = await page.getByRole("dialog").boundingBox();
  assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, 390, 780]);
  await page.getByRole("dialog").getByRole("button", { name: "Chat schließen" }).waitFor();
  await shot(page, "5-phone-de");
  await axeCheck(page, "the widget on a phone, in German");
  await page.context().close();
});

test("an origin the widget does not allow is refused", async () => {
  const refusedOrigin = stack.info.demoUrl.replace("127.0.0.1", "localhost").replace(/\/$/, "");
  const page = await openPage(stack);
  const consoleLines = [];
  page.on("console", (m) => consoleLines.push(m.text()));
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // The browser hides a refusal without CORS headers from the page (a
  // failed request); its status is checked with fetch below.
  const config = page.waitForRequest((r) => r.url().includes(`/widget/v1/${stack.info.widgetId}/config`));
  await page.goto(`${refusedOrigin}/`);
  await config;
  await waitFor(() => consoleLines.some((l) => /chat is not available on this site/.test(l)), "the refusal in the console");
  assert.equal(await page.locator("#backchannel-widget").count(), 0, "no widget on a refused origin");
  assert.deepEqual(errors, [], "nothing thrown into the host page");
  await shot(page, "6-refused");
  await page.context().close();

  // The routes themselves refuse that origin.
  const base = `${stack.info.appOrigin}widget/v1/${stack.info.widgetId}`;
  const cfg = await fetch(`${base}/config`, { headers: { Origin: refusedOrigin } });
  assert.equal(cfg.status, 403);
  assert.equal(cfg.headers.get("access-control-allow-origin"), null);
  const ch = await fetch(`${base}/challenge`, { method: "POST", headers: { Origin: refusedOrigin, "Content-Type": "application/json" }, body: "{}" });
  assert.equal(ch.status, 403);
  const sess = await fetch(`${base}/session`, { method: "POST", headers: { Origin: refusedOrigin, "Content-Type": "application/json" }, body: JSON.stringify({ challenge: "x", nonce: "1" }) });
  assert.equal(sess.status, 403);
  // The allowed origin gets its config, with CORS for exactly that origin.
  const demoOrigin = stack.info.demoUrl.replace(/\/$/, "");
  const ok = await fetch(`${base}/config`, { headers: { Origin: demoOrigin } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("access-control-allow-origin"), demoOrigin);
});

test("nobody available: the visitor leaves a message with an email, and it reaches the team", async () => {
  await agentDo(() => window.agent.req({ action: "setAgentStatus", availability: "away" }));
  const page = await openPage(stack);
  await page.goto(stack.info.demoUrl);
  await launcher(page).click();
  const panel = page.getByRole("dialog");
  await panel.getByText("We're not available right now. Leave a message and we'll reply by email.").waitFor();
  await panel.getByLabel("Your name").fill("Carla");
  await panel.getByLabel(/^Email/).fill("carla@example.com");
  await panel.getByLabel(/^Message/).fill("Do you ship to Norway?");
  await shot(page, "7-leave-message");
  await axeCheck(page, "the widget's leave-a-message form");
  await panel.getByRole("button", { name: "Send message" }).click();
  await panel.getByText("Thanks! We'll reply to carla@example.com by email.").waitFor();
  // The team's inbox has it: an email conversation, queued.
  const inbox = await agentDo(() => window.agent.req({ action: "getSupportInbox" }));
  assert.ok(
    inbox.queued.some((c) => c.channel === "email" && c.visitor?.email === "carla@example.com"),
    `an email conversation queued: ${JSON.stringify(inbox.queued)}`,
  );
  await page.context().close();
});
