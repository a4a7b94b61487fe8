// The key of an authenticator app being set up: a QR code of its
// otpauth:// URI (drawn here as SVG rectangles from uqr's matrix: no
// markup from strings, no network), the key in text, and the URI itself.
import { encode } from "uqr";
import { useMemo } from "preact/hooks";
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
  const qr = useMemo(() => encode(uri, { ecc: "M", border: 2 }), [uri]);
  const cells: string[] = [];
  qr.data.forEach((row, y) => row.forEach((on, x) => on && cells.push(`M${x} ${y}h1v1h-1z`)));
  return (
    <div class="totp-key">
      <p>{t("totp.scan")}</p>
      <svg class="totp-qr" role="img" aria-label={t("totp.qr")} viewBox={`0 0 ${qr.size} ${qr.size}`} width="192" height="192" shape-rendering="crispEdges">
        <rect width={qr.size} height={qr.size} fill="#fff" />
        <path d={cells.join("")} fill="#000" />
      </svg>
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
