// @vitest-environment jsdom
// The encryption views (issue 19) over a real E2EE view object driven by a
// fake engine: the settings section (set up with a passphrase, recover,
// devices, change, reset), SAS verification on an incoming request, the
// safety number, the key-change banner, messages that cannot be read yet,
// encrypted files by their real names, the Encrypt toggle, the composer and
// the report of an encrypted room, lock marks and the search note.
import { afterEach, describe, expect, it, vi, type Mock } from "vitest";
import { render, type ComponentChild } from "preact";
import { act } from "preact/test-utils";
import { AppContext, type AppCtx } from "../../src/ui/common/context";
import { translator } from "../../src/i18n";
import { initialState, reduce } from "../../src/state/store";
import type { Chat } from "../../src/state/chat";
import { E2EE, type E2EEBackend } from "../../src/state/e2ee";
import type { Message } from "../../src/api/protocol.gen";
import { SecuritySection } from "../../src/ui/e2ee/SecuritySection";
import { E2EEHost } from "../../src/ui/e2ee/E2EEHost";
import { SafetyNumberDialog } from "../../src/ui/e2ee/SafetyNumberDialog";
import { KeyWarningBanner } from "../../src/ui/e2ee/KeyWarningBanner";
import { EncryptToggle } from "../../src/ui/e2ee/EncryptToggle";
import { onOpenSecurity } from "../../src/ui/e2ee/openSecurity";
import { strength } from "../../src/ui/e2ee/passphrase";
import { MessageItem } from "../../src/ui/messages/MessageItem";
import { Composer } from "../../src/ui/composer/Composer";
import { MessageModActions } from "../../src/ui/moderation/MessageModActions";
import { Sidebar } from "../../src/ui/sidebar/Sidebar";
import { SearchDialog } from "../../src/ui/search/SearchDialog";
import { UserPickerDialog } from "../../src/ui/dialogs/UserPickerDialog";
import { CreateChannelDialog } from "../../src/ui/dialogs/CreateChannelDialog";
import { MembersPanel } from "../../src/ui/members/MembersPanel";
import { BOB, CY, msg, room, stateFrame } from "../fixtures";

const t = translator("en");

type FakeBackend = Record<keyof E2EEBackend, Mock>;

function backend(over: Partial<E2EEBackend> = {}): FakeBackend {
  const ok = () => vi.fn(async () => {});
  return {
    setup: ok(),
    recover: ok(),
    changePassphrase: ok(),
    resetEncryption: ok(),
    refreshDevices: ok(),
    removeDevice: ok(),
    startVerification: ok(),
    acceptVerification: ok(),
    confirmSas: ok(),
    cancelVerification: ok(),
    safetyNumber: vi.fn(async () => "12345 67890 11111 22222 33333 44444 55555 66666 77777 88888 99999 00000"),
    isVerified: vi.fn(() => false),
    markVerified: ok(),
    acceptKeyChange: ok(),
    canSend: vi.fn(() => ({ ok: true })),
    openFile: vi.fn(async () => new Blob(["hello"], { type: "text/plain" })),
    fileUrl: vi.fn(async () => "blob:fake"),
    reportPlaintext: vi.fn(() => "the secret words"),
    ...over,
  } as unknown as FakeBackend;
}

function engine(status: E2EE["status"], over: Partial<E2EEBackend> = {}) {
  const e2ee = new E2EE();
  const be = backend(over);
  e2ee.attach(be as unknown as E2EEBackend);
  e2ee.update({ status, deviceId: "dev_a", hasIdentity: status === "ready" });
  return { e2ee, be };
}

const ENC_DM = room("e", { kind: "direct", memberIds: ["me", "bob"], name: "", encrypted: true, keyEpoch: 1 });

let root: HTMLElement | null = null;
afterEach(() => {
  if (root) act(() => render(null, root!));
  root?.remove();
  root = null;
});

