// Page-level helpers the e2e files share: sign up through the UI, the
// composer and message list, and axe-core's check (no violations at all).
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ARTIFACTS, WEB_DIR, confirmationCode, startStack, waitFor } from "./stack.mjs";

// SCREENS is where the e2e files put their screenshots.
export const SCREENS = join(ARTIFACTS, "screens");

// openPage opens a page in a fresh browser context of the stack's browser:
// a desktop viewport unless told, 30 s failure bounds, page errors logged.
// setup runs on the context before the page exists (permissions, init
// scripts).
export async function openPage(stack, { viewport = { width: 1280, height: 800 }, setup } = {}) {
  const ctx = await stack.browser.newContext({ viewport });
  if (setup) await setup(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(30_000);
  page.on("pageerror", (err) => console.error("page error:", err.message));
  return page;
}

// signUp creates who's account through the UI (the confirmation code comes
// from cognito-local's log) and waits until the client is online in #general.
export async function signUp(stack, page, who) {
  await page.goto(stack.info.webUrl);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByLabel("Display name").fill(who.name);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.locator("form").getByRole("button", { name: "Create account" }).click();
  await page.getByLabel("Confirmation code").waitFor();
  await page.getByLabel("Confirmation code").fill(await confirmationCode(stack.info, who.email));
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.getByRole("heading", { name: /#general/ }).waitFor();
  await waitFor(() => page.evaluate(() => window.backchannel?.status === "online"), `${who.name} online`);
}

// cognitoUsername finds the user pool's username of email in cognito-local's
// pool file.
export function cognitoUsername(stack, email) {
  const db = join(dirname(stack.info.logDir), "cognito", ".cognito", "db", `${stack.info.userPoolId}.json`);
  assert.ok(existsSync(db), "cognito-local's pool file");
  const users = JSON.parse(readFileSync(db, "utf8")).Users ?? {};
  const [name] = Object.entries(users).find(([, u]) => u.Attributes?.some((a) => a.Name === "email" && a.Value === email)) ?? [];
  assert.ok(name, `a user with ${email}`);
  return name;
}

// addToGroup puts a user in a workspace group through cognito-local's API.
export async function addToGroup(stack, email, group) {
  const res = await fetch(stack.info.cognitoEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService.AdminAddUserToGroup" },
    body: JSON.stringify({ UserPoolId: stack.info.userPoolId, Username: cognitoUsername(stack, email), GroupName: group }),
  });
  assert.equal(res.status, 200, `AdminAddUserToGroup ${group}: ${await res.text()}`);
}

// signInAgain signs who out and in again (a new token: new groups count).
export async function signInAgain(page, who) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.locator("form").getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: /#general/ }).waitFor();
  await waitFor(() => page.evaluate(() => window.backchannel?.status === "online"), `${who.name} online`);
}

// signUpAdmin is signUp, then who joins the workspace admins and signs in
// again so the token carries the group.
export async function signUpAdmin(stack, page, who) {
  await signUp(stack, page, who);
  await addToGroup(stack, who.email, "admins");
  await signInAgain(page, who);
}

export const composer = (page) => page.locator("#composer-input");
export const messages = (page) => page.locator(".messages");

export async function send(page, text) {
  await composer(page).fill(text);
  await composer(page).press("Enter");
}

export async function axeCheck(page, where) {
  await page.addScriptTag({ path: join(WEB_DIR, "node_modules", "axe-core", "axe.min.js") });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
  });
  // No violations at all, whatever their impact (issue 10).
  assert.deepEqual(result, [], `axe on ${where}: ${JSON.stringify(result, null, 1)}`);
}

// worker: the service worker of the page's context (Playwright evaluates
// in it).
export async function worker(page) {
  const ctx = page.context();
  return ctx.serviceWorkers()[0] ?? ctx.waitForEvent("serviceworker");
}

// notifications lists what the worker's registration shows (with tag: those).
export async function notifications(page, tag) {
  return (await worker(page)).evaluate(
    async (tag) => (await self.registration.getNotifications(tag ? { tag } : {})).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data, icon: n.icon, badge: n.badge })),
    tag,
  );
}

// clickNotification does what the browser does when the person clicks the
// newest notification with tag: a notificationclick in the worker. False
// when there is none.
export async function clickNotification(page, tag) {
  return (await worker(page)).evaluate(async (tag) => {
    const n = (await self.registration.getNotifications({ tag })).at(-1);
    if (!n) return false;
    self.dispatchEvent(new NotificationEvent("notificationclick", { notification: n }));
    return true;
  }, tag);
}

// msgOf: a stored message (not a pending send) of the open room, by text.
export const msgOf = (page, text) => messages(page).locator("article.msg:not(.pending)", { hasText: text });

// createChannel: the page creates the public channel #name and opens it.
export async function createChannel(page, name) {
  await page.getByRole("button", { name: "Create a channel" }).click();
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await page.getByRole("heading", { name: new RegExp(`#${name}`) }).waitFor();
}

// joinChannel: the page joins the public channel #name from Browse.
export async function joinChannel(page, name) {
  await page.getByRole("button", { name: "Browse channels" }).click();
  await page.getByRole("button", { name: `Join #${name}` }).click();
  await page.getByRole("heading", { name: new RegExp(`#${name}`) }).waitFor();
}

// startWithTwo starts a stack (startStack's options), opens a page for a
// and one for b and signs both up, makes SCREENS and, given a channel,
// a creates #channel and b joins it. Should a step fail, the stack stops.
export async function startWithTwo(options, a, b, channel) {
  const stack = await startStack(options);
  try {
    const pageA = await openPage(stack);
    const pageB = await openPage(stack);
    await signUp(stack, pageA, a);
    await signUp(stack, pageB, b);
    mkdirSync(SCREENS, { recursive: true });
    if (channel) {
      await createChannel(pageA, channel);
      await joinChannel(pageB, channel);
    }
    return { stack, pageA, pageB };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}
