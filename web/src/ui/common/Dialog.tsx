// A modal built on <dialog>: the browser traps focus, Escape closes it, and
// focus goes back where it was.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { useApp } from "./context";

const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])";

export function Dialog({ title, onClose, children, wide, className }: { title: string; onClose(): void; children: ComponentChildren; wide?: boolean; className?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const { t } = useApp();
  useEffect(() => {
    const back = document.activeElement as HTMLElement | null;
    const d = ref.current!;
    if (!d.open) d.showModal?.();
    const first = d.querySelector<HTMLElement>("input, textarea, select, button:not(.dialog-close)");
    first?.focus();
    // Close before giving focus back: while the modal is open everything
    // outside it is inert and would refuse the focus.
    return () => {
      if (d.open) d.close();
      back?.focus?.();
    };
  }, []);
  const id = `dlg-${title.replace(/\W+/g, "-")}`;
  return (
    <dialog
      ref={ref}
      class={["dialog", wide ? "wide" : "", className ?? ""].filter(Boolean).join(" ")}
      aria-labelledby={id}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
      onKeyDown={(e) => {
        // Keep Tab inside the dialog (the browser would move on to its own
        // toolbar from the last control).
        if (e.key !== "Tab") return;
        const all = Array.from(ref.current!.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => !el.hasAttribute("disabled") && el.offsetParent !== null);
        if (all.length === 0) return;
        const first = all[0];
        const last = all[all.length - 1];
        if (e.shiftKey && document.activeElement === first) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
          e.preventDefault();
          first.focus();
        }
      }}
    >
      <div class="dialog-body">
        <header class="dialog-head">
          <h2 id={id}>{title}</h2>
          <button type="button" class="icon-btn dialog-close" onClick={onClose} aria-label={t("common.close")} title={t("common.close")}>
            ×
          </button>
        </header>
        {children}
      </div>
    </dialog>
  );
}