function mount(node: ComponentChild, e2ee?: E2EE, extra: Record<string, unknown> = {}) {
  const base = reduce(initialState, stateFrame([room("general"), room("g"), ENC_DM], [BOB, CY]));
  const state = { ...base, members: { ...base.members, e: { me: { role: "member", readSeq: 0 }, bob: { role: "member", readSeq: 0 } } } };
  const request = vi.fn(async (p: { action: string }) => (p.action === "openDirect" || p.action === "createChannel" ? { type: "room", room: { roomId: "new" } } : { type: "ack" }));
  const chat = {
    state,
    status: "online",
    subscribe: () => () => {},
    announce: () => {},
    request,
    typing() {},
    stopTyping() {},
    send: vi.fn(),
    lastRoom: { roomId: "", at: 0 },
    listUsers: async () => ({ users: [BOB, CY] }),
    openDirect: vi.fn(async () => "plain"),
    createChannel: vi.fn(async () => "plainchan"),
  } as unknown as Chat;
  const uploads = { list: () => [], busy: () => false, add() {}, remove() {} };
  const app = { chat, t, prefs: { lang: "en", sound: false }, e2ee, uploads, support: { isAgent: () => false }, scheduled: {}, ...extra } as unknown as AppCtx;
  root = document.createElement("div");
  document.body.appendChild(root);
  act(() => render(<AppContext.Provider value={app}>{node}</AppContext.Provider>, root!));
  return { root, chat, request };
}

const $ = (sel: string) => root!.querySelector<HTMLElement>(sel);
const testid = (id: string) => $(`[data-testid="${id}"]`);
const click = async (el: Element | null) => {
  expect(el, "element to click").not.toBeNull();
  await act(async () => (el as HTMLElement).click());
};
const type = async (el: Element | null, value: string) => {
  const input = el as HTMLInputElement;
  await act(async () => {
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
};
const submit = async (form: Element | null) => {
  await act(async () => void form!.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true })));
  // A rejection takes a few more turns than a resolution to show.
  await act(() => new Promise<void>((r) => setTimeout(r, 0)));
};

describe("passphrase strength", () => {
  it("asks for 10 characters, and rates words above repeats and known passwords", () => {
    expect(strength("short")).toBe("short");
    expect(strength("aaaaaaaaaaaa")).toBe("weak");
    expect(strength("password12")).toBe("weak");
    expect(strength("tulip-anchor")).toBe("fair");
    expect(strength("correct horse battery staple")).toBe("strong");
  });
});

