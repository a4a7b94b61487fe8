// End-to-end check of the support widgets' admin settings (issue 17): an
// admin creates a widget in the admin console with every setting (allowed
// site, colour, position, title, languages and greetings, pre-chat fields,
// a topic, the FAQ bot), sees its identity secret once and the embed code
// with copy buttons; the widget's public config (GET /widget/v1/{id}/config,
// served by make dev beside the app) shows the settings to the allowed
// origin only; an identified visitor signed with the secret gets a
// session; a new secret refuses the old signature; editing changes the
// config; deleting refuses every origin. Its own stack.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { join } from "node:path";
import { startStack, waitFor } from "./stack.mjs";
import { SCREENS, axeCheck, openPage, signUpAdmin } from "./helpers.mjs";

let stack, page;
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann Admin", password: "correct horse 1" };
const shop = "https://shop.example.com";
const dir = SCREENS;
let widgetId, secret;

before(async () => {
  stack = await startStack({ logName: "support-widget-admin-stack.log" });
  page = await openPage(stack);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(stack.info.webUrl).origin });
  await signUpAdmin(stack, page, ann);
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

// widgetAPI calls the widget's public routes as a browser on origin would.
async function widgetAPI(method, path, origin, body) {
  const res = await fetch(new URL(`widget/v1/${widgetId}/${path}`, stack.info.webUrl), {
    method,
    headers: { Origin: origin, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, cors: res.headers.get("access-control-allow-origin"), body: text ? JSON.parse(text) : null };
}

// solve finds the proof of work's nonce (the widget does it in the browser).
function solve(challenge, difficulty) {
  for (let i = 0; ; i++) {
    const h = createHash("sha256").update(challenge + i).digest();
    let bits = 0;
    for (const b of h) {
      if (b === 0) {
        bits += 8;
        continue;
      }
      bits += Math.clz32(b) - 24;
      break;
    }
    if (bits >= difficulty) return String(i);
  }
}

// identifiedSession asks for a session as the site's user cust-42, signed
// with key (hex) as the site's backend would.
async function identifiedSession(key) {
  const ch = await widgetAPI("POST", "challenge", shop);
  assert.equal(ch.status, 200, JSON.stringify(ch.body));
  const ts = Math.floor(Date.now() / 1000);
  const signature = createHmac("sha256", Buffer.from(key, "hex")).update(`cust-42\nann@shop.example.com\n${ts}`).digest("hex");
  return widgetAPI("POST", "session", shop, {
    challenge: ch.body.challenge,
    nonce: solve(ch.body.challenge, ch.body.difficulty),
    identity: { userId: "cust-42", email: "ann@shop.example.com", name: "Ann Shopper", ts, signature },
  });
}

test("an admin creates a widget with every setting; its secret and embed code are shown once", { timeout: 180_000 }, async () => {
  await page.getByRole("button", { name: "Manage people" }).click();
  const people = page.getByRole("dialog", { name: "People" });
  const section = people.locator(".widgets-admin");
  await section.getByRole("button", { name: "New widget" }).click();
  const form = section.getByRole("form", { name: "New widget" });
  // A mistake shows before anything is sent.
  await form.getByRole("button", { name: "Create widget" }).click();
  await form.getByText("Give the widget a name.").waitFor();
  await form.getByRole("textbox", { name: "Name", exact: true }).fill("Shop");
  await form.getByLabel(/Allowed sites/).fill("https://shop.example.com/path");
  await form.getByRole("button", { name: "Create widget" }).click();
  await form.getByText("only scheme, host and port, without a path").waitFor();
  await form.getByLabel(/Allowed sites/).fill("HTTPS://Shop.Example.com");
  await form.locator('input[name="widget-color"]').fill("#0f766e");
  await form.getByLabel("Position").selectOption("left");
  await form.getByLabel("Panel title").fill("Shop help");
  await form.getByLabel("Deutsch", { exact: true }).check();
  await form.getByLabel("Greeting (English)").fill("Hi! How can we help?");
  await form.getByLabel("Greeting (Deutsch)").fill("Hallo! Wie können wir helfen?");
  await form.locator('input[name="widget-prechat-email"]').check();
  await form.locator('input[name="widget-required-email"]').check();
  await form.locator('input[name="widget-prechat-topic"]').check();
  await form.getByRole("button", { name: "Add topic" }).click();
  await form.locator('input[name="widget-topic-0"]').fill("Billing");
  await form.getByLabel("FAQ answers first").check();
  await form.getByLabel("Bot name").fill("Shopbot");
  await form.getByRole("button", { name: "Add FAQ entry" }).click();
  await form.locator('textarea[name="widget-faq-q-0"]').fill("When are you open?\nOpening hours");
  await form.locator('textarea[name="widget-faq-a-0"]').fill("Monday to Friday, 9 to 17.");
  await page.screenshot({ path: join(dir, "support-widget-admin-form-1280.png"), fullPage: true });
  await axeCheck(page, "the widget settings form");
  await form.getByRole("button", { name: "Create widget" }).click();

  const secretField = section.getByLabel("Identity secret", { exact: true });
  await secretField.waitFor();
  secret = await secretField.inputValue();
  assert.match(secret, /^[0-9a-f]{64}$/, "the identity secret is shown once, hex");
  await section.getByText("Identity secret for Shop: copy it now").waitFor();
  const embed = await section.getByLabel("Embed code", { exact: true }).inputValue();
  const m = embed.match(/^<script src="(.+)\/widget\/v1\/widget\.js" data-widget="(wid_[A-Za-z0-9_-]+)" async><\/script>$/);
  assert.ok(m, `embed code ${embed}`);
  widgetId = m[2];
  assert.equal(m[1], new URL(stack.info.webUrl).origin);
  await section.getByRole("button", { name: "Copy embed code" }).click();
  await section.getByText("Copied.").waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), embed, "the copy button copies the embed code");
  await section.locator(`li[data-widget-id="${widgetId}"]`).getByText("1 allowed site").waitFor();
  await section.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(dir, "support-widget-admin-1280.png") });
  await axeCheck(page, "the widget list with its secret and embed code");

  const cfg = await widgetAPI("GET", "config", shop);
  assert.equal(cfg.status, 200, JSON.stringify(cfg.body));
  assert.equal(cfg.cors, shop);
  assert.deepEqual(cfg.body.appearance, { primaryColor: "#0f766e", position: "left", title: "Shop help" });
  assert.deepEqual(cfg.body.languages, ["en", "de"]);
  assert.equal(cfg.body.greeting.de, "Hallo! Wie können wir helfen?");
  assert.deepEqual(cfg.body.preChat, ["name", "email", "topic"]);
  assert.deepEqual(cfg.body.required, ["email"]);
  assert.equal(cfg.body.topics[0].label, "Billing");
  assert.equal(cfg.body.botName, "Shopbot");
  const refused = await widgetAPI("GET", "config", "https://evil.example.net");
  assert.equal(refused.status, 403);
  assert.equal(refused.cors, null, "no CORS header for an origin not allowed");
  assert.deepEqual(refused.body, { error: { code: "forbidden", message: "origin not allowed" } });

  const sess = await identifiedSession(secret);
  assert.equal(sess.status, 201, JSON.stringify(sess.body));
  assert.equal(sess.body.identified, true);
  await people.getByRole("button", { name: "Close" }).click();
});

