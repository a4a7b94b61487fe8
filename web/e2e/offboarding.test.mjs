// End-to-end: people and offboarding. An admin deactivates Bo while Bo is
// chatting: Bo's window says he was signed out and he cannot sign in again,
// while his message stays, marked. A new person is invited, signs in with
// the temporary password and sets their own. Forgot password. Screenshots
// of the new screens (desktop and 360 px, light and dark) and axe checks.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, messages, openPage, send, signUp as signUpOn } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ada = { email: `ada-${run}@example.com`, name: "Ada", password: "correct horse 1" };
const bo = { email: `bo-${run}@example.com`, name: "Bo", password: "battery staple 2" };
const cy = { email: `cy-${run}@example.com`, name: "Cy", password: "purple monkey 3" };
let pageA;

before(async () => {
  stack = await startStack({ logName: "offboarding-stack.log" });
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

async function newPage(viewport) {
  const page = await openPage(stack, { viewport });
  page.on("dialog", (d) => void (d.type() === "confirm" ? d.accept() : d.dismiss()));
  return page;
}

// cognito calls the local pool's API directly (cognito-local checks no
// signature), as an operator with the AWS CLI would.
async function cognito(op, body) {
  const res = await fetch(stack.info.cognitoEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": `AWSCognitoIdentityProviderService.${op}` },
    body: JSON.stringify(body),
  });
  assert.ok(res.ok, `${op}: ${res.status} ${await res.text()}`);
}

// poolUser reads a user from cognito-local's pool file: the temporary
// password of an invitation, the code of a password reset.
function poolUser(email) {
  const db = join(dirname(stack.info.logDir), "cognito", ".cognito", "db", `${stack.info.userPoolId}.json`);
  if (!existsSync(db)) return null;
  return Object.values(JSON.parse(readFileSync(db, "utf8")).Users ?? {}).find((u) => u.Attributes?.some((a) => a.Name === "email" && a.Value === email));
}

async function signIn(page, who, password = who.password) {
  await page.goto(stack.info.webUrl);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.locator("form").getByRole("button", { name: "Sign in" }).click();
}

async function online(page, who) {
  await page.getByRole("heading", { name: /#general/ }).waitFor();
  await waitFor(() => page.evaluate(() => window.backchannel?.status === "online"), `${who.name} online`);
}

async function closeDialog(page) {
  await page.locator("dialog[open] .dialog-close").click();
  await page.locator("dialog[open]").waitFor({ state: "detached" });
}

async function shoot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

test("an admin deactivates Bo while he is chatting; Bo is signed out and cannot sign in", async () => {
  pageA = await newPage();
  await signUpOn(stack, pageA, ada);
  await cognito("AdminAddUserToGroup", { UserPoolId: stack.info.userPoolId, Username: ada.email, GroupName: "admins" });
  // A fresh token carries the group.
  await pageA.getByRole("button", { name: "Sign out", exact: true }).click();
  await signIn(pageA, ada);
  await online(pageA, ada);

  const pageB = await newPage();
  await signUpOn(stack, pageB, bo);
  await send(pageB, `hello from Bo ${run}`);
  await messages(pageA).getByText(`hello from Bo ${run}`).waitFor();

  await pageA.getByRole("button", { name: "Manage people" }).click();
  const dialog = pageA.getByRole("dialog", { name: "People" });
  await dialog.getByLabel("Search by name or email").fill(`bo-${run}`);
  const row = dialog.locator(`li[data-email="${bo.email}"]`);
  await row.waitFor();
  await waitFor(async () => (await dialog.locator("li.person").count()) === 1, "the search to narrow to Bo");
  await shoot(pageA, "people-desktop-light");
  await axeCheck(pageA, "the admin console");

  // Bo is typing away when it happens.
  await pageB.locator("#composer-input").fill("one more thing");
  const started = Date.now();
  await row.getByRole("button", { name: "Deactivate" }).click();
  await pageB.getByText("You were signed out: your account has been deactivated.").waitFor({ timeout: 10_000 });
  console.log(`deactivation click to Bo's window showing the sign-in screen: ${Date.now() - started} ms`);
  await row.getByText("Deactivated").waitFor();
  await shoot(pageB, "signed-out-deactivated");

  await pageB.getByLabel("Email").fill(bo.email);
  await pageB.getByLabel("Password", { exact: true }).fill(bo.password);
  await pageB.locator("form").getByRole("button", { name: "Sign in" }).click();
  await pageB.getByText(/This account has been deactivated/).waitFor();

  await closeDialog(pageA);
  await messages(pageA).getByText("Bo (deactivated)").first().waitFor();
  await messages(pageA).getByText(`hello from Bo ${run}`).waitFor();
  await pageB.context().close();
});

test("the admin console fits 360 px and dark mode", async () => {
  for (const [scheme, viewport] of [["dark", { width: 1280, height: 800 }], ["light", { width: 360, height: 740 }], ["dark", { width: 360, height: 740 }]]) {
    await pageA.emulateMedia({ colorScheme: scheme });
    await pageA.setViewportSize(viewport);
    if (viewport.width === 360) {
      const toggle = pageA.locator(".drawer-toggle");
      if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
    }
    await pageA.getByRole("button", { name: "Manage people" }).click();
    const dialog = pageA.getByRole("dialog", { name: "People" });
    await dialog.locator("li.person").first().waitFor();
    await shoot(pageA, `people-${viewport.width === 360 ? "360" : "desktop"}-${scheme}`);
    const overflow = await pageA.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `horizontal overflow ${overflow}px at ${viewport.width}px`);
    await axeCheck(pageA, `the admin console (${viewport.width}px, ${scheme})`);
    await closeDialog(pageA);
  }
  await pageA.emulateMedia({ colorScheme: "light" });
  await pageA.setViewportSize({ width: 1280, height: 800 });
});

test("a new person is invited and sets their password", async () => {
  await pageA.getByRole("button", { name: "Manage people" }).click();
  const dialog = pageA.getByRole("dialog", { name: "People" });
  await dialog.getByLabel("Email", { exact: true }).fill(cy.email);
  await dialog.getByLabel("Name (optional)").fill(cy.name);
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await dialog.getByText(`Invitation sent to ${cy.email}.`).waitFor();
  await closeDialog(pageA);
  const temp = await waitFor(() => poolUser(cy.email)?.Password, "Cy's temporary password");

  const pageC = await newPage();
  await signIn(pageC, cy, temp);
  await pageC.getByRole("heading", { name: "Choose your password" }).waitFor();
  await shoot(pageC, "new-password");
  await axeCheck(pageC, "the choose-your-password screen");
  await pageC.getByLabel("New password").fill(cy.password);
  await pageC.getByRole("button", { name: "Set password" }).click();
  await online(pageC, cy);
  await pageC.context().close();
});

test("forgot password", async () => {
  const page = await newPage({ width: 360, height: 740 });
  await page.goto(stack.info.webUrl);
  await page.getByRole("button", { name: "Forgot your password?" }).click();
  await page.getByLabel("Email").fill(cy.email);
  await shoot(page, "forgot-360-light");
  await axeCheck(page, "the forgot-password screen");
  await page.getByRole("button", { name: "Send code" }).click();
  await page.getByLabel("Confirmation code").waitFor();
  const code = await waitFor(() => poolUser(cy.email)?.ConfirmationCode, "Cy's reset code");
  await page.getByLabel("Confirmation code").fill(code);
  await page.getByLabel("New password").fill("a brand new one 4");
  await page.emulateMedia({ colorScheme: "dark" });
  await shoot(page, "reset-360-dark");
  await axeCheck(page, "the reset-password screen (dark)");
  await page.getByRole("button", { name: "Set password" }).click();
  await page.getByText("Your password has been changed. Sign in with the new one.").waitFor();
  await page.getByLabel("Email").fill(cy.email);
  await page.getByLabel("Password", { exact: true }).fill("a brand new one 4");
  await page.locator("form").getByRole("button", { name: "Sign in" }).click();
  await online(page, cy);
  await page.context().close();
});