describe("the encryption settings", () => {
  it("sets up with a passphrase of at least 10 characters, typed twice", async () => {
    const { e2ee, be } = engine("off");
    mount(<SecuritySection />, e2ee);
    expect($("h3")!.textContent).toBe("Encryption");
    expect(root!.textContent).toContain("Encryption is not set up yet");
    await click(testid("e2ee-setup"));
    const dialog = $("dialog")!;
    expect(dialog.textContent).toContain("Set up encryption");
    // Too short: refused, and said so.
    await type(testid("e2ee-passphrase"), "tiny");
    expect(testid("e2ee-passphrase")!.getAttribute("aria-describedby")).toBe("e2ee-strength");
    expect($("#e2ee-strength")!.textContent).toBe("At least 10 characters (4 so far).");
    await submit(dialog.querySelector("form"));
    expect(dialog.querySelector('[role="alert"]')!.textContent).toBe("At least 10 characters (4 so far).");
    expect(be.setup).not.toHaveBeenCalled();
    // Long enough, but the second differs.
    await type(testid("e2ee-passphrase"), "correct horse battery staple");
    expect($("#e2ee-strength")!.textContent).toBe("Strong.");
    expect($(".e2ee-strength")!.dataset.strength).toBe("strong");
    await type(testid("e2ee-passphrase-again"), "correct horse battery stapler");
    await submit(dialog.querySelector("form"));
    expect(root!.textContent).toContain("The two passphrases differ.");
    expect(be.setup).not.toHaveBeenCalled();
    // Both the same: the engine sets up; the section says so.
    await type(testid("e2ee-passphrase-again"), "correct horse battery staple");
    be.setup.mockImplementation(async () => e2ee.update({ status: "ready", hasIdentity: true }));
    await submit(dialog.querySelector("form"));
    expect(be.setup).toHaveBeenCalledWith("correct horse battery staple");
    expect($("dialog")).toBeNull();
    expect($(".e2ee-status")!.textContent).toBe("Encryption is set up.");
    expect(root!.textContent).toContain("Encryption is set up on this device.");
  });

  it("recovers with the passphrase, showing the engine's refusal of a wrong one", async () => {
    const { e2ee, be } = engine("recovery-needed", { recover: vi.fn(async () => Promise.reject(new Error("Wrong passphrase (4 attempts left)"))) });
    e2ee.update({
      devices: [
        { deviceId: "dev_a", name: "Firefox on Linux", createdAt: "2026-11-30T10:00:00Z", verified: false, current: true },
        { deviceId: "dev_b", name: "Chrome on Mac", createdAt: "2026-11-01T10:00:00Z", verified: true, current: false },
      ],
    });
    mount(<SecuritySection />, e2ee);
    expect(root!.textContent).toContain("This device cannot read your encrypted messages yet.");
    await click(testid("e2ee-recover"));
    await type(testid("e2ee-passphrase"), "not my passphrase");
    await submit($("dialog form"));
    expect($('dialog [role="alert"]')!.textContent).toBe("Wrong passphrase (4 attempts left)");
    expect(testid("e2ee-passphrase")!.getAttribute("aria-invalid")).toBe("true");
    be.recover.mockImplementation(async () => e2ee.update({ status: "ready", hasIdentity: true }));
    await submit($("dialog form"));
    expect($("dialog")).toBeNull();
    expect($(".e2ee-status")!.textContent).toContain("Keys recovered");
  });

  it("verifies this new device from the one other verified device", async () => {
    const { e2ee, be } = engine("recovery-needed");
    e2ee.update({
      devices: [
        { deviceId: "dev_a", name: "New laptop", createdAt: "2026-11-30T10:00:00Z", verified: false, current: true },
        { deviceId: "dev_b", name: "Old laptop", createdAt: "2026-11-01T10:00:00Z", verified: true, current: false },
      ],
    });
    mount(<SecuritySection />, e2ee);
    await click(testid("e2ee-verify-other"));
    expect(be.startVerification).toHaveBeenCalledWith("dev_b");
  });

  it("lists the devices, this one first, and removes another after a confirmation", async () => {
    const { e2ee, be } = engine("ready");
    e2ee.update({
      devices: [
        { deviceId: "dev_b", name: "Phone", createdAt: "2026-11-01T10:00:00Z", lastSeenAt: "2026-11-29T10:00:00Z", verified: false, current: false },
        { deviceId: "dev_a", name: "Laptop", createdAt: "2026-11-20T10:00:00Z", verified: true, current: true },
      ],
    });
    mount(<SecuritySection />, e2ee);
    expect(be.refreshDevices).toHaveBeenCalled();
    const rows = [...root!.querySelectorAll(".e2ee-device")];
    expect(rows.map((r) => r.getAttribute("data-device"))).toEqual(["dev_a", "dev_b"]);
    expect(rows[0].textContent).toContain("This device");
    expect(rows[0].textContent).toContain("Verified");
    expect(rows[0].querySelector('[data-testid="e2ee-device-remove"]')).toBeNull();
    expect(rows[1].textContent).toContain("Not verified");
    expect(rows[1].textContent).toContain("last active");
    // Verify the unverified one from here.
    await click(rows[1].querySelector('[data-testid="e2ee-verify"]'));
    expect(be.startVerification).toHaveBeenCalledWith("dev_b");
    // Remove: asks first; Cancel is focused first.
    await click(rows[1].querySelector('[data-testid="e2ee-device-remove"]'));
    const confirm = $("dialog")!;
    expect(confirm.textContent).toContain("Remove Phone (ID B)?");
    expect(be.removeDevice).not.toHaveBeenCalled();
    await click(confirm.querySelector(".btn.danger"));
    expect(be.removeDevice).toHaveBeenCalledWith("dev_b");
    expect(testid("e2ee-change")).not.toBeNull();
  });

  it("warns before a reset, and resets with a new passphrase", async () => {
    const { e2ee, be } = engine("ready");
    mount(<SecuritySection />, e2ee);
    await click(testid("e2ee-reset"));
    const dialog = $("dialog")!;
    expect(dialog.querySelector('[role="alert"]')!.textContent).toContain("can no longer be read");
    await type(testid("e2ee-passphrase"), "a brand new passphrase");
    await type(testid("e2ee-passphrase-again"), "a brand new passphrase");
    expect(testid("e2ee-setup-submit")!.textContent).toBe("Reset and lose old messages");
    await submit(dialog.querySelector("form"));
    expect(be.resetEncryption).toHaveBeenCalledWith("a brand new passphrase");
  });

  it("says so in a browser without WebCrypto", () => {
    const { e2ee } = engine("unsupported");
    mount(<SecuritySection />, e2ee);
    expect(root!.textContent).toContain("This browser cannot encrypt end to end");
    expect(testid("e2ee-setup")).toBeNull();
  });
});

