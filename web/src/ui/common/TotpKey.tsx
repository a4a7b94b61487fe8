// The key of an authenticator app being set up: a QR code of its
// otpauth:// URI (drawn here as SVG rectangles from uqr's matrix: no
// markup from strings, no network), the key in text, and the URI itself.
// uqr is loaded only when a key is shown (its own chunk, about 4 KB gzipped).
import { useEffect, useState } from "preact/hooks";
import type { Translate } from "../../i18n";

// otpauthURI is the Key URI Format authenticator apps read: TOTP, SHA-1,
// 6 digits, 30 s, labelled "Backchannel:<email>".
export function otpauthURI(secret: string, account: string, issuer = "Backchannel"): string {
  const label = encodeURIComponent(issuer) + ":" + encodeURIComponent(account);
  return `otpauth://totp/${label}?secret=${encodeURIComponent(secret)}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
}

// groups of four make a typed key easier to read.
const grouped = (secret: string) => secret.replace(/(.{4})(?=.)/g, "$1 ");

export function TotpKey({ secret, account, t }: { secret: string; account: string; t: Translate }) {
  const uri = otpauthURI(secret, account);
  const [qr, setQr] = useState<{ size: number; path: string } | null>(null);
  useEffect(() => {
    let live = true;
    void import("uqr").then(({ encode }) => {
      const m = encode(uri, { ecc: "M", border: 2 });
      const cells: string[] = [];
      m.data.forEach((row, y) => row.forEach((on, x) => on && cells.push(`M${x} ${y}h1v1h-1z`)));
      if (live) setQr({ size: m.size, path: cells.join("") });
    });
    return () => {
      live = false;
    };
  }, [uri]);
  return (
    <div class="totp-key">
      <p>{t("totp.scan")}</p>
      {qr ? (
        <svg class="totp-qr" role="img" aria-label={t("totp.qr")} viewBox={`0 0 ${qr.size} ${qr.size}`} width="192" height="192" shape-rendering="crispEdges">
          <rect width={qr.size} height={qr.size} fill="#fff" />
          <path d={qr.path} fill="#000" />
        </svg>
      ) : (
        <div class="totp-qr" aria-hidden="true" />
      )}
      <p>
        {t("totp.key")}: <code data-testid="totp-secret">{grouped(secret)}</code>
      </p>
      <details>
        <summary>{t("totp.link")}</summary>
        <code class="totp-uri" data-testid="totp-uri">
          {uri}
        </code>
      </details>
    </div>
  );
}
