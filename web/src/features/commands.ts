// Slash commands and outgoing webhooks (docs/PROTOCOL.md "Slash commands and
// outgoing webhooks"): the commands usable in a room (for the composer),
// the room's registrations (for its managers), running a command, and the
// ephemeral replies only the caller sees (kept here in memory, never
// stored). A small store of its own: components subscribe to it.
import type { CommandResultFrame, CommandsFrame, IntegrationFrame, IntegrationView } from "../api/protocol.gen";

export interface Requester {
  request(payload: Record<string, unknown> & { action: string }): Promise<unknown>;
}

export interface RoomCommands {
  commands: IntegrationView[];
  outgoing: IntegrationView[];
  canManage: boolean;
}

export interface Ephemeral {
  id: number;
  command: string;
  text: string;
}

const rooms = new Map<string, RoomCommands>();
const ephemeral = new Map<string, Ephemeral[]>();
const listeners = new Set<() => void>();
let nextId = 1;

const emit = () => listeners.forEach((f) => f());

export function subscribeCommands(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export const roomCommands = (roomId: string): RoomCommands | undefined => rooms.get(roomId);
export const ephemeralReplies = (roomId: string): Ephemeral[] => ephemeral.get(roomId) ?? [];

export async function loadCommands(chat: Requester, roomId: string): Promise<RoomCommands> {
  const r = (await chat.request({ action: "listCommands", roomId })) as CommandsFrame;
  const rc = { commands: r.commands ?? [], outgoing: r.outgoingWebhooks ?? [], canManage: r.canManage };
  rooms.set(roomId, rc);
  emit();
  return rc;
}

// commandOf: the registered command a composer text starts with, and the
// rest of the text; null when it is not one (then it is a message).
export function commandOf(roomId: string, text: string): { command: string; rest: string } | null {
  const m = /^\/([a-z0-9][a-z0-9_-]{0,31})(?:\s+([\s\S]*))?$/i.exec(text.trim());
  if (!m) return null;
  const name = m[1].toLowerCase();
  if (!rooms.get(roomId)?.commands.some((c) => c.command === name)) return null;
  return { command: name, rest: (m[2] ?? "").trim() };
}

// suggestCommands: the room's commands starting with what follows "/".
export function suggestCommands(roomId: string, text: string): IntegrationView[] {
  const m = /^\/([a-z0-9_-]*)$/i.exec(text);
  if (!m) return [];
  const q = m[1].toLowerCase();
  return (rooms.get(roomId)?.commands ?? []).filter((c) => c.command?.startsWith(q)).slice(0, 8);
}

// runCommand: an ephemeral reply is kept for this room's view; a room
// reply arrives as a message like any other.
export async function runCommand(chat: Requester, roomId: string, command: string, text: string): Promise<CommandResultFrame> {
  const clientId = `cmd-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const r = (await chat.request({ action: "runCommand", roomId, command, text, clientId })) as CommandResultFrame;
  if (r.visibility === "ephemeral" && r.text) {
    ephemeral.set(roomId, [...ephemeralReplies(roomId), { id: nextId++, command: r.command, text: r.text }].slice(-5));
    emit();
  }
  return r;
}

// addEphemeral shows a local note only the caller sees (a failed command).
export function addEphemeral(roomId: string, command: string, text: string): void {
  ephemeral.set(roomId, [...ephemeralReplies(roomId), { id: nextId++, command, text }].slice(-5));
  emit();
}

export function dismissEphemeral(roomId: string, id: number): void {
  ephemeral.set(roomId, ephemeralReplies(roomId).filter((e) => e.id !== id));
  emit();
}

export async function registerCommand(chat: Requester, roomId: string, command: string, url: string, description: string): Promise<IntegrationFrame> {
  const r = (await chat.request({ action: "registerCommand", roomId, command, url, description })) as IntegrationFrame;
  await loadCommands(chat, roomId);
  return r;
}

export async function registerOutgoing(chat: Requester, roomId: string, url: string, triggerWords: string[], allMessages: boolean): Promise<IntegrationFrame> {
  const r = (await chat.request({ action: "registerOutgoingWebhook", roomId, url, triggerWords, allMessages })) as IntegrationFrame;
  await loadCommands(chat, roomId);
  return r;
}

export async function deleteIntegration(chat: Requester, roomId: string, it: IntegrationView): Promise<void> {
  const action = it.kind === "command" ? "deleteCommand" : "deleteOutgoingWebhook";
  await chat.request({ action, roomId: it.roomId ?? (it.kind === "command" ? undefined : roomId), id: it.id });
  await loadCommands(chat, roomId);
}

// The workspace's commands (no room), for the admin console: listCommands
// without a roomId lists them with their URLs (admins only).
export async function loadWorkspaceCommands(chat: Requester): Promise<IntegrationView[]> {
  const r = (await chat.request({ action: "listCommands" })) as CommandsFrame;
  return r.commands ?? [];
}

export async function registerWorkspaceCommand(chat: Requester, command: string, url: string, description: string): Promise<IntegrationFrame> {
  const r = (await chat.request({ action: "registerCommand", command, url, description })) as IntegrationFrame;
  // Every room offers it from now on: the rooms' lists are read again.
  rooms.clear();
  emit();
  return r;
}

export async function deleteWorkspaceCommand(chat: Requester, id: string): Promise<void> {
  await chat.request({ action: "deleteCommand", id });
  rooms.clear();
  emit();
}