describe("verification", () => {
  it("opens on an incoming request anywhere, shows the three numbers, and confirms a match", async () => {
    const { e2ee, be } = engine("ready");
    mount(<E2EEHost />, e2ee);
    expect($("dialog")).toBeNull();
    await act(async () => e2ee.update({ verification: { txn: "t1", otherDeviceId: "dev_b", otherDeviceName: "Phone", stage: "incoming" } }));
    expect($("dialog")!.textContent).toContain("Your device Phone (ID B) asks to verify this one.");
    await click(testid("e2ee-verify-accept"));
    expect(be.acceptVerification).toHaveBeenCalled();
    await act(async () => e2ee.update({ verification: { txn: "t1", otherDeviceId: "dev_b", otherDeviceName: "Phone", stage: "compare", numbers: [1234, 5678, 4321] } }));
    const sas = testid("e2ee-sas")!;
    expect([...sas.querySelectorAll(".e2ee-sas-n")].map((n) => n.textContent)).toEqual(["1234", "5678", "4321"]);
    expect(sas.getAttribute("aria-label")).toBe("Verification numbers");
    expect(document.activeElement?.textContent).toBe("They don't match");
    await click(testid("e2ee-sas-match"));
    expect(be.confirmSas).toHaveBeenCalled();
    await act(async () => e2ee.update({ verification: { txn: "t1", otherDeviceId: "dev_b", otherDeviceName: "Phone", stage: "done" } }));
    expect(testid("e2ee-verify-done")!.textContent).toBe("Phone (ID B) is verified.");
    await click($("dialog [data-autofocus]"));
    expect($("dialog")).toBeNull();
    expect(be.cancelVerification).not.toHaveBeenCalled();
  });

  it("cancels on a mismatch, and when closed before the end", async () => {
    const { e2ee, be } = engine("ready");
    mount(<E2EEHost />, e2ee);
    await act(async () => e2ee.update({ verification: { txn: "t2", otherDeviceId: "dev_b", otherDeviceName: "Phone", stage: "compare", numbers: [1, 2, 3] } }));
    await click(testid("e2ee-sas-mismatch"));
    expect(be.cancelVerification).toHaveBeenCalledWith("mismatch");
    await act(async () => e2ee.update({ verification: { txn: "t3", otherDeviceId: "dev_b", otherDeviceName: "Phone", stage: "requested" } }));
    expect($("dialog")!.textContent).toContain("Waiting for Phone (ID B) to accept.");
    await click($("dialog .dialog-close"));
    expect(be.cancelVerification).toHaveBeenCalledTimes(2);
    expect($("dialog")).toBeNull();
  });
});

