// Settings: profile, appearance (theme, accent, layout), language, sound
// and notifications. Appearance and notifications are stored on the
// server and follow the person to every device.
import { useState } from "preact/hooks";
import { Dialog } from "../common/Dialog";
import { PictureSetting } from "./PictureSetting";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { ACCENTS, type Layout, type Theme } from "../../features/prefs";
import { languages, type Lang } from "../../i18n";
import { SecuritySetting } from "./SecuritySetting";
import { MfaSetting } from "./MfaSetting";
import { NotificationsSetting } from "./NotificationsSetting";
import { PrivacySetting } from "./PrivacySetting";
import { ExportSetting } from "./ExportSetting";
import { DeleteAccountSetting } from "./DeleteAccountSetting";
import { RetentionSetting } from "./RetentionSetting";
import { SecuritySection } from "../e2ee/SecuritySection";

export function SettingsDialog({ onClose }: { onClose(): void }) {
  const { chat, t, prefs, setPrefs } = useApp();
  const state = useChatState(chat);
  const [name, setName] = useState(state.me?.displayName ?? "");
  const [handle, setHandle] = useState(state.me?.handle ?? "");
  const [color, setColor] = useState(state.me?.avatarColor ?? "#78909c");
  const [saved, setSaved] = useState("");
  const profile = useSubmit();

  // One behaviour for everything: a change applies at once (the name when
  // the field is left or Enter is pressed), and "Saved." says so.
  const saveProfile = async (nextName: string, nextColor: string) => {
    const n = nextName.trim();
    if (!n || (n === state.me?.displayName && nextColor === state.me?.avatarColor)) return;
    await profile.run(async () => {
      await chat.updateProfile(n, nextColor);
      setSaved(t("settings.saved"));
      profile.setError("");
    });
  };
  const saveHandle = async (next: string) => {
    const h = next.trim().replace(/^@/, "").toLowerCase();
    if (!h || h === state.me?.handle) return;
    await profile.run(async () => {
      await chat.setHandle(h);
      setHandle(h);
      setSaved(t("settings.saved"));
      profile.setError("");
    });
  };
  const pref = (p: typeof prefs) => {
    setPrefs(p);
    setSaved(t("settings.saved"));
  };

  return (
    <Dialog title={t("settings.title")} onClose={onClose} wide className="settings">
      <p class="settings-status" role="status">
        {profile.error ? t("common.error", { error: profile.error }) : saved}
      </p>
      <div class="settings-grid">
        <section class="settings-section profile-section" aria-labelledby="set-profile">
          <h3 id="set-profile">{t("settings.profile")}</h3>
          <PictureSetting />
          <form
            class="settings-rows"
            onSubmit={(e) => {
              e.preventDefault();
              void saveProfile(name, color);
            }}
          >
            <label class="settings-row">
              <span>{t("settings.displayName")}</span>
              <input name="display-name" required maxLength={80} value={name} onInput={(e) => setName(e.currentTarget.value)} onBlur={() => void saveProfile(name, color)} />
            </label>
            <label class="settings-row">
              <span>{t("settings.handle")}</span>
              <span class="handle-input">
                <span aria-hidden="true">@</span>
                <input
                  name="handle"
                  autoComplete="off"
                  autoCapitalize="none"
                  spellcheck={false}
                  maxLength={31}
                  pattern="@?[a-zA-Z0-9._\-]{2,30}"
                  aria-describedby="handle-hint"
                  value={handle}
                  onInput={(e) => setHandle(e.currentTarget.value)}
                  onBlur={() => void saveHandle(handle)}
                  onKeyDown={(e) => {
                    if (e.key === "Enter") {
                      e.preventDefault();
                      void saveHandle(handle);
                    }
                  }}
                />
              </span>
            </label>
            <p class="hint settings-hint" id="handle-hint">
              {t("settings.handleHint")}
            </p>
            <label class="settings-row">
              <span>{t("settings.avatarColor")}</span>
              <input
                name="avatar-color"
                type="color"
                value={color}
                onInput={(e) => setColor(e.currentTarget.value)}
                onChange={(e) => void saveProfile(name, e.currentTarget.value)}
              />
            </label>
          </form>
        </section>
        <section class="settings-section" aria-labelledby="set-appearance">
          <h3 id="set-appearance">{t("settings.appearance")}</h3>
          <div class="settings-rows">
            <fieldset class="settings-row">
              <legend>{t("settings.theme")}</legend>
              <div class="radios">
                {(["light", "dark", "system"] as Theme[]).map((th) => (
                  <label key={th} class="check">
                    <input type="radio" name="theme" value={th} checked={prefs.theme === th} onChange={() => pref({ ...prefs, theme: th })} />
                    {t(`settings.theme.${th}`)}
                  </label>
                ))}
              </div>
            </fieldset>
            <fieldset class="settings-row">
              <legend>{t("settings.accent")}</legend>
              <div class="radios">
                {ACCENTS.map((a, i) => (
                  <label key={a} class="swatch-label" title={t("settings.accentN", { n: i + 1 })}>
                    <input type="radio" name="accent" value={a} checked={prefs.accent === a} onChange={() => pref({ ...prefs, accent: a })} aria-label={t("settings.accentN", { n: i + 1 })} />
                    <span class="swatch" style={{ background: a }} aria-hidden="true" />
                  </label>
                ))}
              </div>
            </fieldset>
            <fieldset class="settings-row">
              <legend>{t("settings.layout")}</legend>
              <div class="radios">
                {(["compact", "bubble"] as Layout[]).map((l) => (
                  <label key={l} class="check">
                    <input type="radio" name="layout" value={l} checked={prefs.layout === l} onChange={() => pref({ ...prefs, layout: l })} />
                    {t(`settings.layout.${l}`)}
                  </label>
                ))}
              </div>
            </fieldset>
            <label class="settings-row">
              <span>{t("settings.language")}</span>
              <select name="language" value={prefs.lang} onChange={(e) => pref({ ...prefs, lang: e.currentTarget.value as Lang })}>
                {languages.map((l) => (
                  <option key={l.code} value={l.code}>
                    {l.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </section>
        <section class="settings-section notify-section" aria-labelledby="set-notify">
          <NotificationsSetting pref={pref} onSaved={() => setSaved(t("settings.saved"))} />
        </section>
        <PrivacySetting onSaved={() => setSaved(t("settings.saved"))} />
      </div>
      <SecuritySetting />
      <SecuritySection />
      <MfaSetting />
      <ExportSetting />
      <DeleteAccountSetting />
      <RetentionSetting />
    </Dialog>
  );
}
