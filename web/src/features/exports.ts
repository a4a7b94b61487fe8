// Export my data (docs/PROTOCOL.md "Export my data"): my latest export as
// the server keeps it (asked for with exportStatus, so a reload shows where
// it is), kept current by the `export` events the server pushes when it
// starts (an admin asked) and when it is ready or failed. The archive is
// downloaded through a fresh short URL asked for at the click.
import type { Export, ExportDownloadFrame, ExportFrame } from "../api/protocol.gen";
import type { ChatFeature } from "../state/chat";
import type { ServerFrame } from "../state/types";

export interface ExportsEnv {
  request(payload: Record<string, unknown> & { action: string }): Promise<ServerFrame>;
  userId: string;
  onChange(): void;
  announce(text: string): void;
  readyText(): string;
}

export class DataExports implements ChatFeature {
  // mine is my latest export (null: none, or it expired).
  mine: Export | null = null;
  loaded = false;
  // The exports of other people's data I asked for (an admin), by user id.
  others = new Map<string, Export>();

  constructor(private readonly env: ExportsEnv) {}

  async load(): Promise<void> {
    const r = (await this.env.request({ action: "exportStatus" })) as ExportFrame;
    this.mine = r.export ?? null;
    this.loaded = true;
    this.env.onChange();
  }

  async request(): Promise<Export | null> {
    const r = (await this.env.request({ action: "requestExport" })) as ExportFrame;
    this.mine = r.export ?? null;
    this.env.onChange();
    return this.mine;
  }

  // downloadUrl asks for a URL of my archive that works for a few minutes.
  async downloadUrl(): Promise<string> {
    const r = (await this.env.request({ action: "requestExportDownload" })) as ExportDownloadFrame;
    return r.url;
  }

  // exportUser: an admin exports a person's data on their request.
  async exportUser(userId: string): Promise<Export | null> {
    const r = (await this.env.request({ action: "exportUser", userId })) as ExportFrame;
    if (r.export) this.others.set(userId, r.export);
    this.env.onChange();
    return r.export ?? null;
  }

  // downloadUrlFor: a URL of the archive of a person's data I asked for.
  async downloadUrlFor(userId: string): Promise<string> {
    const r = (await this.env.request({ action: "requestExportDownload", userId })) as ExportDownloadFrame;
    return r.url;
  }

  running(): boolean {
    return this.mine?.state === "pending" || this.mine?.state === "running";
  }

  onEvent(ev: ServerFrame): void {
    if (ev.type === "export" && !ev.requestId && ev.export && ev.export.userId === this.env.userId) {
      this.mine = ev.export;
      if (ev.export.state === "ready") this.env.announce(this.env.readyText());
      this.env.onChange();
    } else if (ev.type === "export" && !ev.requestId && ev.export && ev.export.requestedBy === this.env.userId) {
      this.others.set(ev.export.userId, ev.export);
      this.env.onChange();
    } else if (ev.type === "state" && this.loaded) {
      // Reconnected: it may have finished meanwhile.
      void this.load().catch(() => {});
    }
  }

  onStop(): void {
    this.mine = null;
    this.others.clear();
    this.loaded = false;
  }
}