describe("safety numbers and key changes", () => {
  it("shows 12 groups of 5 digits and marks the person verified", async () => {
    const { e2ee, be } = engine("ready");
    mount(<SafetyNumberDialog e2ee={e2ee} userId="bob" name="Bob" onClose={() => {}} />, e2ee);
    await act(async () => {});
    const groups = [...testid("e2ee-safety")!.querySelectorAll("span")].map((s) => s.textContent);
    expect(groups).toHaveLength(12);
    expect(groups.every((g) => /^\d{5}$/.test(g!))).toBe(true);
    expect($("dialog h2")!.textContent).toBe("Safety number with Bob");
    await click(testid("e2ee-mark-verified"));
    expect(be.markVerified).toHaveBeenCalledWith("bob");
  });

  it("warns about a changed key in the room, louder for a verified person; Accept takes it", async () => {
    const { e2ee, be } = engine("ready");
    e2ee.update({ keyWarnings: new Map([["bob", "changed"]]) });
    mount(<KeyWarningBanner roomId="e" />, e2ee);
    const banner = testid("e2ee-key-warning")!;
    expect(banner.getAttribute("role")).toBe("status");
    expect(banner.textContent).toContain("Bob's security key changed.");
    await act(async () => e2ee.update({ keyWarnings: new Map([["bob", "changed-verified"]]) }));
    expect(testid("e2ee-key-warning")!.getAttribute("role")).toBe("alert");
    expect(testid("e2ee-key-warning")!.textContent).toContain("Messages are not sent to Bob until");
    await click(testid("e2ee-accept-key"));
    expect(be.acceptKeyChange).toHaveBeenCalledWith("bob");
    // Compare opens the safety number.
    await click(testid("e2ee-key-warning")!.querySelector("button"));
    expect($("dialog h2")!.textContent).toBe("Safety number with Bob");
  });

  it("shows nothing in a plain room", () => {
    const { e2ee } = engine("ready");
    e2ee.update({ keyWarnings: new Map([["bob", "changed"]]) });
    mount(<KeyWarningBanner roomId="g" />, e2ee);
    expect(testid("e2ee-key-warning")).toBeNull();
  });
});

describe("messages of an encrypted room", () => {
  const item = (m: Message) => <MessageItem item={{ msg: m }} head mine={false} fmt={{}} layout="compact" />;
  const enc = { v: 1, epoch: 1, device: "dev_b", iv: "aXY", ct: "Y3Q" };

  it("says a message cannot be decrypted here, how to fix it, and opens the settings", async () => {
    const { e2ee } = engine("recovery-needed");
    const asked: string[] = [];
    const off = onOpenSecurity((w) => asked.push(w));
    mount(item(msg("e", 3, { text: "", encrypted: enc, e2ee: { error: "no-key" } })), e2ee);
    const ph = testid("e2ee-undecryptable")!;
    expect(ph.textContent).toContain("This message can't be decrypted on this device. Recover your keys with your passphrase, or verify this device from another one.");
    await click(ph.querySelector("button"));
    expect(asked).toEqual(["section"]);
    off();
  });

  it("shows Decrypting… while the key is fetched, and never the server's encrypted.bin", () => {
    const { e2ee } = engine("ready");
    mount(
      item(msg("e", 4, { text: "", encrypted: enc, attachments: [{ key: "k1", name: "encrypted.bin", type: "application/octet-stream", size: 40 }], e2ee: { pending: true } })),
      e2ee,
    );
    expect(testid("e2ee-pending")!.textContent).toBe("Decrypting…");
    expect(root!.textContent).not.toContain("encrypted.bin");
  });

  it("shows decrypted text as text, and files by their real names; a file is decrypted on click", async () => {
    const { e2ee, be } = engine("ready");
    const file = { key: "k1", k: "a2V5", iv: "aXY", name: "plan.pdf", type: "application/pdf", size: 2048, sha256: "c2hh" };
    const photo = { ...file, key: "k2", name: "cat.png", type: "image/png" };
    URL.createObjectURL = vi.fn(() => "blob:download");
    URL.revokeObjectURL = vi.fn();
    mount(
      item(
        msg("e", 5, {
          text: '<img src=x onerror="alert(1)">',
          encrypted: enc,
          attachments: [
            { key: "k1", name: "encrypted.bin", type: "application/octet-stream", size: 2076 },
            { key: "k2", name: "encrypted.bin", type: "application/octet-stream", size: 100 },
          ],
          e2ee: { files: [file, photo] },
        }),
      ),
      e2ee,
    );
    await act(async () => {});
    expect($(".msg-text")!.textContent).toBe('<img src=x onerror="alert(1)">');
    expect($(".msg-text img")).toBeNull();
    expect(root!.textContent).not.toContain("encrypted.bin");
    const card = testid("e2ee-file")!;
    expect(card.textContent).toContain("plan.pdf");
    expect(card.textContent).toContain("2 KB");
    expect(be.fileUrl).toHaveBeenCalledWith("e", 5, photo);
    expect(testid("e2ee-image")!.querySelector("img")!.getAttribute("src")).toBe("blob:fake");
    expect(testid("e2ee-image")!.querySelector("img")!.getAttribute("alt")).toBe("cat.png");
    await click(card);
    expect(be.openFile).toHaveBeenCalledWith("e", 5, file);
  });

  it("reports with the text as this device decrypted it", async () => {
    const { e2ee, be } = engine("ready");
    const m = msg("e", 6, { text: "the secret words", encrypted: enc, e2ee: {} });
    const { request } = mount(<MessageModActions msg={m} />, e2ee);
    await click($('[data-action="report"]'));
    expect(testid("e2ee-report-note")!.textContent).toContain("includes this message's text");
    await submit($("dialog form"));
    expect(be.reportPlaintext).toHaveBeenCalledWith("e", 6);
    expect(request).toHaveBeenCalledWith({ action: "reportMessage", roomId: "e", seq: 6, reason: undefined, plaintext: "the secret words" });
  });

  it("reports a plain room's message without a plaintext", async () => {
    const { e2ee, be } = engine("ready");
    const { request } = mount(<MessageModActions msg={msg("g", 7)} />, e2ee);
    await click($('[data-action="report"]'));
    expect(testid("e2ee-report-note")).toBeNull();
    await submit($("dialog form"));
    expect(be.reportPlaintext).not.toHaveBeenCalled();
    expect(request).toHaveBeenCalledWith({ action: "reportMessage", roomId: "g", seq: 7, reason: undefined, plaintext: undefined });
  });
});

