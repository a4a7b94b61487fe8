// The legal pages: a link that opens a bundled Markdown page (a path on
// this site ending in .md) in a modal the app renders itself, or any other
// page (the operator's https URL) in a new tab. Usable outside the chat
// (the sign-up form), so it takes the translator and builds its own
// <dialog>.
import "./legal.css";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Translate } from "../../i18n";
import { renderMarkdown, safeHref } from "./markdown";

export function isBundled(href: string): boolean {
  return href.startsWith("/") && !href.startsWith("//") && /\.md$/i.test(href);
}

export function LegalLink({ href, label, t }: { href: string; label: string; t: Translate }) {
  const [open, setOpen] = useState(false);
  const safe = safeHref(href);
  if (!safe) return <span>{label}</span>;
  if (!isBundled(safe)) {
    return (
      <a href={safe} target="_blank" rel="noopener noreferrer">
        {label}
      </a>
    );
  }
  return (
    <>
      <a
        href={safe}
        data-legal={label}
        onClick={(e) => {
          e.preventDefault();
          setOpen(true);
        }}
      >
        {label}
      </a>
      {open && <LegalViewer href={safe} title={label} t={t} onClose={() => setOpen(false)} />}
    </>
  );
}

export function LegalViewer({ href, title, t, onClose }: { href: string; title: string; t: Translate; onClose(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [text, setText] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const back = document.activeElement as HTMLElement | null;
    const d = ref.current!;
    if (!d.open) d.showModal?.();
    d.querySelector<HTMLElement>("button")?.focus();
    return () => {
      if (d.open) d.close();
      back?.focus?.();
    };
  }, []);
  useEffect(() => {
    let live = true;
    fetch(href, { cache: "no-cache" })
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(String(r.status)))))
      .then((s) => live && setText(s))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [href]);
  const id = `legal-${title.replace(/\W+/g, "-")}`;
  return (
    <dialog
      ref={ref}
      class="dialog wide legal-viewer"
      aria-labelledby={id}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div class="dialog-body">
        <header class="dialog-head">
          <h2 id={id}>{title}</h2>
          <button type="button" class="icon-btn dialog-close" onClick={onClose} aria-label={t("common.close")} title={t("common.close")}>
            ×
          </button>
        </header>
        <article class="legal-page">
          {failed ? (
            <p class="error" role="alert">
              {t("legal.loadFailed")}{" "}
              <a href={href} target="_blank" rel="noopener noreferrer">
                {href}
              </a>
            </p>
          ) : text === null ? (
            <p role="status">{t("common.loading")}</p>
          ) : (
            // The page's own title is the dialog's heading already.
            renderMarkdown(text.replace(/^\s*#\s[^\n]*\n/, ""))
          )}
        </article>
      </div>
    </dialog>
  );
}
