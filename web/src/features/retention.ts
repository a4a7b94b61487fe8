// Retention (docs/PROTOCOL.md "Retention"): the workspace's default (read
// by everyone once signed in, changed by admins) and a room's own, which
// its managers change. The room shows its effective retention ("Messages
// older than 90 days are removed"). A feature of its own: the chat's store
// keeps the rooms (with their retentionDays); the workspace default lives
// here.
import type { RoomFrame, WorkspaceSettingsFrame } from "../api/protocol.gen";
import type { ChatFeature } from "../state/chat";
import type { ServerFrame } from "../state/types";

export interface RetentionEnv {
  request(payload: Record<string, unknown> & { action: string }): Promise<ServerFrame>;
  onChange(): void;
}

export class RetentionSettings implements ChatFeature {
  // The workspace's default in days (0: forever); null until read.
  workspaceDays: number | null = null;
  private loading = false;

  constructor(private readonly env: RetentionEnv) {}

  // effective: the days a room keeps its messages (0: forever; null: not
  // known yet).
  effective(room: { retentionDays?: number } | undefined): number | null {
    if (room?.retentionDays !== undefined) return room.retentionDays;
    return this.workspaceDays;
  }

  async load(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    try {
      const r = (await this.env.request({ action: "getWorkspaceSettings" })) as WorkspaceSettingsFrame;
      this.workspaceDays = r.settings.retentionDays;
      this.env.onChange();
    } finally {
      this.loading = false;
    }
  }

  // setWorkspaceDays: admins only (the server refuses others).
  async setWorkspaceDays(days: number): Promise<void> {
    const r = (await this.env.request({ action: "setWorkspaceSettings", retentionDays: days })) as WorkspaceSettingsFrame;
    this.workspaceDays = r.settings.retentionDays;
    this.env.onChange();
  }

  // setRoomDays: the room's own retention, or the workspace's (null).
  async setRoomDays(roomId: string, days: number | null): Promise<RoomFrame> {
    return (await this.env.request({ action: "setRoomRetention", roomId, retentionDays: days ?? undefined })) as RoomFrame;
  }

  // ---- ChatFeature ----
  onEvent(ev: ServerFrame): void {
    // Read once per (re)connection: an admin's change reaches the others
    // on their next connection.
    if (ev.type === "state") void this.load().catch(() => {});
  }
}
