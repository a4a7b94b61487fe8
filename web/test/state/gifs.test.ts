import { describe, expect, it } from "vitest";
import { initialState, reduce } from "../../src/state/store";
import { sendingNow } from "../../src/state/messages";
import { room, stateFrame } from "../fixtures";

describe("GIFs in the state", () => {
  it("are on only when getState says so (the GIF button's switch)", () => {
    expect(reduce(initialState, stateFrame([room("g")])).gifs).toBe(false);
    const on = reduce(initialState, { ...stateFrame([room("g")]), gifs: true, gifProvider: "giphy" });
    expect(on.gifs).toBe(true);
    expect(on.gifProvider).toBe("giphy");
  });

  it("a GIF waits to be sent like any message, with its gif", () => {
    const gif = { url: "https://media.tenor.com/a/party.gif", width: 200, height: 100, title: "party" };
    const s = reduce(reduce(initialState, stateFrame([room("g")])), {
      type: "local/send",
      pending: { clientId: "c1", roomId: "g", text: "", gif, createdAt: new Date().toISOString(), status: "sending" },
    });
    expect(sendingNow(s).map((p) => p.gif)).toEqual([gif]);
  });
});