test("a new identity secret refuses the old signature; an edit changes the config; delete refuses every origin", { timeout: 180_000 }, async () => {
  page.on("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Manage people" }).click();
  const people = page.getByRole("dialog", { name: "People" });
  const section = people.locator(".widgets-admin");
  await section.getByRole("button", { name: "New identity secret for Shop" }).click();
  const fresh = await waitFor(async () => {
    const f = section.getByLabel("Identity secret", { exact: true });
    const v = (await f.count()) ? await f.inputValue() : "";
    return v && v !== secret ? v : null;
  }, "the new secret");
  assert.equal((await identifiedSession(secret)).status, 403, "the old secret's signature is refused");
  assert.equal((await identifiedSession(fresh)).status, 201, "the new secret's signature is accepted");

  await section.getByRole("button", { name: "Edit Shop" }).click();
  const form = section.getByRole("form", { name: "Edit Shop" });
  await form.locator('input[name="widget-color"]').fill("#b91c1c");
  await form.getByLabel(/Allowed sites/).fill("https://shop.example.com\nhttps://shop.example.de");
  await form.getByLabel("A person answers").check();
  await form.getByRole("button", { name: "Save" }).click();
  await section.getByText("Shop was saved.").waitFor();
  const cfg = await widgetAPI("GET", "config", "https://shop.example.de");
  assert.equal(cfg.status, 200, JSON.stringify(cfg.body));
  assert.equal(cfg.body.appearance.primaryColor, "#b91c1c");
  assert.equal(cfg.body.botName, undefined, "no bot any more");

  await section.getByRole("button", { name: "Delete Shop" }).click();
  await section.getByText("Shop was deleted.").waitFor();
  assert.equal((await widgetAPI("GET", "config", shop)).status, 403, "a deleted widget refuses its sites");
});
