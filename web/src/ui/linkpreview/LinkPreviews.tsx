// Link previews under a message: the card the unfurl worker stored for
// each of its first links (site, title linking to the page, description,
// thumbnail). Text is rendered as text (escaped by Preact), never as
// HTML; the image loads without a referrer, lazily, and hides itself if
// it fails. The sender sees a × that removes a preview.
import "./linkpreview.css";
import { useState } from "preact/hooks";
import type { LinkPreview, Message } from "../../api/protocol.gen";
import { useApp } from "../common/context";
import { errorText } from "../common/errorText";

// safeHref keeps only http(s) URLs (the server sends nothing else; this is
// the client's own check before it makes a link of one).
function safeHref(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : undefined;
  } catch {
    return undefined;
  }
}

function siteOf(p: LinkPreview): string {
  if (p.siteName) return p.siteName;
  try {
    return new URL(p.url).hostname;
  } catch {
    return p.url;
  }
}

function PreviewCard({ msg, p, mine }: { msg: Message; p: LinkPreview; mine: boolean }) {
  const { chat, t } = useApp();
  const [broken, setBroken] = useState(false);
  const href = safeHref(p.url);
  const img = safeHref(p.imageUrl);
  const site = siteOf(p);
  return (
    <div class="link-preview" data-url={p.url}>
      <div class="link-preview-body">
        <span class="link-preview-site">{site}</span>
        {p.title && (href ? (
          <a class="link-preview-title" href={href} target="_blank" rel="noopener noreferrer nofollow">
            {p.title}
          </a>
        ) : (
          <span class="link-preview-title">{p.title}</span>
        ))}
        {p.description && <p class="link-preview-desc">{p.description}</p>}
      </div>
      {img && !broken && (
        <img class="link-preview-img" src={img} alt="" loading="lazy" decoding="async" referrerpolicy="no-referrer" onError={() => setBroken(true)} />
      )}
      {mine && (
        <button
          type="button"
          class="icon-btn link-preview-remove"
          aria-label={t("preview.remove", { site })}
          title={t("preview.remove", { site })}
          onClick={() => chat.removePreview(msg.roomId, msg.seq, p.url).then(() => chat.announce(t("preview.removed")), (err) => chat.announce(errorText(err, t)))}
        >
          ×
        </button>
      )}
    </div>
  );
}

export function LinkPreviews({ msg, mine }: { msg: Message; mine: boolean }) {
  const { t } = useApp();
  if (!msg.previews?.length || msg.deleted) return null;
  return (
    <div class="link-previews" role="group" aria-label={t("preview.list")}>
      {msg.previews.map((p) => (
        <PreviewCard key={p.url} msg={msg} p={p} mine={mine} />
      ))}
    </div>
  );
}
