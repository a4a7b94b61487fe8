// The admin console's support widgets (issue #17): the list, a form to
// create or edit every setting (WidgetSettingsForm), the embed snippet with
// a copy button, and a new identity secret (shown once, with a copy
// button). Admins only; the server checks the policy on every action.
import { useEffect, useState } from "preact/hooks";
import type { Bot, BotsFrame, SupportTeam, SupportTeamsFrame, Widget, WidgetFrame, WidgetsFrame } from "../../../api/protocol.gen";
import { embedSnippet, forSave, newWidget } from "../../../state/widgets";
import { useApp } from "../../common/context";
import { useSubmit } from "../../common/useSubmit";
import { WidgetSettingsForm } from "./WidgetSettingsForm";

export function WidgetSettings() {
  const { chat, t } = useApp();
  const [widgets, setWidgets] = useState<Widget[] | null>(null);
  const [teams, setTeams] = useState<SupportTeam[]>([]);
  const [bots, setBots] = useState<Bot[]>([]);
  const [editing, setEditing] = useState<Widget | null>(null);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [snippetFor, setSnippetFor] = useState<string>("");
  const [status, setStatus] = useState("");
  const list = useSubmit();
  const act = useSubmit();
  const siteOrigin = typeof location !== "undefined" ? location.origin : "";

  useEffect(() => {
    void list.run(async () => {
      const ev = (await chat.read({ action: "listWidgets" }, 3)) as WidgetsFrame;
      setWidgets(ev.widgets ?? []);
    });
    // Teams and bots for the pickers: optional (support may have none yet).
    void chat
      .read({ action: "listSupportTeams" }, 3)
      .then((ev) => setTeams((ev as SupportTeamsFrame).teams ?? []))
      .catch(() => setTeams([]));
    void chat
      .read({ action: "listBots" }, 3)
      .then((ev) => setBots((ev as BotsFrame).bots ?? []))
      .catch(() => setBots([]));
  }, []);

  const save = (w: Widget) =>
    act.run(async () => {
      const body = forSave(w);
      if (!w.id) {
        const ev = (await chat.request({ action: "createWidget", widget: body })) as WidgetFrame;
        setWidgets((all) => [...(all ?? []), ev.widget]);
        setSecret({ name: ev.widget.name, secret: ev.identitySecret ?? "" });
        setSnippetFor(ev.widget.id);
      } else {
        const ev = (await chat.request({ action: "updateWidget", widget: body })) as WidgetFrame;
        setWidgets((all) => (all ?? []).map((x) => (x.id === ev.widget.id ? ev.widget : x)));
        setSnippetFor(ev.widget.id);
      }
      setEditing(null);
      setStatus(t("widgets.saved", { name: body.name }));
      act.setError("");
    });
  const rotate = (w: Widget) =>
    act.run(async () => {
      const ev = (await chat.request({ action: "rotateWidgetSecret", widgetId: w.id })) as WidgetFrame;
      setWidgets((all) => (all ?? []).map((x) => (x.id === w.id ? ev.widget : x)));
      setSecret({ name: ev.widget.name, secret: ev.identitySecret ?? "" });
      setStatus("");
      act.setError("");
    });
  const remove = (w: Widget) =>
    act.run(async () => {
      await chat.request({ action: "deleteWidget", widgetId: w.id });
      setWidgets((all) => (all ?? []).filter((x) => x.id !== w.id));
      setSecret((s) => (s?.name === w.name ? null : s));
      if (snippetFor === w.id) setSnippetFor("");
      setStatus(t("widgets.deleted", { name: w.name }));
      act.setError("");
    });
  const copy = async (text: string, fieldId: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setStatus(t("widgets.copied"));
    } catch {
      // No clipboard permission: select the field for a manual copy.
      (document.getElementById(fieldId) as HTMLInputElement | HTMLTextAreaElement | null)?.select();
    }
  };
  const shownSnippet = snippetFor && widgets?.some((w) => w.id === snippetFor) ? embedSnippet(siteOrigin, snippetFor) : "";

  return (
    <section class="stack widgets-admin" aria-labelledby="widgets-title">
      <h3 id="widgets-title">{t("widgets.title")}</h3>
      <p class="hint">{t("widgets.hint")}</p>
      {editing ? (
        <WidgetSettingsForm initial={editing} teams={teams} bots={bots} busy={act.busy} onSave={(w) => void save(w)} onCancel={() => setEditing(null)} />
      ) : (
        <button type="button" class="btn primary" onClick={() => setEditing(newWidget())}>
          {t("widgets.new")}
        </button>
      )}
      {secret && (
        <div class="bot-token widget-secret" role="group" aria-labelledby="widget-secret-label">
          <p id="widget-secret-label">{t("widgets.secretOnce", { name: secret.name })}</p>
          <div class="bot-token-row">
            <input id="widget-secret" name="widget-secret" readOnly value={secret.secret} aria-label={t("widgets.secret")} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" class="btn" onClick={() => void copy(secret.secret, "widget-secret")}>
              {t("widgets.copySecret")}
            </button>
          </div>
        </div>
      )}
      {shownSnippet && (
        <div class="widget-embed" role="group" aria-labelledby="widget-embed-label">
          <p id="widget-embed-label">
            <strong>{t("widgets.embed")}</strong> {t("widgets.embedHint")}
          </p>
          <div class="bot-token-row">
            <textarea id="widget-embed" name="widget-embed" readOnly rows={2} value={shownSnippet} aria-label={t("widgets.embed")} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" class="btn" onClick={() => void copy(shownSnippet, "widget-embed")}>
              {t("widgets.copyEmbed")}
            </button>
          </div>
        </div>
      )}
      <p role="status" class="admin-status">
        {act.error ? t("common.error", { error: act.error }) : list.error ? t("common.error", { error: list.error }) : status}
      </p>
      {widgets === null ? (
        <p>{t("common.loading")}</p>
      ) : widgets.length === 0 ? (
        <p>{t("widgets.none")}</p>
      ) : (
        <ul class="people-list widgets-list">
          {widgets.map((w) => (
            <li key={w.id} class="widget-item" data-widget-id={w.id}>
              <span class="bot-swatch" style={{ background: w.appearance.primaryColor }} aria-hidden="true" />
              <div class="person-who">
                <span class="person-name">{w.name}</span>
                <span class="person-email" title={w.allowedOrigins.join("\n")}>
                  {t("widgets.origins", { n: w.allowedOrigins.length })}
                </span>
              </div>
              <button type="button" class="btn" disabled={act.busy} aria-label={t("widgets.editFor", { name: w.name })} onClick={() => {
                setEditing(w);
                setSnippetFor(w.id);
              }}>
                {t("widgets.edit")}
              </button>
              <button
                type="button"
                class="btn"
                disabled={act.busy}
                aria-label={t("widgets.rotateFor", { name: w.name })}
                onClick={() => {
                  if (confirm(t("widgets.confirmRotate", { name: w.name }))) void rotate(w);
                }}
              >
                {t("widgets.rotate")}
              </button>
              <button
                type="button"
                class="btn danger"
                disabled={act.busy}
                aria-label={t("widgets.deleteFor", { name: w.name })}
                onClick={() => {
                  if (confirm(t("widgets.confirmDelete", { name: w.name }))) void remove(w);
                }}
              >
                {t("widgets.delete")}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
