// A message's attachments: images as previews (the thumbnail once it
// exists, else the original) in space reserved from their dimensions,
// opening a full-size viewer; other files as a card with a download link.
import { useState } from "preact/hooks";
import type { Attachment } from "../../api/protocol.gen";
import { limits } from "../../api/protocol.gen";
import { displayBox, fileIcon, hasThumbnail, humanSize, isImage } from "../common/fileinfo";
import { useApp } from "../common/context";
import { ImageViewer } from "./ImageViewer";
import { useFileUrl } from "./useFileUrl";

// seq is the message's: a file is served through the message it is attached
// to, while that message is there (not deleted, not past its retention).
export function AttachmentList({ roomId, seq, attachments, pending }: { roomId: string; seq: number; attachments: Attachment[]; pending?: boolean }) {
  const [viewing, setViewing] = useState<Attachment | null>(null);
  return (
    <div class="attachments">
      {attachments.map((a) =>
        pending ? (
          <FileCard key={a.key} a={a} />
        ) : isImage(a.type) ? (
          <ImagePreview key={a.key} roomId={roomId} seq={seq} a={a} onOpen={() => setViewing(a)} />
        ) : (
          <FileLink key={a.key} roomId={roomId} seq={seq} a={a} />
        ),
      )}
      {viewing && <ImageViewer roomId={roomId} seq={seq} a={viewing} onClose={() => setViewing(null)} />}
    </div>
  );
}

function ImagePreview({ roomId, seq, a, onOpen }: { roomId: string; seq: number; a: Attachment; onOpen(): void }) {
  const { t } = useApp();
  const box = displayBox(a.width, a.height, limits.thumbnailMaxSide) ?? { width: 240, height: 180 };
  // A GIF is shown as the original, so an animated one keeps animating (its
  // thumbnail would be a still of the first frame; none is made of one).
  const { url, failed, reload } = useFileUrl(roomId, seq, a, a.type !== "image/gif" && (hasThumbnail(a.type) || !!a.thumbKey));
  return (
    <button
      type="button"
      class="att-image"
      style={{ width: `${box.width}px`, aspectRatio: `${box.width} / ${box.height}` }}
      title={t("files.openImage")}
      onClick={onOpen}
    >
      {url && !failed ? (
        <img src={url} alt={a.name} width={box.width} height={box.height} decoding="async" onError={reload} />
      ) : (
        <span class="att-image-missing">{failed ? t("files.unavailable", { name: a.name }) : <span class="sr-only">{a.name}</span>}</span>
      )}
    </button>
  );
}

function FileCard({ a, href, onClick }: { a: Attachment; href?: string; onClick?(e: MouseEvent): void }) {
  const { t, prefs } = useApp();
  const body = (
    <>
      <span class="att-icon" aria-hidden="true">
        {fileIcon(a.type)}
      </span>
      <span class="att-text">
        <span class="att-name">{a.name}</span>
        <span class="att-size">
          {humanSize(a.size, prefs.lang)}
          {href && ` · ${t("files.download")}`}
        </span>
      </span>
    </>
  );
  if (href === undefined) return <span class="att-file">{body}</span>;
  return (
    <a class="att-file" href={href || undefined} target="_blank" rel="noopener noreferrer" download={a.name} onClick={onClick}>
      {body}
    </a>
  );
}

// FileLink: a card linking to the file (served as an attachment, so the
// browser downloads it). An expired URL is renewed on click.
function FileLink({ roomId, seq, a }: { roomId: string; seq: number; a: Attachment }) {
  const { downloads } = useApp();
  const { url } = useFileUrl(roomId, seq, a, false);
  const onClick = (e: MouseEvent) => {
    if (url && downloads.fresh(a.key, false)) return;
    e.preventDefault();
    downloads.get(roomId, seq, a.key, false, a.versionId).then(
      (u) => window.open(u, "_blank", "noopener,noreferrer"),
      () => {},
    );
  };
  return <FileCard a={a} href={url} onClick={onClick} />;
}
