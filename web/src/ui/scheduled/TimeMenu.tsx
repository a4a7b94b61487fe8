// A menu of quick times (in 30 minutes, tomorrow at 9:00…) and "Custom
// time…": the "send later" menu beside Send and "Remind me" on a message.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { useApp } from "../common/context";
import { presetTime, type Preset } from "../../features/scheduled";

const LABELS: Record<Preset, "sched.in30" | "sched.in1h" | "sched.in3h" | "sched.tomorrow9" | "sched.monday9"> = { "30m": "sched.in30", "1h": "sched.in1h", "3h": "sched.in3h", tomorrow9: "sched.tomorrow9", monday9: "sched.monday9" };

export function TimeMenu({
  label,
  presets,
  disabled,
  className,
  children,
  onPick,
  onCustom,
}: {
  label: string;
  presets: Preset[];
  disabled?: boolean;
  className?: string;
  children: ComponentChildren;
  onPick(at: Date): void;
  onCustom(): void;
}) {
  const { t } = useApp();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", away);
    ref.current?.querySelector<HTMLElement>("[role=menuitem]")?.focus();
    return () => document.removeEventListener("mousedown", away);
  }, [open]);
  const close = () => {
    setOpen(false);
    ref.current?.querySelector<HTMLElement>("button")?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      const items = Array.from(ref.current?.querySelectorAll<HTMLElement>("[role=menuitem]") ?? []);
      const i = items.indexOf(document.activeElement as HTMLElement);
      e.preventDefault();
      items[(i + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length]?.focus();
    }
  };
  return (
    <div class={`time-menu ${className ?? ""}`} ref={ref} onKeyDown={onKeyDown}>
      <button type="button" class="icon-btn time-menu-btn" aria-haspopup="menu" aria-expanded={open} aria-label={label} title={label} disabled={disabled} onClick={() => setOpen(!open)}>
        {children}
      </button>
      {open && (
        <div class="time-menu-list" role="menu" aria-label={label}>
          {presets.map((p) => (
            <button
              type="button"
              role="menuitem"
              key={p}
              data-preset={p}
              onClick={() => {
                setOpen(false);
                onPick(presetTime(p, new Date()));
              }}
            >
              {t(LABELS[p])}
            </button>
          ))}
          <button
            type="button"
            role="menuitem"
            data-preset="custom"
            onClick={() => {
              setOpen(false);
              onCustom();
            }}
          >
            {t("sched.custom")}
          </button>
        </div>
      )}
    </div>
  );
}
