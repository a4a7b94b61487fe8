// The widget's view of the wire: the visitor session routes (HTTP, under
// /widget/v1/{widgetId}/) and the support protocol's visitor-side shapes
// (docs/SUPPORT.md, docs/PROTOCOL.md). Fields the widget does not need are
// left out; every field the server may leave out is optional.
import type { Message } from "../src/api/protocol.gen";

export type { Message };

export type Lang = "en" | "de";
export type PreChatField = "name" | "email" | "topic";

export interface Topic {
  id: string;
  label: string;
  // open: the topic's team is within its business hours and has someone
  // available (absent: treat as open).
  open?: boolean;
}

// GET /widget/v1/{widgetId}/config
export interface WidgetConfig {
  id?: string;
  appearance?: { primaryColor?: string; position?: "right" | "left"; title?: string };
  greeting?: Record<string, string>;
  languages?: string[];
  preChat?: PreChatField[];
  required?: PreChatField[];
  topics?: Topic[];
  botName?: string;
  // open: somebody can answer now (any team); false shows "leave a message".
  open?: boolean;
}

// POST /widget/v1/{widgetId}/challenge
export interface Challenge {
  challenge: string;
  difficulty: number;
  expiresAt?: string;
}

// POST /widget/v1/{widgetId}/session
export interface Session {
  token: string;
  expiresAt: string;
  visitorId: string;
  resumeToken: string;
  wsUrl: string;
}

// Identity: what the site's backend signed for an identified visitor.
export interface Identity {
  userId: string;
  email?: string;
  name?: string;
  ts: number; // Unix seconds, as signed
  signature: string;
}

export type SupportState = "bot" | "queued" | "open" | "closed";

// The supportConversation object, as a visitor receives it.
export interface SupportConversation {
  roomId: string;
  widgetId?: string;
  visitor?: { id: string; name?: string; email?: string; identified?: boolean };
  topic?: string;
  teamId?: string;
  assigneeId?: string;
  assigneeName?: string; // if the server names the agent
  state: SupportState;
  channel?: "chat" | "email";
  createdAt?: string;
  closedAt?: string;
  rating?: { score: number; comment?: string; at?: string };
}

export interface StartSupportRequest {
  topic?: string;
  name?: string;
  email?: string;
  page: { url: string; title: string };
  lang: string;
  text?: string;
}

export interface LeaveSupportMessageRequest {
  email: string;
  name?: string;
  text: string;
  topic?: string;
  page: { url: string; title: string };
  lang?: string;
}
