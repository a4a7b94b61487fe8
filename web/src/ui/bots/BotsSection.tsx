// The admin console's bots (issue 16): create a bot (its token is shown
// once, with a copy button), give it a new token, delete it. Admins only;
// the server checks the policy on every action.
import { useEffect, useState } from "preact/hooks";
import type { Bot, BotFrame, BotsFrame } from "../../api/protocol.gen";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";

export function BotsSection() {
  const { chat, t, prefs } = useApp();
  const [bots, setBots] = useState<Bot[] | null>(null);
  const [name, setName] = useState("");
  const [color, setColor] = useState("#5c6bc0");
  const [shown, setShown] = useState<{ name: string; token: string } | null>(null);
  const [status, setStatus] = useState("");
  const list = useSubmit();
  const act = useSubmit();

  useEffect(() => {
    void list.run(async () => {
      const ev = (await chat.read({ action: "listBots" }, 3)) as BotsFrame;
      setBots(ev.bots ?? []);
    });
  }, []);

  const create = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      const ev = (await chat.request({ action: "createBot", name: name.trim(), avatarColor: color })) as BotFrame;
      setBots((all) => [...(all ?? []), ev.bot]);
      setShown({ name: ev.bot.name, token: ev.token ?? "" });
      setStatus("");
      setName("");
      act.setError("");
    });
  };
  const rotate = (b: Bot) =>
    act.run(async () => {
      const ev = (await chat.request({ action: "rotateBotToken", botId: b.botId })) as BotFrame;
      setBots((all) => (all ?? []).map((x) => (x.botId === b.botId ? ev.bot : x)));
      setShown({ name: ev.bot.name, token: ev.token ?? "" });
      setStatus("");
      act.setError("");
    });
  const remove = (b: Bot) =>
    act.run(async () => {
      await chat.request({ action: "deleteBot", botId: b.botId });
      setBots((all) => (all ?? []).filter((x) => x.botId !== b.botId));
      setShown((s) => (s?.name === b.name ? null : s));
      setStatus(t("bots.deleted", { name: b.name }));
      act.setError("");
    });
  const copy = async () => {
    if (!shown) return;
    try {
      await navigator.clipboard.writeText(shown.token);
      setStatus(t("bots.copied"));
    } catch {
      // No clipboard permission: the field stays selected for a manual copy.
      (document.getElementById("bot-token") as HTMLInputElement | null)?.select();
    }
  };

  return (
    <section class="stack bots-admin" aria-labelledby="bots-title">
      <h3 id="bots-title">{t("bots.title")}</h3>
      <p class="hint">{t("bots.hint")}</p>
      <form class="admin-invite" onSubmit={create}>
        <label>
          {t("bots.name")}
          <input name="bot-name" required maxLength={40} autoComplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          {t("bots.color")}
          <input name="bot-color" type="color" value={color} onInput={(e) => setColor(e.currentTarget.value)} />
        </label>
        <button type="submit" class="btn primary" disabled={act.busy}>
          {t("bots.create")}
        </button>
      </form>
      {shown && (
        <div class="bot-token" role="group" aria-labelledby="bot-token-label">
          <p id="bot-token-label">{t("bots.tokenOnce", { name: shown.name })}</p>
          <div class="bot-token-row">
            <input id="bot-token" name="bot-token" readOnly value={shown.token} aria-label={t("bots.token")} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" class="btn" onClick={() => void copy()}>
              {t("bots.copy")}
            </button>
          </div>
        </div>
      )}
      <p role="status" class="admin-status">
        {act.error ? t("common.error", { error: act.error }) : list.error ? t("common.error", { error: list.error }) : status}
      </p>
      {bots === null ? (
        <p>{t("common.loading")}</p>
      ) : bots.length === 0 ? (
        <p>{t("bots.none")}</p>
      ) : (
        <ul class="people-list bots-list">
          {bots.map((b) => (
            <li key={b.botId} class="person" data-bot-id={b.botId}>
              <span class="bot-swatch" style={{ background: b.avatarColor }} aria-hidden="true" />
              <div class="person-who">
                <span class="person-name">{b.name}</span>
                <span class="person-email">{t("bots.created", { date: new Date(b.createdAt).toLocaleDateString(prefs.lang) })}</span>
              </div>
              <button
                type="button"
                class="btn"
                disabled={act.busy}
                aria-label={t("bots.rotateFor", { name: b.name })}
                onClick={() => {
                  if (confirm(t("bots.confirmRotate", { name: b.name }))) void rotate(b);
                }}
              >
                {t("bots.rotate")}
              </button>
              <button
                type="button"
                class="btn danger"
                disabled={act.busy}
                aria-label={t("bots.deleteFor", { name: b.name })}
                onClick={() => {
                  if (confirm(t("bots.confirmDelete", { name: b.name }))) void remove(b);
                }}
              >
                {t("bots.delete")}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
