// Settings: profile, appearance (theme, accent, layout), language, sound
// and notifications. Appearance is remembered per user on this device.
import { useState } from "preact/hooks";
import { Dialog } from "../common/Dialog";
import { PictureSetting } from "./PictureSetting";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { ACCENTS, type Layout, type Theme } from "../../features/prefs";
import { languages, type Lang } from "../../i18n";
import { SecuritySetting } from "./SecuritySetting";
import { askPermission, notificationPermission, type Permission } from "../../features/notify";

export function SettingsDialog({ onClose }: { onClose(): void }) {
  const { chat, t, prefs, setPrefs } = useApp();
  const state = useChatState(chat);
  const [name, setName] = useState(state.me?.displayName ?? "");
  const [color, setColor] = useState(state.me?.avatarColor ?? "#78909c");
  const [saved, setSaved] = useState("");
  const profile = useSubmit();
  const [perm, setPerm] = useState<Permission>(notificationPermission());

  const saveProfile = async (e: Event) => {
    e.preventDefault();
    await profile.run(async () => {
      await chat.updateProfile(name.trim(), color);
      setSaved(t("settings.saved"));
      profile.setError("");
    });
  };

  return (
    <Dialog title={t("settings.title")} onClose={onClose} wide>
      <form onSubmit={saveProfile} class="stack">
        <h3>{t("settings.profile")}</h3>
        <PictureSetting />
        <label>
          {t("settings.displayName")}
          <input name="display-name" required maxLength={80} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          {t("settings.avatarColor")}
          <input name="avatar-color" type="color" value={color} onInput={(e) => setColor(e.currentTarget.value)} />
        </label>
        <div class="dialog-actions">
          <span role="status">{profile.error ? t("common.error", { error: profile.error }) : saved}</span>
          <button type="submit" class="btn primary">
            {t("settings.saveProfile")}
          </button>
        </div>
      </form>
      <div class="stack">
        <h3>{t("settings.appearance")}</h3>
        <fieldset class="radios">
          <legend>{t("settings.theme")}</legend>
          {(["light", "dark", "system"] as Theme[]).map((th) => (
            <label key={th} class="check">
              <input type="radio" name="theme" value={th} checked={prefs.theme === th} onChange={() => setPrefs({ ...prefs, theme: th })} />
              {t(`settings.theme.${th}`)}
            </label>
          ))}
        </fieldset>
        <fieldset class="radios">
          <legend>{t("settings.accent")}</legend>
          {ACCENTS.map((a) => (
            <label key={a} class="swatch-label">
              <input type="radio" name="accent" value={a} checked={prefs.accent === a} onChange={() => setPrefs({ ...prefs, accent: a })} aria-label={a} />
              <span class="swatch" style={{ background: a }} aria-hidden="true" />
            </label>
          ))}
        </fieldset>
        <fieldset class="radios">
          <legend>{t("settings.layout")}</legend>
          {(["compact", "bubble"] as Layout[]).map((l) => (
            <label key={l} class="check">
              <input type="radio" name="layout" value={l} checked={prefs.layout === l} onChange={() => setPrefs({ ...prefs, layout: l })} />
              {t(`settings.layout.${l}`)}
            </label>
          ))}
        </fieldset>
        <label>
          {t("settings.language")}
          <select name="language" value={prefs.lang} onChange={(e) => setPrefs({ ...prefs, lang: e.currentTarget.value as Lang })}>
            {languages.map((l) => (
              <option key={l.code} value={l.code}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
        <h3>{t("settings.notifications")}</h3>
        <label class="check">
          <input type="checkbox" name="sound" checked={prefs.sound} onChange={(e) => setPrefs({ ...prefs, sound: e.currentTarget.checked })} />
          {t("settings.sound")}
        </label>
        <label class="check">
          <input type="checkbox" name="mentions-only" checked={prefs.mentionsOnly} onChange={(e) => setPrefs({ ...prefs, mentionsOnly: e.currentTarget.checked })} />
          {t("settings.notifyMentionsOnly")}
        </label>
        {perm === "default" && (
          <button type="button" class="btn" onClick={() => void askPermission().then(setPerm)}>
            {t("settings.notifyEnable")}
          </button>
        )}
        {perm === "granted" && <p>{t("settings.notifyGranted")}</p>}
        {perm === "denied" && <p>{t("settings.notifyDenied")}</p>}
        {perm === "unsupported" && <p>{t("settings.notifyUnsupported")}</p>}
      </div>
      <SecuritySetting />
    </Dialog>
  );
}
