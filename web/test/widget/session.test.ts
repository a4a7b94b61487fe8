import { describe, expect, it } from "vitest";
import { Refused, VisitorSession } from "../../widget/api";
import { leadingZeroBits } from "../../widget/pow";
import { fakeFetch, memStore } from "./fakes";

const BASE = "https://chat.example/widget/v1/wid_demo";

describe("visitor session", () => {
  it("solves the challenge, keeps the resume token, and reuses the token until it nearly expires", async () => {
    const { calls, fetchImpl } = fakeFetch();
    const store = memStore();
    const s = new VisitorSession(BASE, store, fetchImpl);
    expect(await s.token()).toBe("T1");
    expect(calls.map((c) => `${c.method} ${c.url.slice(BASE.length)}`)).toEqual(["POST /challenge", "POST /session"]);
    const sess = calls[1].body;
    expect(sess.challenge).toBe("ch.1");
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("ch.1" + String(sess.nonce))));
    expect(leadingZeroBits(digest)).toBeGreaterThanOrEqual(4);
    expect(store.saved.resumeToken).toBe("R1");
    expect(await s.token()).toBe("T1");
    expect(calls).toHaveLength(2);
    expect(await s.token(true)).toBe("T2"); // forced: a new session (by resume token here: refused, so PoW again)
  });

  it("resumes with the stored resume token (no proof of work), and sends the identity", async () => {
    const { calls, fetchImpl } = fakeFetch({ resumeOk: true });
    const store = memStore({ resumeToken: "R0", roomId: "r1" });
    const s = new VisitorSession(BASE, store, fetchImpl);
    s.identity = { userId: "u-7", email: "a@example.com", ts: 1700000000, signature: "ab" };
    await s.token();
    expect(calls.map((c) => c.url.slice(BASE.length))).toEqual(["/session"]);
    expect(calls[0].body).toEqual({ resumeToken: "R0", identity: s.identity });
    expect(store.saved).toEqual({ resumeToken: "R1", roomId: "r1" });
  });

  it("a support mail's reopen link: the session is asked with its token first, once, and this browser's stored conversation is dropped", async () => {
    const { calls, fetchImpl } = fakeFetch();
    const store = memStore({ resumeToken: "R0", roomId: "sup_other" });
    const s = new VisitorSession(BASE, store, fetchImpl);
    s.reopenToken = "tok.abc";
    await s.token();
    expect(calls.map((c) => c.body)).toEqual([{ reopenToken: "tok.abc" }]);
    expect(store.saved).toEqual({ resumeToken: "R1" });
    expect(s.reopenToken).toBe("");
  });

  it("a refused origin: config throws Refused, the session an auth error", async () => {
    const { fetchImpl } = fakeFetch({ refuse: true });
    const s = new VisitorSession(BASE, memStore(), fetchImpl);
    await expect(s.config()).rejects.toBeInstanceOf(Refused);
    await expect(s.token()).rejects.toMatchObject({ code: "auth" });
  });
});
