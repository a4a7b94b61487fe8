// Settings › Notifications: sound and mentions-only (this device), the
// browser's permission, Web Push on this device, and the synced ones:
// previews, email for what was missed, do-not-disturb with its time zone.
import { useEffect, useMemo, useState } from "preact/hooks";
import type { NotifyPreferences } from "../../api/notifyProtocol";
import { defaultNotify, localTimeZone } from "../../state/preferences";
import { askPermission, notificationPermission, type Permission } from "../../features/notify";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import type { Prefs } from "../../features/prefs";

const DELAYS = [15, 30, 60, 240];

function timeZones(current: string): string[] {
  let zones: string[] = [];
  try {
    zones = (Intl as unknown as { supportedValuesOf?(k: string): string[] }).supportedValuesOf?.("timeZone") ?? [];
  } catch {
    /* older browsers: the current zone only */
  }
  return zones.includes(current) ? zones : [current, ...zones];
}

export function NotificationsSetting({ pref, onSaved }: { pref(p: Prefs): void; onSaved(): void }) {
  const { chat, t, prefs, preferences, push } = useApp();
  const state = useChatState(chat);
  const [perm, setPerm] = useState<Permission>(notificationPermission());
  const [pushPossible, setPushPossible] = useState<boolean | null>(null);
  const save = useSubmit();
  const notify: NotifyPreferences = state.preferences?.notify ?? defaultNotify();
  const pushKey = state.preferences?.pushKey ?? "";
  useEffect(() => {
    let live = true;
    void push.available().then((ok) => live && setPushPossible(ok));
    return () => {
      live = false;
    };
  }, [pushKey]);
  const zones = useMemo(() => timeZones(notify.dnd.tz || localTimeZone()), [notify.dnd.tz]);
  const days = useMemo(() => [1, 2, 3, 4, 5, 6, 7].map((d) => ({ d, name: new Date(Date.UTC(2024, 0, d)).toLocaleDateString(prefs.lang, { weekday: "short", timeZone: "UTC" }) })), [prefs.lang]);

  const setNotify = (next: NotifyPreferences) =>
    void save.run(async () => {
      await preferences.setNotify(next);
      save.setError("");
      onSaved();
    });
  const setDnd = (d: Partial<NotifyPreferences["dnd"]>) => setNotify({ ...notify, dnd: { ...notify.dnd, ...d } });

  const togglePush = async (on: boolean) => {
    if (!on) return push.disable();
    let p = notificationPermission();
    if (p === "default") {
      p = await askPermission();
      setPerm(p);
    }
    if (p === "granted") await push.enable();
  };

  return (
    <>
      <h3 id="set-notify">{t("settings.notifications")}</h3>
      <div class="settings-rows">
        {save.error && (
          <p class="error" role="alert">
            {t("common.error", { error: save.error })}
          </p>
        )}
        <label class="check">
          <input type="checkbox" name="sound" checked={prefs.sound} onChange={(e) => pref({ ...prefs, sound: e.currentTarget.checked })} />
          {t("settings.sound")}
        </label>
        <label class="check">
          <input type="checkbox" name="mentions-only" checked={prefs.mentionsOnly} onChange={(e) => pref({ ...prefs, mentionsOnly: e.currentTarget.checked })} />
          {t("settings.notifyMentionsOnly")}
        </label>
        <label class="check">
          <input type="checkbox" name="previews" checked={notify.previews} onChange={(e) => setNotify({ ...notify, previews: e.currentTarget.checked })} />
          {t("settings.previews")}
        </label>
        {perm === "default" && (
          <button type="button" class="btn" onClick={() => void askPermission().then(setPerm)}>
            {t("settings.notifyEnable")}
          </button>
        )}
        {perm === "granted" && <p class="hint">{t("settings.notifyGranted")}</p>}
        {perm === "denied" && <p class="hint">{t("settings.notifyDenied")}</p>}
        {perm === "unsupported" && <p class="hint">{t("settings.notifyUnsupported")}</p>}
        <label class="check">
          <input
            type="checkbox"
            name="push"
            checked={push.wanted()}
            disabled={!pushPossible || perm === "denied" || push.state === "working"}
            onChange={(e) => void togglePush(e.currentTarget.checked)}
          />
          {t("settings.push")}
        </label>
        {pushPossible === false && <p class="hint">{t("settings.pushUnavailable")}</p>}
        {push.state === "working" && <p class="hint">{t("settings.pushWorking")}</p>}
        {push.error && <p class="hint error">{t("settings.pushError", { error: push.error })}</p>}
        <label class="check">
          <input type="checkbox" name="email" checked={notify.email} onChange={(e) => setNotify({ ...notify, email: e.currentTarget.checked })} />
          {t("settings.email")}
        </label>
        {notify.email && (
          <label class="settings-row">
            <span>{t("settings.emailDelay")}</span>
            <select name="email-delay" value={String(notify.emailDelayMinutes)} onChange={(e) => setNotify({ ...notify, emailDelayMinutes: Number(e.currentTarget.value) })}>
              {(DELAYS.includes(notify.emailDelayMinutes) ? DELAYS : [notify.emailDelayMinutes, ...DELAYS]).map((m) => (
                <option key={m} value={String(m)}>
                  {t("settings.minutes", { n: m })}
                </option>
              ))}
            </select>
          </label>
        )}
        <fieldset class="dnd">
          <legend>{t("settings.dnd")}</legend>
          <label class="check">
            <input type="checkbox" name="dnd" checked={notify.dnd.enabled} onChange={(e) => setDnd({ enabled: e.currentTarget.checked })} />
            {t("settings.dndEnabled")}
          </label>
          <div class="dnd-times">
            <label>
              {t("settings.dndFrom")}
              <input type="time" name="dnd-start" value={notify.dnd.start} disabled={!notify.dnd.enabled} onChange={(e) => e.currentTarget.value && setDnd({ start: e.currentTarget.value })} />
            </label>
            <label>
              {t("settings.dndTo")}
              <input type="time" name="dnd-end" value={notify.dnd.end} disabled={!notify.dnd.enabled} onChange={(e) => e.currentTarget.value && setDnd({ end: e.currentTarget.value })} />
            </label>
          </div>
          <div class="dnd-days" role="group" aria-label={t("settings.dndDays")}>
            {days.map(({ d, name }) => (
              <label key={d} class="check day">
                <input
                  type="checkbox"
                  name={`dnd-day-${d}`}
                  checked={notify.dnd.days.includes(d)}
                  disabled={!notify.dnd.enabled}
                  onChange={(e) => setDnd({ days: e.currentTarget.checked ? [...notify.dnd.days, d].sort() : notify.dnd.days.filter((x) => x !== d) })}
                />
                {name}
              </label>
            ))}
          </div>
          <label class="settings-row">
            <span>{t("settings.dndTz")}</span>
            <select name="dnd-tz" value={notify.dnd.tz} disabled={!notify.dnd.enabled} onChange={(e) => setDnd({ tz: e.currentTarget.value })}>
              {zones.map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
          </label>
        </fieldset>
      </div>
    </>
  );
}
