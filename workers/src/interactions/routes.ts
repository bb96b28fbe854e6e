// /interactions: Discord's HTTP interactions endpoint. Verify first, then parse; no Postgres on this path
// (Discord: the first response must arrive within 3 s, and Neon may be asleep).
import { discordWire } from "@nebula/schema";
import { Hono } from "hono";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { parseOrThrow } from "../http/validate.ts";
import { rateLimitFailures } from "../rate-limit/rate-limit.ts";
import { verifyDiscordSignature } from "./verify-signature.ts";

const { Interaction, InteractionResponseType, InteractionType } = discordWire;

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new AppError("BAD_REQUEST", "Malformed JSON in request body");
  }
}

// Discord sends bad signatures on purpose to check we reject them; 60 a minute per address is plenty for that.
const signatureFailures = rateLimitFailures({ name: "interactions", limit: 60, windowSeconds: 60 });

export const interactionRoutes = new Hono<AppEnv>().post("/", signatureFailures, async (c) => {
  const publicKey = c.var.services.config.DISCORD_PUBLIC_KEY;
  if (!publicKey) throw new AppError("UNAUTHORIZED", "Discord interactions are not configured (DISCORD_PUBLIC_KEY is not set)");
  const body = new Uint8Array(await c.req.arrayBuffer());
  const valid = await verifyDiscordSignature(publicKey, c.req.header("x-signature-ed25519"), c.req.header("x-signature-timestamp"), body);
  if (!valid) throw new AppError("UNAUTHORIZED", "Invalid request signature");
  const interaction = parseOrThrow(Interaction, parseJson(body), "interaction");
  if (interaction.type === InteractionType.PING) return c.json({ type: InteractionResponseType.PONG });
  throw new AppError("BAD_REQUEST", `Interaction type ${interaction.type} is not handled yet`);
});
