import { describe, expect, it } from "vitest";
import { catalogs, translator } from "../src/i18n";
import { en } from "../src/i18n/en";

describe("catalogs", () => {
  for (const [lang, cat] of Object.entries(catalogs)) {
    it(`${lang} has exactly the English keys, all non-empty, with the same placeholders`, () => {
      expect(Object.keys(cat).sort()).toEqual(Object.keys(en).sort());
      for (const [key, text] of Object.entries(cat)) {
        expect(text.trim(), key).not.toBe("");
        const vars = (s: string) => (s.match(/\{\w+(\}|, plural)/g) ?? []).sort();
        expect(vars(text), key).toEqual(vars(en[key as keyof typeof en]));
      }
    });
  }

  it("interpolates variables", () => {
    expect(translator("en")("typing.two", { a: "Ana", b: "Bo" })).toBe("Ana and Bo are typing…");
    expect(translator("de")("typing.one", { a: "Ana" })).toBe("Ana schreibt…");
  });

  it("picks plural forms by the language's rules", () => {
    expect(translator("en")("room.members", { n: 1 })).toBe("1 member");
    expect(translator("en")("room.members", { n: 0 })).toBe("0 members");
    expect(translator("en")("room.members", { n: 2 })).toBe("2 members");
    expect(translator("de")("room.members", { n: 1 })).toBe("1 Mitglied");
    expect(translator("de")("room.members", { n: 5 })).toBe("5 Mitglieder");
  });
});
