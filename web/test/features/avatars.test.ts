import { describe, expect, it } from "vitest";
import { avatarOutputType, centerSquare } from "../../src/features/avatarImage";
import { AvatarUrls } from "../../src/features/avatars";
import type { AvatarUrlFrame } from "../../src/api/protocol.gen";

describe("centerSquare", () => {
  it("crops the middle of a landscape image", () => {
    expect(centerSquare(600, 400)).toEqual({ sx: 100, sy: 0, sw: 400, sh: 400 });
  });
  it("crops the middle of a portrait image", () => {
    expect(centerSquare(300, 1000)).toEqual({ sx: 0, sy: 350, sw: 300, sh: 300 });
  });
  it("keeps a square whole", () => {
    expect(centerSquare(256, 256)).toEqual({ sx: 0, sy: 0, sw: 256, sh: 256 });
  });
  it("rounds an odd margin down and stays inside the image", () => {
    const r = centerSquare(5, 2);
    expect(r).toEqual({ sx: 1, sy: 0, sw: 2, sh: 2 });
    expect(r.sx + r.sw).toBeLessThanOrEqual(5);
  });
  it("never crops to nothing", () => {
    expect(centerSquare(0, 0).sw).toBe(1);
  });
});

describe("avatarOutputType", () => {
  it("keeps PNG and makes JPEG of everything else", () => {
    expect(avatarOutputType("image/png")).toBe("image/png");
    expect(avatarOutputType("image/jpeg")).toBe("image/jpeg");
    expect(avatarOutputType("image/webp")).toBe("image/jpeg");
    expect(avatarOutputType("image/gif")).toBe("image/jpeg");
  });
});

describe("AvatarUrls", () => {
  const frame = (userId: string, url: string, expiresAt: number): AvatarUrlFrame => ({ type: "avatarUrl", userId, url, expiresAt: new Date(expiresAt).toISOString() });

  it("asks once per user at a time and caches until shortly before expiry", async () => {
    let now = 1_000_000;
    const asked: string[] = [];
    let release: () => void = () => {};
    const urls = new AvatarUrls(
      (userId) => {
        asked.push(userId);
        return new Promise((resolve) => {
          release = () => resolve(frame(userId, `https://s3/${userId}?n=${asked.length}`, now + 600_000));
        });
      },
      () => now,
    );
    const a = urls.get("ana", "avatars/ana/1.png");
    const b = urls.get("ana", "avatars/ana/1.png");
    expect(asked).toEqual(["ana"]);
    release();
    expect(await a).toBe("https://s3/ana?n=1");
    expect(await b).toBe("https://s3/ana?n=1");
    expect(await urls.get("ana", "avatars/ana/1.png")).toBe("https://s3/ana?n=1");
    expect(asked).toEqual(["ana"]);

    now += 541_000; // within a minute of expiry: asked again
    const c = urls.get("ana", "avatars/ana/1.png");
    release();
    expect(await c).toBe("https://s3/ana?n=2");
    expect(asked).toEqual(["ana", "ana"]);
  });

  it("asks anew for a new picture and after forget", async () => {
    let n = 0;
    const urls = new AvatarUrls(async (userId) => frame(userId, `u${++n}`, Date.now() + 600_000));
    expect(await urls.get("ana", "k1")).toBe("u1");
    expect(await urls.get("ana", "k2")).toBe("u2");
    urls.forget("ana", "k2");
    expect(await urls.get("ana", "k2")).toBe("u3");
  });

  it("does not ask again right after a failure", async () => {
    let now = 0;
    let n = 0;
    const urls = new AvatarUrls(
      async () => {
        n++;
        throw new Error("not_found");
      },
      () => now,
    );
    await expect(urls.get("bo", "k")).rejects.toThrow();
    await expect(urls.get("bo", "k")).rejects.toThrow();
    expect(n).toBe(1);
    now += 31_000;
    await expect(urls.get("bo", "k")).rejects.toThrow();
    expect(n).toBe(2);
  });
});
