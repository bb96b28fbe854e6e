// POST /webhooks/plex/:token, as a domain function. Plex cannot sign its webhooks, so the unguessable URL is the
// credential: find the guild by the token's hash (cache first: no Postgres on a warm hook), read the multipart
// `payload` field (the `thumb` image part is skipped), keep only playback events that pass the guild's filters, and
// hand the event to the guild's NowPlayingBoard, which answers at once and renders to Discord from its alarm.
import type { api } from "@nebula/schema";
import type { Cache } from "../cache/cache.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import { AppError } from "../errors/app-error.ts";
import { parseOrThrow } from "../http/validate.ts";
import { PLEX_TOKEN_PATTERN, plexHookMaterial } from "./hook-material.ts";
import { getNowPlayingBoard } from "./now-playing-board.ts";
import { PlexPayload, observationOf, passesFilters } from "./plex-payload.ts";

/** Plex attaches the poster as a JPEG part (often 100-500 KB); the route accepts that much and reads only `payload`. */
export const MAX_PLEX_BODY_BYTES = 2 * 1024 * 1024;
/** The JSON part itself is small; a larger one is not Plex. */
const MAX_PAYLOAD_CHARS = 64 * 1024;

export interface PlexReceiveDeps {
  cache: Cache;
  db: () => Db;
  boards: Env["NOW_PLAYING"];
  now: () => Date;
}

export interface PlexRequest {
  token: string;
  contentType: string | undefined;
  /** Parses the multipart body; called only once the token is known to be good. */
  form: () => Promise<FormData>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("BAD_REQUEST", "The payload field is not JSON");
  }
}

export async function receivePlexWebhook(deps: PlexReceiveDeps, req: PlexRequest): Promise<api.PlexHookAnswer> {
  // One answer for a malformed and an unknown token, so neither tells a scanner anything.
  const material = PLEX_TOKEN_PATTERN.test(req.token) ? await plexHookMaterial(deps.cache, deps.db, req.token) : null;
  if (!material) throw new AppError("UNAUTHORIZED", "Unknown webhook URL");
  if (!/^multipart\/form-data\s*;/i.test(req.contentType ?? "")) throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Expected multipart/form-data, as Plex sends");
  let form: FormData;
  try {
    form = await req.form();
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("BAD_REQUEST", "Malformed multipart body");
  }
  const raw = form.get("payload");
  if (typeof raw !== "string" || raw.length > MAX_PAYLOAD_CHARS) throw new AppError("BAD_REQUEST", "Missing or oversized payload field");
  const payload = parseOrThrow(PlexPayload, parseJson(raw), "Plex payload");
  if (!material.enabled) return { status: "disabled" };
  const now = deps.now().getTime();
  const observation = observationOf(payload, now);
  if (!observation) return { status: "ignored", detail: `${payload.event} is not a playback event` };
  if (!passesFilters(observation.session, material)) return { status: "filtered" };
  await getNowPlayingBoard(deps.boards, material.guildId).observe({ guildId: material.guildId, channelId: material.channelId }, observation);
  return { status: "queued" };
}
