// The Gateway's decisions, free of sockets and storage: what a close code means, whether the next connection
// RESUMEs or IDENTIFYs (and when an IDENTIFY must wait for Discord's daily budget or its 5-second spacing), and the
// delays between attempts. Unit-tested in Node next to this file; the DiscordGateway object only carries them out.
import { discordGatewayWire } from "@nebula/schema";

const { GatewayCloseCode: C } = discordGatewayWire;

/** What the gateway remembers of its session between connections and restarts. */
export interface GatewaySession {
  sessionId: string;
  /** The last dispatch sequence number received (null before the first dispatch). */
  seq: number | null;
  /** READY's resume_gateway_url: Discord requires RESUMEs to go there, not to the URL from /gateway/bot. */
  resumeUrl: string;
}

/** GET /gateway/bot, as last fetched; `resetAt` is absolute (fetch time + reset_after). */
export interface IdentifyBudget {
  url: string;
  total: number;
  remaining: number;
  resetAt: number;
  maxConcurrency: number;
  fetchedAt: number;
}

export type CloseVerdict =
  /** Reconnect and RESUME: the session is still valid. */
  | { kind: "resume" }
  /** Reconnect with a fresh IDENTIFY: Discord has dropped the session. */
  | { kind: "identify" }
  /** Never reconnect: retrying cannot help and may get the token flagged. */
  | { kind: "fatal"; reason: string };

/** Discord: "Opcodes and status codes", Gateway close event codes. */
export function verdictOfClose(code: number): CloseVerdict {
  switch (code) {
    case C.AUTHENTICATION_FAILED:
      return { kind: "fatal", reason: "authentication failed: the bot token was refused (4004)" };
    case C.INVALID_SHARD:
      return { kind: "fatal", reason: "invalid shard (4010)" };
    case C.SHARDING_REQUIRED:
      return { kind: "fatal", reason: "sharding required (4011): the bot is in too many guilds for one connection" };
    case C.INVALID_API_VERSION:
      return { kind: "fatal", reason: "invalid API version (4012)" };
    case C.INVALID_INTENTS:
      return { kind: "fatal", reason: "invalid intents (4013)" };
    case C.DISALLOWED_INTENTS:
      return { kind: "fatal", reason: "disallowed intents (4014): enable Server Members and Presence intents in the Developer Portal" };
    // The session is gone: a RESUME would be refused.
    case C.INVALID_SEQ:
    case C.SESSION_TIMED_OUT:
    case C.NOT_AUTHENTICATED:
    // Discord closing normally ends the session too (discord.js re-identifies here as well).
    case 1000:
      return { kind: "identify" };
    default:
      // 4000/4001/4002/4005/4008, 1001, 1006 (a cut without a close frame) and anything unknown: try to resume.
      return { kind: "resume" };
  }
}

/** Discord: max_concurrency IDENTIFYs per 5 seconds. */
export const IDENTIFY_WINDOW_MS = 5_000;
/** A budget older than this is fetched again before an IDENTIFY (the call is cheap; identifies are rare). */
export const BUDGET_MAX_AGE_MS = 60_000;

export type ConnectPlan =
  | { kind: "resume"; url: string }
  | { kind: "identify"; url: string }
  /** GET /gateway/bot first, then plan again. */
  | { kind: "fetch-budget" }
  | { kind: "wait"; until: number; reason: "identify-budget" | "identify-spacing" };

export interface ConnectInput {
  session: GatewaySession | null;
  budget: IdentifyBudget | null;
  lastIdentifyAt: number | null;
  now: number;
}

/** RESUME whenever a session exists; IDENTIFY only with a fresh budget that has one left, spaced per Discord. */
export function planConnect({ session, budget, lastIdentifyAt, now }: ConnectInput): ConnectPlan {
  if (session) return { kind: "resume", url: session.resumeUrl };
  if (!budget) return { kind: "fetch-budget" };
  if (budget.remaining <= 0) {
    // Discord resets the token after too many identifies: wait for the reset, then check the budget again.
    if (now < budget.resetAt) return { kind: "wait", until: budget.resetAt, reason: "identify-budget" };
    return { kind: "fetch-budget" };
  }
  if (now - budget.fetchedAt > BUDGET_MAX_AGE_MS) return { kind: "fetch-budget" };
  if (lastIdentifyAt !== null) {
    const next = lastIdentifyAt + Math.ceil(IDENTIFY_WINDOW_MS / budget.maxConcurrency);
    if (now < next) return { kind: "wait", until: next, reason: "identify-spacing" };
  }
  return { kind: "identify", url: budget.url };
}

/** One IDENTIFY spent: counted locally so a burst of re-identifies cannot overrun the budget between fetches. */
export function spendIdentify(budget: IdentifyBudget): IdentifyBudget {
  return { ...budget, remaining: Math.max(0, budget.remaining - 1) };
}

/** The gateway URL with the version and encoding Discord expects; fetch() wants http(s) for a websocket upgrade. */
export function connectUrl(gatewayUrl: string): string {
  const url = new URL(gatewayUrl.replace(/^ws(s?):\/\//, "http$1://"));
  url.searchParams.set("v", String(discordGatewayWire.GATEWAY_VERSION));
  url.searchParams.set("encoding", "json");
  return url.toString();
}

/** Discord: the first heartbeat goes after heartbeat_interval * jitter (jitter in [0, 1)), so clients do not stampede. */
export function firstHeartbeatDelay(intervalMs: number, random: number): number {
  return Math.floor(intervalMs * random);
}

/** Discord: after INVALID_SESSION wait a random 1–5 seconds before identifying (or resuming) again. */
export function invalidSessionDelay(random: number): number {
  return 1_000 + Math.floor(random * 4_000);
}

/** The first reconnect after a drop is immediate; failed attempts back off exponentially (1 s … 5 min) with jitter. */
export function reconnectDelay(failures: number, random: number): number {
  if (failures <= 0) return 0;
  const ceiling = Math.min(5 * 60_000, 1_000 * 2 ** (failures - 1));
  return Math.floor(ceiling / 2 + (ceiling / 2) * random);
}
