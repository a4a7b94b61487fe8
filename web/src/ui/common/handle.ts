// handle: how a person is told apart from another of the same name in
// lists: "@username" when the pool gives real usernames. Pools that sign in
// by email use the user's id (a UUID) as the username, which means nothing
// to people: then there is no handle (profiles carry no email, on purpose).
import type { Profile } from "../../api/protocol.gen";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function handle(u: Profile): string {
  return u.username && u.username !== u.userId && !UUID.test(u.username) ? `@${u.username}` : "";
}
