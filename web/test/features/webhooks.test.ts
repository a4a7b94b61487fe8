import { describe, expect, it } from "vitest";
import { Webhooks, webhookURL } from "../../src/features/webhooks";

describe("webhookURL", () => {
  it("joins the HTTP API's base and the secret path", () => {
    expect(webhookURL("https://abc.execute-api.eu-west-1.amazonaws.com/", "/hooks/c_1.wh_2/s3cr3t", "https://chat.example.com")).toBe(
      "https://abc.execute-api.eu-west-1.amazonaws.com/hooks/c_1.wh_2/s3cr3t",
    );
  });
  it("falls back to the site's origin (make dev serves /hooks/ itself)", () => {
    expect(webhookURL(undefined, "/hooks/a/b", "http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080/hooks/a/b");
    expect(webhookURL("javascript:alert(1)", "/hooks/a/b", "http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080/hooks/a/b");
  });
});

describe("Webhooks", () => {
  it("sends the protocol's actions and answers their replies", async () => {
    const sent: Record<string, unknown>[] = [];
    const webhook = { id: "wh_1", roomId: "c_1", name: "CI", createdBy: "u1", createdAt: "2026-11-30T12:00:00Z" };
    const hooks = new Webhooks(async (p) => {
      sent.push(p);
      if (p.action === "listWebhooks") return { type: "webhooks", roomId: "c_1", webhooks: [webhook] } as never;
      return { type: "webhook", webhook, path: p.action === "revokeWebhook" ? undefined : "/hooks/c_1.wh_1/x" } as never;
    });
    expect(await hooks.list("c_1")).toEqual([webhook]);
    expect(await hooks.create("c_1", "CI", "")).toEqual({ webhook, path: "/hooks/c_1.wh_1/x" });
    expect((await hooks.rotate("c_1", "wh_1")).path).toBe("/hooks/c_1.wh_1/x");
    expect(await hooks.revoke("c_1", "wh_1")).toEqual(webhook);
    expect(sent).toEqual([
      { action: "listWebhooks", roomId: "c_1" },
      { action: "createWebhook", roomId: "c_1", name: "CI", avatarUrl: undefined },
      { action: "rotateWebhookSecret", roomId: "c_1", webhookId: "wh_1" },
      { action: "revokeWebhook", roomId: "c_1", webhookId: "wh_1" },
    ]);
  });
});