describe("the composer of an encrypted room", () => {
  it("shows the lock, says Encrypted, and offers no GIFs, polls or scheduling", () => {
    const { e2ee } = engine("ready");
    mount(<Composer roomId="e" label="Bob" />, e2ee);
    expect($(".composer-lock [data-testid=e2ee-lock]")).not.toBeNull();
    expect(($("#composer-input") as HTMLTextAreaElement).placeholder).toBe("Encrypted message to Bob");
    expect($(".poll-btn")).toBeNull();
    expect($(".gif-btn")).toBeNull();
    expect($(".send-later, [data-testid=send-later]")).toBeNull();
  });

  it("refuses to send when the engine says no, with its reason", async () => {
    const { e2ee } = engine("ready", { canSend: vi.fn(() => ({ ok: false, reason: "Bob's key changed: compare or accept it first" })) });
    const { chat } = mount(<Composer roomId="e" label="Bob" />, e2ee);
    await type($("#composer-input"), "hello");
    expect(($(".send") as HTMLButtonElement).disabled).toBe(true);
    expect(testid("e2ee-cannot-send")!.textContent).toBe("Cannot send: Bob's key changed: compare or accept it first");
    await submit($("form.composer-row"));
    expect(chat.send).not.toHaveBeenCalled();
  });

  it("keeps the plain room's composer as it was", () => {
    const { e2ee } = engine("ready");
    mount(<Composer roomId="g" label="#g" />, e2ee);
    expect($(".composer-lock")).toBeNull();
    expect($(".poll-btn")).not.toBeNull();
    expect(($("#composer-input") as HTMLTextAreaElement).placeholder).not.toContain("Encrypted");
  });
});

describe("the Encrypt toggle", () => {
  it("is off with the reason and a set-up offer until encryption is set up", async () => {
    const { e2ee } = engine("off");
    const asked: string[] = [];
    const off = onOpenSecurity((w) => asked.push(w));
    mount(<EncryptToggle checked={false} onChange={() => {}} people={2} />, e2ee);
    const box = testid("e2ee-toggle") as HTMLInputElement;
    expect(box.disabled).toBe(true);
    expect($("#e2ee-toggle-why")!.textContent).toContain("Set up encryption first");
    await click(testid("e2ee-setup"));
    expect(asked).toEqual(["setup"]);
    off();
  });

  it("turns on once ready; too many people turn it off with the cap", async () => {
    const { e2ee } = engine("ready");
    const changes: boolean[] = [];
    mount(<EncryptToggle checked={false} onChange={(on) => changes.push(on)} people={3} />, e2ee);
    const box = testid("e2ee-toggle") as HTMLInputElement;
    expect(box.disabled).toBe(false);
    await act(async () => {
      box.checked = true;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    });
    expect(changes).toEqual([true]);
    act(() => render(null, root!));
    mount(<EncryptToggle checked onChange={() => {}} people={9} />, e2ee);
    expect((testid("e2ee-toggle") as HTMLInputElement).disabled).toBe(true);
    expect($("#e2ee-toggle-why")!.textContent).toBe("Encrypted conversations have at most 8 people. ");
  });
});

