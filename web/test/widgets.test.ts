import { describe, expect, it } from "vitest";
import { addFAQ, addTopic, check, embedSnippet, forSave, newWidget, normalizeOrigin, parseOrigins } from "../src/state/widgets";

describe("widget settings state", () => {
  it("normalises origins as the server does", () => {
    expect(normalizeOrigin(" HTTPS://Shop.Example.com:443/ ")).toBe("https://shop.example.com");
    expect(normalizeOrigin("http://localhost:8081")).toBe("http://localhost:8081");
    expect(() => normalizeOrigin("http://shop.example.com")).toThrow(/originHttp/);
    expect(() => normalizeOrigin("https://shop.example.com/path")).toThrow(/originPath/);
    expect(() => normalizeOrigin("https://*.example.com")).toThrow(/originInvalid/);
    const { origins, errors } = parseOrigins("https://a.example\nhttps://A.example/, https://b.example\nftp://x");
    expect(origins).toEqual(["https://a.example", "https://b.example"]);
    expect(errors).toHaveLength(1);
  });

  it("finds the first mistake of a draft", () => {
    const w = newWidget();
    expect(check(w)?.key).toBe("widgets.needName");
    w.name = "Shop";
    expect(check(w)?.key).toBe("widgets.needOrigin");
    w.allowedOrigins = ["https://shop.example"];
    expect(check(w)).toBeNull();
    w.preChat = ["name", "topic"];
    expect(check(w)?.key).toBe("widgets.needTopics");
    const withTopic = addTopic(w, "Billing & Refunds");
    expect(withTopic.topics?.[0].id).toBe("billing-refunds");
    expect(check(withTopic)).toBeNull();
    withTopic.bot = { kind: "faq" };
    expect(check(withTopic)?.key).toBe("widgets.needFAQ");
    const faq = addFAQ(withTopic);
    expect(check(faq)?.key).toBe("widgets.faqEntry");
    faq.bot.faq![0] = { ...faq.bot.faq![0], questions: ["When are you open?", " "], answer: "9 to 5" };
    expect(check(faq)).toBeNull();
    const saved = forSave({ ...faq, greeting: { en: " Hi ", de: "Hallo" }, required: ["email"] });
    expect(saved.greeting).toEqual({ en: "Hi" });
    expect(saved.required).toEqual([]);
    expect(saved.bot.faq?.[0].questions).toEqual(["When are you open?"]);
  });

  it("makes the embed snippet", () => {
    expect(embedSnippet("https://chat.example.com/", "wid_1")).toBe('<script src="https://chat.example.com/widget/v1/widget.js" data-widget="wid_1" async></script>');
    expect(embedSnippet("https://chat.example.com", "wid_1", "de")).toContain('data-lang="de"');
  });
});
