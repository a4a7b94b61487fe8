// End-to-end: the agents' support inbox (issue 17) against the real local
// stack. Ada (an admin) creates two support teams in the inbox's team screen
// (Billing with Bo, Tech with Cy) and a canned answer; a widget lets a
// visitor in from a third-party origin. The visitor (a raw WebSocket with
// a visitor token from the widget's session route: challenge, proof of
// work, session) starts a conversation about billing; Bo sees it in the
// Billing queue, claims it, answers with the canned answer (`#refund`
// expands), adds an internal note the visitor never receives, transfers it
// to Tech with a note; Cy sees it in the Tech queue (the transfer note
// among the internal notes), claims it, answers, closes it; the visitor's
// rating shows up in Cy's inbox. Support rooms stay out of the sidebar.
// Screenshots (desktop and a phone) and axe checks on the way.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import { startStack, waitFor } from "./stack.mjs";
import { SCREENS, axeCheck, openPage, signUp, signUpAdmin } from "./helpers.mjs";
import { column, inbox, openInbox, queueItem } from "./support-helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ada = { email: `ada-${run}@example.com`, name: "Ada", password: "correct horse 1" };
const bo = { email: `bo-${run}@example.com`, name: "Bo", password: "battery staple 2" };
const cy = { email: `cy-${run}@example.com`, name: "Cy", password: "staple battery 3" };
const SITE = "https://shop.example.com";

