// Beside a member of an encrypted room (the members panel): the way to the
// safety number with them, marked when their key changed.
import { useState } from "preact/hooks";
import { useApp } from "../common/context";
import { useE2EE } from "./api";
import { LockBadge } from "./LockBadge";
import { SafetyNumberDialog } from "./SafetyNumberDialog";

export function SafetyNumberButton({ userId, name }: { userId: string; name: string }) {
  const { t } = useApp();
  const e2ee = useE2EE();
  const [open, setOpen] = useState(false);
  if (!e2ee || e2ee.status !== "ready") return null;
  const changed = e2ee.keyWarnings.has(userId);
  return (
    <>
      <span class={changed ? "e2ee-member changed" : "e2ee-member"}>
        <LockBadge onClick={() => setOpen(true)} label={changed ? `${t("e2ee.safetyTitle", { name })} (${t("e2ee.keyChangedShort")})` : t("e2ee.safetyTitle", { name })} />
      </span>
      {open && <SafetyNumberDialog e2ee={e2ee} userId={userId} name={name} onClose={() => setOpen(false)} />}
    </>
  );
}
