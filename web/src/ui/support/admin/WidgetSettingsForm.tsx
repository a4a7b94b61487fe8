// Every setting of one support widget (issue #17): name and allowed sites,
// appearance (colour, position, title), languages and greetings, the
// pre-chat fields (and which are required), topics and the team each
// routes to, the default team, and who answers first (nobody, the FAQ
// with its entries, or a bot account). Mistakes show before saving
// (state/widgets check); the server checks again.
import { useState } from "preact/hooks";
import type { Bot, SupportTeam, Widget } from "../../../api/protocol.gen";
import type { MessageKey } from "../../../i18n";
import { addFAQ, addTopic, BOT_KINDS, check, isColor, OriginError, parseOrigins, PRECHAT_FIELDS, toggle, WIDGET_LANGUAGES } from "../../../state/widgets";
import { useApp } from "../../common/context";

interface Props {
  initial: Widget;
  teams: SupportTeam[];
  bots: Bot[];
  busy: boolean;
  onSave(w: Widget): void;
  onCancel(): void;
}

const LANG_NAMES: Record<string, string> = { en: "English", de: "Deutsch" };

export function WidgetSettingsForm({ initial, teams, bots, busy, onSave, onCancel }: Props) {
  const { t } = useApp();
  const [w, setW] = useState<Widget>(initial);
  const [originsText, setOriginsText] = useState(initial.allowedOrigins.join("\n"));
  const [problem, setProblem] = useState("");
  const set = (patch: Partial<Widget>) => setW((old) => ({ ...old, ...patch }));
  const setBot = (patch: Partial<Widget["bot"]>) => setW((old) => ({ ...old, bot: { ...old.bot, ...patch } }));
  const topics = w.topics ?? [];
  const faq = w.bot.faq ?? [];

  const submit = (e: Event) => {
    e.preventDefault();
    const { origins, errors } = parseOrigins(originsText);
    if (errors.length > 0) {
      const err: OriginError = errors[0];
      setProblem(t(err.key, { origin: err.origin.trim() }));
      return;
    }
    const draft = { ...w, allowedOrigins: origins };
    const p = check(draft);
    if (p) {
      setProblem(t(p.key as MessageKey, p.vars));
      return;
    }
    setProblem("");
    onSave(draft);
  };

  return (
    <form class="stack widget-form" onSubmit={submit} aria-label={initial.id ? t("widgets.editFor", { name: initial.name }) : t("widgets.new")} noValidate>
      <fieldset>
        <legend>{t("widgets.form.general")}</legend>
        <label>
          {t("widgets.form.name")}
          <input name="widget-name" required maxLength={80} value={w.name} onInput={(e) => set({ name: e.currentTarget.value })} />
        </label>
        <label>
          {t("widgets.form.origins")}
          <textarea name="widget-origins" rows={3} value={originsText} spellcheck={false} onInput={(e) => setOriginsText(e.currentTarget.value)} />
        </label>
      </fieldset>

      <fieldset>
        <legend>{t("widgets.form.appearance")}</legend>
        <label>
          {t("widgets.form.color")}
          <span class="widget-color-row">
            <input
              name="widget-color-picker"
              type="color"
              aria-hidden="true"
              tabIndex={-1}
              value={isColor(w.appearance.primaryColor) ? w.appearance.primaryColor : "#2563eb"}
              onInput={(e) => set({ appearance: { ...w.appearance, primaryColor: e.currentTarget.value } })}
            />
            <input
              name="widget-color"
              pattern="#[0-9a-fA-F]{6}"
              maxLength={7}
              value={w.appearance.primaryColor}
              onInput={(e) => set({ appearance: { ...w.appearance, primaryColor: e.currentTarget.value.trim() } })}
            />
          </span>
        </label>
        <label>
          {t("widgets.form.position")}
          <select name="widget-position" value={w.appearance.position} onChange={(e) => set({ appearance: { ...w.appearance, position: e.currentTarget.value } })}>
            <option value="right">{t("widgets.form.right")}</option>
            <option value="left">{t("widgets.form.left")}</option>
          </select>
        </label>
        <label>
          {t("widgets.form.panelTitle")}
          <input name="widget-title" maxLength={60} value={w.appearance.title ?? ""} onInput={(e) => set({ appearance: { ...w.appearance, title: e.currentTarget.value } })} />
        </label>
      </fieldset>

      <fieldset>
        <legend>{t("widgets.form.languages")}</legend>
        {WIDGET_LANGUAGES.map((l) => (
          <label key={l} class="check">
            <input type="checkbox" name={`widget-lang-${l}`} checked={w.languages.includes(l)} onChange={(e) => set({ languages: toggle(w.languages, l, e.currentTarget.checked) })} />
            {LANG_NAMES[l]}
          </label>
        ))}
        {w.languages.map((l) => (
          <label key={`g-${l}`}>
            {t("widgets.form.greeting", { lang: LANG_NAMES[l] ?? l })}
            <textarea
              name={`widget-greeting-${l}`}
              rows={2}
              maxLength={500}
              value={w.greeting?.[l] ?? ""}
              onInput={(e) => set({ greeting: { ...(w.greeting ?? {}), [l]: e.currentTarget.value } })}
            />
          </label>
        ))}
      </fieldset>

      <fieldset>
        <legend>{t("widgets.form.prechat")}</legend>
        {PRECHAT_FIELDS.map((f) => (
          <div key={f} class="widget-prechat-row">
            <label class="check">
              <input
                type="checkbox"
                name={`widget-prechat-${f}`}
                checked={w.preChat.includes(f)}
                onChange={(e) => set({ preChat: toggle(w.preChat, f, e.currentTarget.checked), required: e.currentTarget.checked ? w.required : toggle(w.required ?? [], f, false) })}
              />
              {t(`widgets.form.field.${f}` as MessageKey)}
            </label>
            <label class="check">
              <input
                type="checkbox"
                name={`widget-required-${f}`}
                disabled={!w.preChat.includes(f)}
                checked={(w.required ?? []).includes(f)}
                onChange={(e) => set({ required: toggle(w.required ?? [], f, e.currentTarget.checked) })}
              />
              {t("widgets.form.required")}
            </label>
          </div>
        ))}
      </fieldset>

      <fieldset>
        <legend>{t("widgets.form.topics")}</legend>
        {topics.map((tp, i) => (
          <div key={tp.id} class="widget-topic-row" data-topic-id={tp.id}>
            <label>
              {t("widgets.form.topicLabel")}
              <input
                name={`widget-topic-${i}`}
                maxLength={60}
                value={tp.label}
                onInput={(e) => set({ topics: topics.map((x, j) => (j === i ? { ...x, label: e.currentTarget.value } : x)) })}
              />
            </label>
            <label>
              {t("widgets.form.topicTeam")}
              <select
                name={`widget-topic-team-${i}`}
                value={tp.teamId ?? ""}
                onChange={(e) => set({ topics: topics.map((x, j) => (j === i ? { ...x, teamId: e.currentTarget.value } : x)) })}
              >
                <option value="">{t("widgets.form.noTeam")}</option>
                {teams.map((team) => (
                  <option key={team.id} value={team.id}>
                    {team.name}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" class="btn" aria-label={t("widgets.form.removeTopic", { label: tp.label || tp.id })} onClick={() => set({ topics: topics.filter((_, j) => j !== i) })}>
              ×
            </button>
          </div>
        ))}
        <button type="button" class="btn" onClick={() => setW((old) => addTopic(old, t("widgets.form.newTopic")))}>
          {t("widgets.form.addTopic")}
        </button>
        <label>
          {t("widgets.form.defaultTeam")}
          <select name="widget-default-team" value={w.defaultTeamId ?? ""} onChange={(e) => set({ defaultTeamId: e.currentTarget.value })}>
            <option value="">{t("widgets.form.anyTeam")}</option>
            {teams.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        </label>
      </fieldset>

      <fieldset>
        <legend>{t("widgets.form.bot")}</legend>
        {BOT_KINDS.map((k) => (
          <label key={k || "none"} class="check">
            <input type="radio" name="widget-bot-kind" value={k} checked={w.bot.kind === k} onChange={() => setBot({ kind: k })} />
            {t(k === "" ? "widgets.form.botNone" : k === "faq" ? "widgets.form.botFaq" : "widgets.form.botBot")}
          </label>
        ))}
        {w.bot.kind !== "" && (
          <label>
            {t("widgets.form.botName")}
            <input name="widget-bot-name" maxLength={40} value={w.bot.name ?? ""} onInput={(e) => setBot({ name: e.currentTarget.value })} />
          </label>
        )}
        {w.bot.kind === "bot" && (
          <label>
            {t("widgets.form.botAccount")}
            <select name="widget-bot-account" value={w.bot.botId ?? ""} onChange={(e) => setBot({ botId: e.currentTarget.value })}>
              <option value="" />
              {bots.map((b) => (
                <option key={b.botId} value={b.botId}>
                  {b.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {w.bot.kind === "faq" && (
          <>
            <label>
              {t("widgets.form.threshold")}
              <input
                name="widget-bot-threshold"
                type="number"
                min={0}
                max={1}
                step={0.05}
                value={w.bot.threshold ?? 0.5}
                onInput={(e) => setBot({ threshold: Number(e.currentTarget.value) })}
              />
            </label>
            <p>
              <strong>{t("widgets.form.faq")}</strong>
            </p>
            {faq.map((f, i) => (
              <div key={f.id} class="widget-faq-row" data-faq-id={f.id}>
                <label>
                  {t("widgets.form.faqQuestions")}
                  <textarea
                    name={`widget-faq-q-${i}`}
                    rows={2}
                    value={f.questions.join("\n")}
                    onInput={(e) => setBot({ faq: faq.map((x, j) => (j === i ? { ...x, questions: e.currentTarget.value.split("\n") } : x)) })}
                  />
                </label>
                <label>
                  {t("widgets.form.faqAnswer")}
                  <textarea
                    name={`widget-faq-a-${i}`}
                    rows={2}
                    maxLength={2000}
                    value={f.answer}
                    onInput={(e) => setBot({ faq: faq.map((x, j) => (j === i ? { ...x, answer: e.currentTarget.value } : x)) })}
                  />
                </label>
                <button type="button" class="btn" aria-label={t("widgets.form.removeFaq", { n: i + 1 })} onClick={() => setBot({ faq: faq.filter((_, j) => j !== i) })}>
                  ×
                </button>
              </div>
            ))}
            <button type="button" class="btn" onClick={() => setW((old) => addFAQ(old))}>
              {t("widgets.form.addFaq")}
            </button>
          </>
        )}
      </fieldset>

      <p role="alert" class="form-error">
        {problem}
      </p>
      <div class="row">
        <button type="submit" class="btn primary" disabled={busy}>
          {initial.id ? t("widgets.form.save") : t("widgets.form.create")}
        </button>
        <button type="button" class="btn" onClick={onCancel}>
          {t("widgets.form.cancel")}
        </button>
      </div>
    </form>
  );
}
