// The client: the chat controller with its features plugged in (uploads,
// download and picture URLs, attention), built once per signed-in user.
import type { AvatarUrlFrame, DownloadUrlFrame, UploadTicketFrame } from "../api/protocol.gen";
import { Chat, type ChatEnv } from "../state/chat";
import { attention, type AttentionEnv } from "./attention";
import { AvatarUrls } from "./avatars";
import { DownloadUrls } from "./downloads";
import { UploadQueue } from "./uploads";

export type ClientEnv = Omit<ChatEnv, "attachments"> & AttentionEnv;

export interface Client {
  chat: Chat;
  // Files being attached to the next message of each room.
  uploads: UploadQueue;
  downloads: DownloadUrls;
  avatars: AvatarUrls;
}

export function createClient(env: ClientEnv): Client {
  // The features ask the server through the chat, made just below.
  let chat: Chat | undefined;
  const live = () => chat!;
  const uploads = new UploadQueue({
    requestTicket: async (roomId, name, size, type) => (await live().request({ action: "requestUpload", roomId, name, size, type })) as UploadTicketFrame,
    newXhr: () => new XMLHttpRequest(),
    t: () => env.t(),
    onChange: () => live().emit(),
  });
  const downloads = new DownloadUrls(
    async (roomId, key, thumb) => (await live().read({ action: "requestDownload", roomId, key, thumb: thumb || undefined }, 3)) as DownloadUrlFrame,
  );
  const avatars = new AvatarUrls(async (userId) => (await live().read({ action: "requestAvatarUrl", userId }, 3)) as AvatarUrlFrame);
  chat = new Chat({ wsUrl: env.wsUrl, getToken: env.getToken, onAuthLost: env.onAuthLost, signUpName: env.signUpName, attachments: uploads });
  chat.use(attention(chat, env));
  chat.use({
    onEvent: (ev) => {
      if (ev.type === "state") uploads.setLimits(ev.limits);
    },
    onStop: () => {
      uploads.clear();
      avatars.clear();
    },
  });
  return { chat, uploads, downloads, avatars };
}
