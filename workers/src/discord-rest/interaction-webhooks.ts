// Follow-ups to an interaction: the interaction's token is the credential (no bot auth), valid for 15 minutes
// (Discord: "Interaction tokens are valid for 15 minutes"). @original is the deferred reply, or for a component
// deferred with DEFERRED_UPDATE_MESSAGE the message the component is on.
import type { DiscordRest } from "./discord-rest.ts";

/** Discord: interaction tokens expire 15 minutes after the interaction was created. */
export const INTERACTION_TOKEN_TTL_MS = 15 * 60_000;

export interface InteractionWebhook {
  applicationId: string;
  token: string;
}

const base = (w: InteractionWebhook) => `/webhooks/${w.applicationId}/${w.token}`;

/** PATCH @original: repeating the same edit leaves the same message, so it is safe to retry. */
export function editOriginalResponse<T = unknown>(rest: DiscordRest, w: InteractionWebhook, message: object): Promise<T> {
  return rest.request<T>({ method: "PATCH", path: `${base(w)}/messages/@original`, auth: "none", body: message, idempotent: true });
}

export function deleteOriginalResponse(rest: DiscordRest, w: InteractionWebhook): Promise<unknown> {
  return rest.request({ method: "DELETE", path: `${base(w)}/messages/@original`, auth: "none", idempotent: true });
}

/** POST a follow-up message: a new message each time, so it is not retried after an ambiguous failure. */
export function createFollowUp<T = unknown>(rest: DiscordRest, w: InteractionWebhook, message: object): Promise<T> {
  return rest.request<T>({ method: "POST", path: base(w), auth: "none", body: message, query: { wait: "true" } });
}

export function editFollowUp<T = unknown>(rest: DiscordRest, w: InteractionWebhook, messageId: string, message: object): Promise<T> {
  return rest.request<T>({ method: "PATCH", path: `${base(w)}/messages/${messageId}`, auth: "none", body: message, idempotent: true });
}
