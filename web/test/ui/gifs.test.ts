// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { safeGifURL } from "../../src/ui/gifs/GifImage";

describe("GIF URLs the client shows", () => {
  it("are http(s) URLs only", () => {
    expect(safeGifURL("https://media.tenor.com/a/party.gif")).toBe("https://media.tenor.com/a/party.gif");
    expect(safeGifURL("http://127.0.0.1:9/media/lt1/smile.gif")).toBe("http://127.0.0.1:9/media/lt1/smile.gif");
    expect(safeGifURL("javascript:alert(1)")).toBeNull();
    expect(safeGifURL("data:image/gif;base64,R0lGOD")).toBeNull();
    expect(safeGifURL("not a url")).toBeNull();
    expect(safeGifURL(undefined)).toBeNull();
  });
});
