// The service worker's decisions (src/sw/logic.ts): what a push shows,
// where a click goes (and that the page reads that link back), which
// requests come from the cache, one cache per build.
import { describe, expect, it } from "vitest";
import { cacheName, notificationFor, openUrl, parsePush, strategyFor, OPEN_MESSAGE as WORKER_OPEN } from "../src/sw/logic";
import { OPEN_MESSAGE, linkOfMessage, parseLink } from "../src/ui/shell/deepLink";

describe("service worker", () => {
  it("shows a push as room, 'sender: preview', its tag and the message to open", () => {
    const p = parsePush({ v: 1, roomId: "general", seq: 42, room: "#general", sender: "Bo", preview: "lunch?", tag: "general" });
    expect(notificationFor(p!)).toEqual({
      title: "#general",
      options: { body: "Bo: lunch?", tag: "general", icon: "/icons/icon-192.png", badge: "/icons/badge-96.png", data: { roomId: "general", seq: 42 } },
    });
    // Without a preview: the sender only.
    expect(notificationFor(parsePush({ v: 1, roomId: "d1", seq: 3, room: "Bo", sender: "Bo", tag: "d1" })!).options.body).toBe("Bo");
  });

  it("carries a thread reply's parentSeq from the push to the click's link", () => {
    const p = parsePush({ v: 1, roomId: "general", seq: 47, parentSeq: 43, room: "#general", sender: "Bo", tag: "general" })!;
    expect(p.parentSeq).toBe(43);
    expect(notificationFor(p).options.data).toEqual({ roomId: "general", seq: 47, parentSeq: 43 });
    for (const bad of [0, -1, 2.5, "43"]) expect(notificationFor(parsePush({ v: 1, roomId: "g", seq: 4, parentSeq: bad })!).options.data).toEqual({ roomId: "g", seq: 4 });
    expect(openUrl("general", 47, 43)).toBe("/?room=general&seq=47&thread=43");
    expect(parseLink(openUrl("general", 47, 43).slice(1))).toEqual({ roomId: "general", seq: 47, parentSeq: 43 });
    expect(parseLink("?room=g&seq=4&thread=x")).toEqual({ roomId: "g", seq: 4 });
    expect(linkOfMessage({ type: WORKER_OPEN, roomId: "g", seq: 47, parentSeq: 43 })).toEqual({ roomId: "g", seq: 47, parentSeq: 43 });
    expect(linkOfMessage({ type: WORKER_OPEN, roomId: "g", seq: 47, parentSeq: "43" })).toEqual({ roomId: "g", seq: 47 });
  });

  it("refuses what is not a push of ours", () => {
    for (const bad of [null, "text", { v: 2, roomId: "g", seq: 1 }, { v: 1, seq: 1 }, { v: 1, roomId: "g", seq: "1" }]) expect(parsePush(bad)).toBeNull();
    expect(parsePush({ v: 1, roomId: "g", seq: 1 })?.tag).toBe("g");
  });

  it("opens links the page understands", () => {
    expect(openUrl("general", 42)).toBe("/?room=general&seq=42");
    expect(parseLink(openUrl("general", 42).slice(1))).toEqual({ roomId: "general", seq: 42 });
    expect(parseLink(openUrl("a b&c", 0).slice(1))).toEqual({ roomId: "a b&c", seq: 0 });
    expect(parseLink("?seq=4")).toBeNull();
    expect(parseLink("?room=g&seq=-3")).toEqual({ roomId: "g", seq: 0 });
    expect(WORKER_OPEN).toBe(OPEN_MESSAGE);
    expect(linkOfMessage({ type: WORKER_OPEN, roomId: "g", seq: 7 })).toEqual({ roomId: "g", seq: 7 });
    expect(linkOfMessage({ type: "other", roomId: "g" })).toBeNull();
  });

  it("answers pages with the shell, config.json network first, bundles from the cache, nothing else", () => {
    const o = "https://chat.example";
    const s = (path: string, mode = "cors", method = "GET", origin = o) => strategyFor(method, new URL(path, origin), o, mode);
    expect(s("/", "navigate")).toBe("shell");
    expect(s("/?room=g&seq=1", "navigate")).toBe("shell");
    expect(s("/config.json")).toBe("network-first");
    expect(s("/assets/index-abc.js")).toBe("cache-first");
    expect(s("/icons/icon-192.png")).toBe("cache-first");
    expect(s("/config.json", "cors", "POST")).toBe("none");
    expect(s("/x", "cors", "GET", "https://cognito.example")).toBe("none");
    expect(s("/events")).toBe("none");
  });

  it("names one cache per build", () => {
    expect(cacheName(["/", "/assets/a-1.js"])).not.toBe(cacheName(["/", "/assets/a-2.js"]));
    expect(cacheName(["/"])).toBe(cacheName(["/"]));
  });
});
