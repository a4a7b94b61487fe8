// Settings › Privacy (issue 15): appear offline, read receipts, who may
// start a DM, where the email shows, and the people blocked (with
// unblock). Stored on the server with the preferences: every device of
// the person follows.
import { useEffect, useState } from "preact/hooks";
import type { Profile } from "../../api/protocol.gen";
import type { DMFrom } from "../../api/notifyProtocol";
import { privacyOf } from "../../state/preferences";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { Avatar } from "../common/Avatar";

const DM_FROM: DMFrom[] = ["everyone", "rooms", "nobody"];

export function PrivacySetting({ onSaved }: { onSaved(): void }) {
  const { chat, t, preferences } = useApp();
  const state = useChatState(chat);
  const save = useSubmit();
  const privacy = privacyOf(state);
  const blocked = state.preferences?.blocked ?? [];
  const [people, setPeople] = useState<Profile[]>([]);
  const key = blocked.join(",");

  // The blocked people's names: listBlocked (they need not be in state.users).
  useEffect(() => {
    let live = true;
    if (!key) {
      setPeople([]);
      return;
    }
    chat
      .read({ action: "listBlocked" })
      .then((ev) => live && setPeople(((ev as { users?: Profile[] }).users ?? []).slice().sort((a, b) => a.displayName.localeCompare(b.displayName))))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [key]);

  const set = (patch: Parameters<typeof preferences.setPrivacy>[0]) =>
    void save.run(async () => {
      await preferences.setPrivacy(patch);
      save.setError("");
      onSaved();
    });
  const unblock = (userId: string) =>
    void save.run(async () => {
      await preferences.unblock(userId);
      save.setError("");
      onSaved();
    });
  const shown = people.filter((p) => blocked.includes(p.userId));

  return (
    <section class="settings-section privacy-section" aria-labelledby="set-privacy">
      <h3 id="set-privacy">{t("privacy.title")}</h3>
      <div class="settings-rows">
        {save.error && (
          <p class="error" role="alert">
            {t("common.error", { error: save.error })}
          </p>
        )}
        <label class="check">
          <input type="checkbox" name="appear-offline" checked={privacy.appearOffline} aria-describedby="privacy-offline-hint" onChange={(e) => set({ appearOffline: e.currentTarget.checked })} />
          {t("privacy.appearOffline")}
        </label>
        <p class="hint" id="privacy-offline-hint">
          {t("privacy.appearOfflineHint")}
        </p>
        <label class="check">
          <input type="checkbox" name="hide-receipts" checked={privacy.hideReceipts} aria-describedby="privacy-receipts-hint" onChange={(e) => set({ hideReceipts: e.currentTarget.checked })} />
          {t("privacy.hideReceipts")}
        </label>
        <p class="hint" id="privacy-receipts-hint">
          {t("privacy.hideReceiptsHint")}
        </p>
        <fieldset class="privacy-dm" aria-describedby="privacy-dm-hint">
          <legend>{t("privacy.dmFrom")}</legend>
          <div class="radios">
            {DM_FROM.map((v) => (
              <label key={v} class="check">
                <input type="radio" name="dm-from" value={v} checked={privacy.dmFrom === v} onChange={() => set({ dmFrom: v })} />
                {t(`privacy.dmFrom.${v}`)}
              </label>
            ))}
          </div>
        </fieldset>
        <p class="hint" id="privacy-dm-hint">
          {t("privacy.dmFromHint")}
        </p>
        <p class="hint">{t("privacy.email")}</p>
        <h4 id="privacy-blocked">{t("privacy.blocked")}</h4>
        {blocked.length === 0 ? (
          <p class="muted">{t("privacy.noneBlocked")}</p>
        ) : (
          <ul class="blocked-list" aria-labelledby="privacy-blocked">
            {(shown.length ? shown : blocked.map((id) => state.users[id] ?? ({ userId: id, displayName: id } as Profile))).map((p) => (
              <li key={p.userId} class="blocked-person">
                <Avatar user={p} size={24} />
                <span class="member-name">{p.displayName}</span>
                <button type="button" class="btn" aria-label={t("privacy.unblockName", { name: p.displayName })} onClick={() => unblock(p.userId)}>
                  {t("privacy.unblock")}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
