// @vitest-environment jsdom
// The dialogs' shared hooks: a list loaded page by page, and a submit that
// keeps its error as text.
import { afterEach, describe, expect, it } from "vitest";
import { h, render } from "preact";
import { act } from "preact/test-utils";
import { RequestError } from "../../src/api/socket";
import { usePagedList, type Page, type PagedList } from "../../src/ui/common/usePagedList";
import { useSubmit, type Submit } from "../../src/ui/common/useSubmit";

// mount renders a component that calls the hook and keeps its latest result.
function mount<T>(hook: () => T): { current: T } {
  const out = {} as { current: T };
  const Probe = () => {
    out.current = hook();
    return null;
  };
  const root = document.createElement("div");
  document.body.appendChild(root);
  act(() => render(h(Probe, null), root));
  mounted.push(root);
  return out;
}
const mounted: HTMLElement[] = [];
afterEach(() => {
  for (const root of mounted.splice(0)) act(() => render(null, root));
});

// deferred: a promise the test settles.
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

describe("usePagedList", () => {
  it("loads the first page on mount and appends the next ones from the cursor", async () => {
    const asked: (string | undefined)[] = [];
    const pages = new Map<string | undefined, Page<string>>([
      [undefined, { items: ["a", "b"], cursor: "c1" }],
      ["c1", { items: ["c"], cursor: "c2" }],
      ["c2", { items: ["d"] }],
    ]);
    const errors: unknown[] = [];
    const list = mount<PagedList<string>>(() =>
      usePagedList(async (cursor) => {
        asked.push(cursor);
        return pages.get(cursor)!;
      }, (err) => errors.push(err)),
    );
    expect(list.current.loading).toBe(true);
    await act(async () => {});
    expect(list.current.items).toEqual(["a", "b"]);
    expect(list.current.cursor).toBe("c1");
    expect(list.current.loading).toBe(false);
    await act(() => list.current.more());
    expect(list.current.items).toEqual(["a", "b", "c"]);
    await act(() => list.current.more());
    expect(list.current.items).toEqual(["a", "b", "c", "d"]);
    expect(list.current.cursor).toBeUndefined();
    expect(asked).toEqual([undefined, "c1", "c2"]);
    expect(errors).toEqual([]);
  });

  it("is loading while a page is on its way", async () => {
    const next = deferred<Page<number>>();
    let first = true;
    const list = mount(() =>
      usePagedList<number>(async () => {
        if (first) {
          first = false;
          return { items: [1], cursor: "x" };
        }
        return next.promise;
      }, () => {}),
    );
    await act(async () => {});
    let done!: Promise<void>;
    act(() => {
      done = list.current.more();
    });
    expect(list.current.loading).toBe(true);
    await act(async () => {
      next.resolve({ items: [2] });
      await done;
    });
    expect(list.current.loading).toBe(false);
    expect(list.current.items).toEqual([1, 2]);
  });

  it("hands a failed page to onError, keeps what it has and stops loading", async () => {
    const errors: unknown[] = [];
    const boom = new RequestError("rate_limited", "slow down");
    let calls = 0;
    const list = mount(() =>
      usePagedList<string>(async () => {
        calls++;
        if (calls === 1) return { items: ["a"], cursor: "c1" };
        throw boom;
      }, (err) => errors.push(err)),
    );
    await act(async () => {});
    await act(() => list.current.more());
    expect(errors).toEqual([boom]);
    expect(list.current.items).toEqual(["a"]);
    expect(list.current.cursor).toBe("c1"); // the same page can be asked again
    expect(list.current.loading).toBe(false);
  });
});

describe("useSubmit", () => {
  it("is busy while the action runs, with no error after a success", async () => {
    const s = mount<Submit>(() => useSubmit());
    expect(s.current.busy).toBe(false);
    const step = deferred<void>();
    let done!: Promise<void>;
    act(() => {
      done = s.current.run(() => step.promise);
    });
    expect(s.current.busy).toBe(true);
    await act(async () => {
      step.resolve();
      await done;
    });
    expect(s.current.busy).toBe(false);
    expect(s.current.error).toBe("");
  });

  it("turns a rejection into text (the server's message, an Error's, anything else) and never rejects", async () => {
    const s = mount<Submit>(() => useSubmit());
    await act(() => s.current.run(() => Promise.reject(new RequestError("conflict", "name taken"))));
    expect(s.current.error).toBe("name taken");
    expect(s.current.busy).toBe(false);
    await act(() => s.current.run(() => Promise.reject(new Error("offline"))));
    expect(s.current.error).toBe("offline");
    await act(() => s.current.run(() => Promise.reject("plain")));
    expect(s.current.error).toBe("plain");
  });

  it("keeps an error until replaced or cleared; fail and setError set it directly", async () => {
    const s = mount<Submit>(() => useSubmit());
    act(() => s.current.setError("bad name"));
    expect(s.current.error).toBe("bad name");
    await act(() => s.current.run(async () => {}));
    expect(s.current.error).toBe("bad name"); // a success does not clear it by itself
    act(() => s.current.fail(new RequestError("forbidden", "not a member")));
    expect(s.current.error).toBe("not a member");
    act(() => s.current.setError(""));
    expect(s.current.error).toBe("");
  });
});
