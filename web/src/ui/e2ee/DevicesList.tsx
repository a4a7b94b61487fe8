// My devices: which one this is, which are verified (signed by my identity),
// when each was added and last active; remove one (after a confirmation),
// or verify an unverified one from this (verified) device.
import { useEffect, useState } from "preact/hooks";
import { useApp } from "../common/context";
import { ConfirmDialog } from "../common/ConfirmDialog";
import { useSubmit } from "../common/useSubmit";
import type { DeviceView, E2EE } from "./api";

// shortId: the first characters of a device id after "dev_", in two groups.
export function shortId(deviceId: string): string {
  const s = deviceId.replace(/^dev_/, "").slice(0, 8).toUpperCase();
  return `${s.slice(0, 4)} ${s.slice(4)}`.trim();
}

export function DevicesList({ e2ee }: { e2ee: E2EE }) {
  const { t, prefs } = useApp();
  const [removing, setRemoving] = useState<DeviceView | null>(null);
  const { error, run } = useSubmit();
  // Fresh on opening, and after a verification (a device became verified).
  const stage = e2ee.verification?.stage;
  useEffect(() => {
    void e2ee.refreshDevices().catch(() => {});
  }, [e2ee, stage === "done"]);
  const date = (iso: string) => new Date(iso).toLocaleDateString(prefs.lang, { dateStyle: "medium" });
  const name = (d: DeviceView) => d.name || t("e2ee.unnamed");
  // Verifying another device signs it: only a device holding the identity.
  const canVerify = e2ee.status === "ready" && e2ee.hasIdentity;
  // This device first, then by when they were added.
  const devices = [...e2ee.devices].sort((a, b) => Number(b.current) - Number(a.current) || a.createdAt.localeCompare(b.createdAt));
  return (
    <div class="e2ee-devices" data-testid="e2ee-devices">
      <h4 id="e2ee-devices-h">{t("e2ee.devices")}</h4>
      {devices.length === 0 ? (
        <p class="muted">{t("e2ee.noDevices")}</p>
      ) : (
        <ul aria-labelledby="e2ee-devices-h">
          {devices.map((d) => (
            <li key={d.deviceId} class="e2ee-device" data-device={d.deviceId}>
              <span class="e2ee-device-text">
                <span class="e2ee-device-name">
                  {name(d)}
                  {d.current && <span class="e2ee-tag current"> {t("e2ee.thisDevice")}</span>}
                </span>
                <span class="muted small">
                  {/* Devices often share a name (the same browser): a short id tells them apart. */}
                  <span class="e2ee-device-id" title={d.deviceId}>
                    {t("e2ee.deviceId", { id: shortId(d.deviceId) })}
                  </span>
                  {" · "}
                  <span class={d.verified ? "e2ee-ok" : "e2ee-no"}>{d.verified ? t("e2ee.verified") : t("e2ee.unverified")}</span>
                  {" · "}
                  {t("e2ee.added", { date: date(d.createdAt) })}
                  {d.lastSeenAt && `, ${t("e2ee.lastActive", { date: date(d.lastSeenAt) })}`}
                </span>
              </span>
              {!d.current && !d.verified && canVerify && (
                <button type="button" class="btn" data-testid="e2ee-verify" onClick={() => void run(() => e2ee.startVerification(d.deviceId))}>
                  {t("e2ee.verify")}
                </button>
              )}
              {!d.current && (
                <button type="button" class="btn danger" data-testid="e2ee-device-remove" aria-label={`${t("e2ee.remove")}: ${name(d)}`} onClick={() => setRemoving(d)}>
                  {t("e2ee.remove")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {removing && (
        <ConfirmDialog
          title={t("e2ee.removeTitle", { name: `${name(removing)} (${t("e2ee.deviceId", { id: shortId(removing.deviceId) })})` })}
          body={t("e2ee.removeBody")}
          action={t("e2ee.remove")}
          onConfirm={() => e2ee.removeDevice(removing.deviceId)}
          onClose={() => setRemoving(null)}
        />
      )}
    </div>
  );
}
