// The URL of an attachment (or of its thumbnail) for an <img> or a link.
import { useEffect, useState } from "preact/hooks";
import type { Attachment } from "../../api/protocol.gen";
import { RequestError } from "../../api/socket";
import { useApp } from "../common/context";

// A thumbnail is made a moment after the upload: ask again once after this.
const THUMB_RETRY_MS = 2000;

// useFileUrl asks for the file's URL (or its thumbnail's, falling back to
// the original while there is none and upgrading once it appears).
// reload asks again, for a URL that stopped working.
// seq is the message the file is attached to (the server serves it only
// through that message).
export function useFileUrl(roomId: string, seq: number, a: Attachment, thumb: boolean): { url: string; failed: boolean; reload(): void } {
  const { downloads } = useApp();
  const [url, setUrl] = useState("");
  const [failed, setFailed] = useState(false);
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const original = () =>
      downloads.get(roomId, seq, a.key, false, a.versionId).then(
        (u) => live && setUrl(u),
        () => live && setFailed(true),
      );
    if (!thumb) {
      void original();
    } else {
      downloads.get(roomId, seq, a.key, true).then(
        (u) => live && setUrl(u),
        (err) => {
          if (!live) return;
          void original();
          if (err instanceof RequestError && err.code === "not_found") {
            timer = setTimeout(() => {
              downloads.get(roomId, seq, a.key, true).then(
                (u) => live && setUrl(u),
                () => {},
              );
            }, THUMB_RETRY_MS);
          }
        },
      );
    }
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [roomId, seq, a.key, thumb, round]);
  return {
    url,
    failed,
    reload: () => {
      // Once only: a URL that fails twice is not an expiry problem.
      if (round > 0) return setFailed(true);
      downloads.forget(a.key, true);
      downloads.forget(a.key, false);
      setRound(round + 1);
    },
  };
}
