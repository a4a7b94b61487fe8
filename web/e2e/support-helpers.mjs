// Locators the support e2e files share: the agents' inbox in the app and
// the visitor's widget on a third-party page.

// inbox: the support inbox screen of the app.
export const inbox = (page) => page.locator("section.support");
// queueItem: a queued conversation (by the visitor's name) in the inbox.
export const queueItem = (page, name) => inbox(page).locator(".support-queue .support-item", { hasText: name });
// column: an open conversation (by the visitor's name) in the inbox.
export const column = (page, name) => inbox(page).locator(".support-conv", { has: page.getByRole("heading", { name, exact: false }) });

// openInbox opens the inbox from the app's nav.
export async function openInbox(page) {
  await page.getByRole("button", { name: /^Support/ }).click();
  await page.getByRole("heading", { name: "Support inbox" }).waitFor();
}

// launcher: the widget's launcher inside its shadow root (Playwright's
// locators pierce open shadow roots).
export const launcher = (page) => page.locator("#backchannel-widget .bc-launcher");
