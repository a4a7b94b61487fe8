// Runtime configuration, served next to the app as /config.json (locally by
// the dev runner, in AWS by the deployment), so one build runs anywhere.
import type { CognitoConfig } from "./cognito";

// LegalConfig is config.json's "legal": the terms of service, privacy
// policy and community guidelines (https URLs or site paths; a path ending
// in .md is a bundled Markdown page the app shows itself), and the version
// everybody must accept ("" or absent: nobody is asked).
export interface LegalConfig {
  terms: string;
  privacy: string;
  guidelines: string;
  version?: string;
}

export interface AppConfig {
  wsUrl: string;
  region: string;
  cognito: CognitoConfig;
  legal?: LegalConfig;
  // httpApiUrl: the HTTP API (webhooks, bots); absent: this site's origin.
  httpApiUrl?: string;
}

export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<AppConfig> {
  const res = await fetchImpl("/config.json", { cache: "no-store" });
  if (!res.ok) throw new Error(`GET /config.json: ${res.status}`);
  const cfg = (await res.json()) as AppConfig;
  if (!cfg.wsUrl || !cfg.cognito?.endpoint || !cfg.cognito.clientId) throw new Error("config.json lacks wsUrl or cognito settings");
  return cfg;
}