before(async () => {
  // DIGEST_KEY: the master secret the visitor keys derive from (without
  // one the widget is off).
  stack = await startStack({ logName: "support-inbox-stack.log", env: { DIGEST_KEY: `e2e-digest-key-${run}-0123456789abcdef` } });
  mkdirSync(SCREENS, { recursive: true });
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

const shoot = (page, name) => page.screenshot({ path: join(SCREENS, `support-inbox-${name}.png`) });

// asPage sends one request over a second WebSocket with the page's session
// (what an admin's client would send) and returns the reply.
async function asPage(page, payload) {
  return page.evaluate(async (payload) => {
    const raw = sessionStorage.getItem("backchannel.session") ?? localStorage.getItem("backchannel.session");
    const token = JSON.parse(raw).idToken;
    const { wsUrl } = await (await fetch("/config.json")).json();
    const ws = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`);
    await new Promise((ok, fail) => ((ws.onopen = ok), (ws.onerror = fail)));
    const requestId = `e2e-${Math.random().toString(36).slice(2)}`;
    const reply = new Promise((ok) => {
      ws.onmessage = (ev) => {
        const f = JSON.parse(ev.data);
        if (f.requestId === requestId) ok(f);
      };
    });
    ws.send(JSON.stringify({ ...payload, requestId }));
    const f = await reply;
    ws.close();
    return f;
  }, payload);
}

// leadingZeroBits of a digest.
function leadingZeroBits(buf) {
  let n = 0;
  for (const b of buf) {
    if (b === 0) {
      n += 8;
      continue;
    }
    n += Math.clz32(b) - 24;
    break;
  }
  return n;
}

// Visitor: a website visitor's connection, as the widget makes it: a
// challenge, its proof of work, a session (the visitor token), then the
// WebSocket with the site's Origin. Every frame it receives is kept.
class Visitor {
  frames = [];
  #n = 0;
  #waiters = new Map();

  static async connect(webUrl, widgetId, origin) {
    webUrl = webUrl.replace(/\/$/, "");
    const post = async (path, body) => {
      const res = await fetch(`${webUrl}/widget/v1/${widgetId}/${path}`, { method: "POST", headers: { "Content-Type": "application/json", Origin: origin }, body: JSON.stringify(body) });
      const text = await res.text();
      assert.ok(res.status === 200 || res.status === 201, `${path}: ${res.status} ${text}`);
      return JSON.parse(text);
    };
    const ch = await post("challenge", {});
    let nonce = 0;
    while (leadingZeroBits(createHash("sha256").update(ch.challenge + String(nonce)).digest()) < ch.difficulty) nonce++;
    const session = await post("session", { challenge: ch.challenge, nonce: String(nonce) });
    assert.match(session.visitorId, /^vis_/);
    const v = new Visitor();
    v.id = session.visitorId;
    // make dev leaves the session's wsUrl empty: the app's config says it.
    const wsUrl = session.wsUrl || (await (await fetch(`${webUrl}/config.json`)).json()).wsUrl;
    v.ws = new WebSocket(`${wsUrl}?token=${encodeURIComponent(session.token)}`, { origin });
    v.ws.on("message", (data) => {
      const f = JSON.parse(String(data));
      v.frames.push(f);
      const w = f.requestId && v.#waiters.get(f.requestId);
      if (w) {
        v.#waiters.delete(f.requestId);
        w(f);
      }
    });
    await new Promise((ok, fail) => (v.ws.once("open", ok), v.ws.once("error", fail)));
    return v;
  }

  request(payload) {
    const requestId = `vis-${++this.#n}`;
    return new Promise((ok) => {
      this.#waiters.set(requestId, ok);
      this.ws.send(JSON.stringify({ ...payload, requestId }));
    });
  }

  // texts: the message texts the visitor received (events and replies).
  texts() {
    return this.frames.filter((f) => (f.type === "message" || f.type === "ack") && f.message).map((f) => f.message.text);
  }

  close() {
    this.ws.close();
  }
}

const pages = [];
test("a visitor's conversation goes from the queue to Bo, to Tech and Cy, closed and rated", { timeout: 600_000 }, async () => {
  try {
    await story();
  } catch (err) {
    // Every page as it was when it failed.
    for (const [i, p] of pages.entries()) await p.screenshot({ path: join(SCREENS, `support-inbox-failed-${i}.png`) }).catch(() => {});
    throw err;
  }
});

async function story() {
  const pageA = await openPage(stack);
  await signUpAdmin(stack, pageA, ada);
  const pageB = await openPage(stack);
  await signUp(stack, pageB, bo);
  const pageC = await openPage(stack);
  pages.push(pageA, pageB, pageC);
  await signUp(stack, pageC, cy);

  // Ada (an admin: the nav entry shows) creates the teams in the inbox.
  await pageA.reload();
  await openInbox(pageA);
  await inbox(pageA).getByRole("button", { name: "Support teams" }).click();
  const teams = pageA.getByRole("dialog", { name: "Support teams" });
  const makeTeam = async (name, topics, agent) => {
    await teams.getByRole("button", { name: "New team" }).click();
    await teams.getByLabel("Name", { exact: true }).fill(name);
    await teams.getByLabel("Topics").fill(topics);
    await teams.getByLabel(`Agents: ${agent}`).check();
    await teams.getByLabel("Assign new conversations round-robin to online agents").uncheck();
    if (name === "Billing") {
      // Business hours on weekdays in Berlin, to show the form.
      await teams.getByText("Open on set hours").click();
      await teams.getByLabel("Time zone").selectOption("Europe/Berlin");
      await shoot(pageA, "team-form");
      await teams.getByText("Always open").click();
    }
    await teams.getByRole("button", { name: "Save team" }).click();
    await teams.locator(`li[data-team="${name}"]`).waitFor();
  };
  await makeTeam("Billing", "billing, refunds", "Bo");
  await makeTeam("Tech", "tech", "Cy");
  await axeCheck(pageA, "the support teams");
  await teams.getByRole("button", { name: "Close" }).first().click();

  // A canned answer for every team.
  await inbox(pageA).getByRole("button", { name: "Canned answers" }).click();
  const canned = pageA.getByRole("dialog", { name: "Canned answers" });
  await canned.getByLabel("Shortcut").fill("refund");
  await canned.getByLabel("Title").fill("Refunds");
  await canned.getByLabel("Text").fill(`Refunds reach your card within 5 business days (${run}).`);
  await canned.getByRole("button", { name: "Add answer" }).click();
  await canned.locator('li[data-shortcut="refund"]').waitFor();
  await canned.getByRole("button", { name: "Close" }).first().click();

  const teamList = (await asPage(pageA, { action: "listSupportTeams" })).teams;
  const billing = teamList.find((t) => t.name === "Billing");
  const tech = teamList.find((t) => t.name === "Tech");
  assert.ok(billing && tech, `the teams: ${JSON.stringify(teamList)}`);

  // The widget the visitor comes through (its own admin screen is another
  // helper's; the action is the same).
  const created = await asPage(pageA, {
    action: "createWidget",
    widget: { name: `Shop ${run}`, allowedOrigins: [SITE], appearance: { primaryColor: "#3b6fd8", position: "right", title: "Help" }, bot: { kind: "" }, languages: ["en"], preChat: ["name", "email", "topic"], topics: [{ id: "billing", label: "Billing", teamId: billing.id }, { id: "tech", label: "Tech", teamId: tech.id }], defaultTeamId: billing.id },
  });
  assert.equal(created.type, "widget", JSON.stringify(created));
  const widgetId = created.widget.id;

  // Bo and Cy are agents now: after a reload the nav entry shows; both go online.
  for (const page of [pageB, pageC]) {
    await page.reload();
    await openInbox(page);
    await inbox(page).getByRole("radio", { name: "Online" }).check();
    await waitFor(() => inbox(page).locator('.support-status[data-availability="online"]').count(), "online");
  }

  // The visitor starts a conversation about billing.
  const visitor = await Visitor.connect(stack.info.webUrl, widgetId, SITE);
  const started = await visitor.request({ action: "startSupport", clientId: `v-${run}-1`, topic: "billing", name: "Vera", email: `vera-${run}@example.com`, page: { url: `${SITE}/checkout`, title: "Checkout" }, lang: "en", text: `I was charged twice ${run}` });
  assert.equal(started.type, "supportStarted", JSON.stringify(started));
  const roomId = started.conversation.roomId;
  assert.equal(started.conversation.state, "queued");

  // Bo sees it in the Billing queue (live), with the page and the wait.
  await queueItem(pageB, "Vera").waitFor();
  assert.match(await queueItem(pageB, "Vera").textContent(), /Checkout/);
  assert.match(await queueItem(pageB, "Vera").textContent(), /waiting/);
  // Cy (Tech) does not.
  assert.equal(await queueItem(pageC, "Vera").count(), 0);
  await shoot(pageB, "queue");
  await axeCheck(pageB, "the support queue");

  // Bo claims it: it becomes his, with the visitor's first message.
  await queueItem(pageB, "Vera").getByRole("button", { name: "Claim the conversation with Vera" }).click();
  const colB = column(pageB, "Vera");
  await colB.getByText(`I was charged twice ${run}`).waitFor();
  await waitFor(() => visitor.frames.some((f) => f.type === "supportConversation" && f.conversation?.state === "open"), "the visitor told it is open");

  // The visitor types: Bo sees it.
  visitor.ws.send(JSON.stringify({ action: "typing", roomId }));
  await colB.getByText("Vera is typing…").waitFor();

  // Bo answers with the canned answer: `#ref` offers it, Enter takes it.
  const box = colB.locator("textarea");
  await box.click();
  await box.pressSequentially("#ref");
  await colB.getByRole("option", { name: /#refund/ }).waitFor();
  await box.press("Enter");
  assert.match(await box.inputValue(), /Refunds reach your card/);
  await box.press("Enter");
  await colB.locator(".conv-msg.agent", { hasText: "Refunds reach your card" }).waitFor();
  await waitFor(() => visitor.texts().some((t) => t.includes(`Refunds reach your card within 5 business days (${run})`)), "the visitor received the canned answer");

  // A note: only agents see it.
  await colB.getByRole("button", { name: "Note", exact: true }).click();
  await box.fill(`VIP customer, secret ${run}`);
  await colB.getByRole("button", { name: "Add note" }).click();
  const note = colB.locator(".conv-msg.note", { hasText: `VIP customer, secret ${run}` });
  await note.waitFor();
  assert.match(await note.textContent(), /Only agents see this/);
  await colB.getByRole("button", { name: "Note", exact: true }).click();
  await shoot(pageB, "conversation");
  await axeCheck(pageB, "a conversation with a note");

  // The visitor writes again; Bo sees it with an unread badge when looking elsewhere.
  await visitor.request({ action: "sendMessage", roomId, clientId: `v-${run}-2`, text: `Thanks, and the second charge? ${run}` });
  await colB.getByText(`Thanks, and the second charge? ${run}`).waitFor();

  // Bo escalates it: high priority, with a note for the leads.
  await colB.getByRole("button", { name: "Escalate" }).click();
  const esc = pageB.getByRole("dialog", { name: "Escalate the conversation" });
  await esc.getByLabel("Why does this need attention?").fill(`Charged twice, angry ${run}`);
  await esc.getByRole("button", { name: "Escalate" }).click();
  await colB.locator(".chip.high").waitFor();

  // Bo transfers it to Tech with a note.
  await colB.getByRole("button", { name: "Transfer" }).click();
  const tr = pageB.getByRole("dialog", { name: "Transfer the conversation" });
  await tr.getByLabel("Team", { exact: true }).selectOption({ label: "Tech" });
  await tr.getByLabel("Note for the next agent").fill(`Double charge, see order ${run}`);
  await tr.getByRole("button", { name: "Transfer" }).click();
  await waitFor(async () => (await column(pageB, "Vera").count()) === 0, "the conversation left Bo's inbox");

  // Cy sees it in the Tech queue (high priority), reads the transfer note, claims and answers.
  await queueItem(pageC, "Vera").waitFor();
  assert.match(await queueItem(pageC, "Vera").textContent(), /High priority/);
  await queueItem(pageC, "Vera").getByRole("button", { name: "Claim the conversation with Vera" }).click();
  const colC = column(pageC, "Vera");
  await colC.locator(".conv-msg.note", { hasText: `Double charge, see order ${run}` }).waitFor();
  await colC.locator(".conv-msg.note", { hasText: `VIP customer, secret ${run}` }).waitFor();
  // The history says who passed it on, and to whom; the visitor's messages carry their name.
  await colC.locator('.conv-system[data-kind="transferred"]', { hasText: "Bo transferred the conversation to Tech" }).waitFor();
  await colC.locator(".conv-msg.visitor .conv-sender", { hasText: "Vera" }).first().waitFor();
  await colC.locator("textarea").fill(`Cy from Tech here: the second charge is refunded ${run}`);
  await colC.locator("textarea").press("Enter");
  await waitFor(() => visitor.texts().some((t) => t.includes(`Cy from Tech here: the second charge is refunded ${run}`)), "the visitor received Cy's answer");

  // Visitor details and past conversations.
  await colC.getByText("Visitor details").click();
  await colC.getByText(`vera-${run}@example.com`).waitFor();
  await colC.getByRole("link", { name: "Checkout" }).waitFor();
  await colC.getByRole("button", { name: "Show past conversations" }).click();
  await colC.getByText("No other conversations.").waitFor();

  // Cy closes it; the visitor rates it; the rating shows in Cy's inbox.
  await colC.getByRole("button", { name: "Close", exact: true }).click();
  await pageC.getByRole("dialog", { name: "Close" }).locator(".btn.danger").click();
  await waitFor(() => visitor.frames.some((f) => f.type === "supportConversation" && f.conversation?.state === "closed"), "the visitor told it is closed");
  const rated = await visitor.request({ action: "rateSupport", roomId, score: 5, comment: `Quick and kind ${run}` });
  assert.notEqual(rated.type, "error", JSON.stringify(rated));
  await colC.locator('.conv-system[data-kind="closed"]', { hasText: "Cy closed the conversation" }).waitFor();
  const rating = colC.locator(".conv-rating");
  await rating.waitFor();
  assert.match(await rating.textContent(), /5 of 5/);
  assert.match(await rating.textContent(), new RegExp(`Quick and kind ${run}`));
  await shoot(pageC, "rated");

  // The visitor never received a note, nor the transfer's note.
  const all = JSON.stringify(visitor.frames);
  assert.ok(!all.includes(`VIP customer, secret ${run}`), "the note reached the visitor");
  assert.ok(!all.includes(`Double charge, see order ${run}`), "the transfer note reached the visitor");
  const hist = await visitor.request({ action: "history", roomId });
  assert.ok(!JSON.stringify(hist).includes("secret"), "the note is in the visitor's history");

  // The support room is nowhere in the agents' sidebars.
  for (const page of [pageB, pageC]) assert.equal(await page.locator(`nav.sidebar .room-link[data-room="${roomId}"]`).count(), 0);

  // A phone: the queue tab first, the conversation behind its tab.
  await pageC.setViewportSize({ width: 375, height: 740 });
  await inbox(pageC).getByRole("tab", { name: /^Queue/ }).click();
  await shoot(pageC, "phone-queue");
  await inbox(pageC).getByRole("tab", { name: /Vera/ }).click();
  await column(pageC, "Vera").locator(".conv-rating").waitFor();
  await shoot(pageC, "phone-conversation");
  await axeCheck(pageC, "the inbox on a phone");
  visitor.close();
}