describe("lock marks and search", () => {
  it("marks the encrypted room in the sidebar, only it", () => {
    const { e2ee } = engine("ready");
    mount(<Sidebar id="sb" onOpen={() => {}} onDialog={() => {}} onClose={() => {}} />, e2ee);
    const locks = [...root!.querySelectorAll("[data-testid=e2ee-lock]")].map((l) => l.closest("[data-room]")!.getAttribute("data-room"));
    expect(locks).toEqual(["e"]);
    expect($('[data-room="e"] [data-testid=e2ee-lock]')!.textContent).toBe("End-to-end encrypted");
  });

  it("says plainly that encrypted conversations are not searched, and offers none in the room filter", () => {
    const { e2ee } = engine("ready");
    mount(<SearchDialog onClose={() => {}} onOpenResult={() => {}} />, e2ee);
    expect(testid("e2ee-search-note")!.textContent).toContain("Encrypted conversations are not searched.");
    const options = [...root!.querySelectorAll("#search-in option")].map((o) => o.textContent);
    expect(options.some((o) => o?.includes("Bob"))).toBe(false);
  });
});

describe("starting an encrypted conversation", () => {
  it("opens an encrypted DM when the toggle is on, a plain one otherwise", async () => {
    const { e2ee } = engine("ready");
    const opened: string[] = [];
    const { request, chat } = mount(<UserPickerDialog mode="dm" onClose={() => {}} onOpen={(id) => opened.push(id)} />, e2ee);
    await act(() => new Promise<void>((r) => setTimeout(r, 0)));
    const bob = root!.querySelector<HTMLInputElement>('input[name="user"][value="bob"]')!;
    await act(async () => {
      bob.checked = true;
      bob.dispatchEvent(new Event("change", { bubbles: true }));
    });
    const box = testid("e2ee-toggle") as HTMLInputElement;
    await act(async () => {
      box.checked = true;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await submit($("dialog form"));
    expect(request).toHaveBeenCalledWith({ action: "openDirect", userIds: ["bob"], encrypted: true });
    expect(chat.openDirect).not.toHaveBeenCalled();
    expect(opened).toEqual(["new"]);
  });

  it("offers encryption for a private channel only, and creates it encrypted", async () => {
    const { e2ee } = engine("ready");
    const { request } = mount(<CreateChannelDialog onClose={() => {}} onCreated={() => {}} />, e2ee);
    expect(testid("e2ee-toggle")).toBeNull();
    await type($('input[name="channel-name"]'), "plans");
    const priv = $('input[name="channel-private"]') as HTMLInputElement;
    await act(async () => {
      priv.checked = true;
      priv.dispatchEvent(new Event("change", { bubbles: true }));
    });
    const box = testid("e2ee-toggle") as HTMLInputElement;
    await act(async () => {
      box.checked = true;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await submit($("dialog form"));
    expect(request).toHaveBeenCalledWith({ action: "createChannel", name: "plans", topic: undefined, private: true, encrypted: true });
  });

  it("offers the safety number beside each member of an encrypted room", async () => {
    const { e2ee } = engine("ready");
    e2ee.update({ keyWarnings: new Map([["bob", "changed"]]) });
    mount(<MembersPanel roomId="e" onOpen={() => {}} onClose={() => {}} />, e2ee);
    const btn = $(".e2ee-member.changed [data-testid=e2ee-lock]");
    expect(btn?.getAttribute("aria-label")).toBe("Safety number with Bob (key changed)");
    await click(btn);
    expect($("dialog h2")!.textContent).toBe("Safety number with Bob");
  });
});
