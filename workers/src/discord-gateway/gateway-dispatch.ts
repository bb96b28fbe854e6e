// Turns Gateway dispatches (op 0) into Nebula's internal events. Pure: the only state is which members are
// streaming, passed in, so that a presence update that changes nothing (a status flip, a new song) raises nothing,
// and which members joined still pending Membership Screening, so that of the many GUILD_MEMBER_UPDATEs only the one
// where such a member passes it raises member.screened.
import { discordGatewayWire } from "@nebula/schema";

type GatewayEvent = discordGatewayWire.GatewayEvent;
const W = discordGatewayWire;

/** Who is streaming where, per guild and member; the gateway object keeps it in its storage. */
export interface StreamingMemory {
  get(guildId: string, userId: string): string | undefined;
  set(guildId: string, userId: string, url: string): void;
  delete(guildId: string, userId: string): void;
  /** Members of the guild remembered as streaming. */
  usersIn(guildId: string): string[];
}

/** Members who joined with pending=true and have not passed Membership Screening yet; the object keeps it in storage. */
export interface ScreeningMemory {
  add(guildId: string, userId: string): void;
  /** Forgets the member; true when they were remembered as pending. */
  take(guildId: string, userId: string): boolean;
}

export interface DispatchContext {
  sessionId: string;
  seq: number;
  streaming: StreamingMemory;
  screening: ScreeningMemory;
}

export type DispatchResult = { ok: true; events: GatewayEvent[] } | { ok: false; error: string };

/** Dispatches Nebula reads; every other `t` is acknowledged (its seq counts) and ignored. */
export const HANDLED_DISPATCHES = ["GUILD_CREATE", "GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE", "PRESENCE_UPDATE", "MESSAGE_CREATE"] as const;

/** Event ids: the same dispatch (same session and seq, e.g. replayed after a RESUME) always yields the same id. */
export function eventId(kind: GatewayEvent["kind"], guildId: string, ctx: DispatchContext, member?: string): string {
  return [kind, guildId, ctx.sessionId, ctx.seq, ...(member ? [member] : [])].join(":");
}

export function platformOf(url: string): "twitch" | "youtube" | "kick" | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^(www|m)\./, "");
  } catch {
    return undefined;
  }
  if (host === "twitch.tv") return "twitch";
  if (host === "youtube.com" || host === "youtu.be") return "youtube";
  if (host === "kick.com") return "kick";
  return undefined;
}

type Activity = ReturnType<typeof W.Activity.parse>;

/** A member's presence against what we knew: an event only when they start, switch stream, or stop. */
function presenceEvents(guildId: string, userId: string, activities: Activity[], ctx: DispatchContext): GatewayEvent[] {
  const stream = activities.find((a) => a.type === W.ACTIVITY_STREAMING && typeof a.url === "string" && a.url.length > 0);
  const known = ctx.streaming.get(guildId, userId);
  if (stream?.url) {
    if (known === stream.url) return [];
    ctx.streaming.set(guildId, userId, stream.url);
    const platform = platformOf(stream.url);
    return [
      {
        kind: "presence.streaming",
        id: eventId("presence.streaming", guildId, ctx, userId),
        guildId,
        userId,
        ...(platform ? { platform } : {}),
        url: stream.url,
        // Discord: a streaming activity's `details` is the stream title; `name` is the platform ("Twitch").
        title: stream.details ?? stream.state ?? stream.name ?? "",
      },
    ];
  }
  if (known === undefined) return [];
  ctx.streaming.delete(guildId, userId);
  return [{ kind: "presence.stopped", id: eventId("presence.stopped", guildId, ctx, userId), guildId, userId }];
}

const userOf = (u: discordGatewayWire.GatewayUser) => ({ id: u.id, username: u.username, global_name: u.global_name ?? null, avatar: u.avatar ?? null, bot: u.bot ?? false });

function issuesOf(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`)
    .join("; ");
}

export function eventsOfDispatch(t: string, d: unknown, ctx: DispatchContext): DispatchResult {
  switch (t) {
    case "GUILD_CREATE": {
      const p = W.GuildCreate.safeParse(d);
      if (!p.success) return { ok: false, error: `GUILD_CREATE ${issuesOf(p.error)}` };
      const g = p.data;
      if (g.unavailable) return { ok: true, events: [] };
      const events: GatewayEvent[] = [
        { kind: "guild.available", id: eventId("guild.available", g.id, ctx), guildId: g.id, name: g.name ?? "", memberCount: g.member_count ?? null },
      ];
      // Members already live when the bot (re)connects show up here, not in PRESENCE_UPDATE.
      for (const presence of g.presences) events.push(...presenceEvents(g.id, presence.user.id, presence.activities, ctx));
      // GUILD_CREATE after an IDENTIFY is a full snapshot (a streaming member is online, so listed): whoever we
      // remember as streaming but is not there stopped while we were away.
      const listed = new Set(g.presences.map((p) => p.user.id));
      for (const userId of ctx.streaming.usersIn(g.id)) if (!listed.has(userId)) events.push(...presenceEvents(g.id, userId, [], ctx));
      return { ok: true, events };
    }
    case "GUILD_MEMBER_ADD": {
      const p = W.GuildMemberAdd.safeParse(d);
      if (!p.success) return { ok: false, error: `GUILD_MEMBER_ADD ${issuesOf(p.error)}` };
      const m = p.data;
      // Discord: a member with pending=true has not passed Membership Screening; roles wait for GUILD_MEMBER_UPDATE.
      if (m.pending) ctx.screening.add(m.guild_id, m.user.id);
      return {
        ok: true,
        events: [{ kind: "member.joined", id: eventId("member.joined", m.guild_id, ctx), guildId: m.guild_id, user: userOf(m.user), joinedAt: m.joined_at, ...(m.pending ? { pending: true as const } : {}) }],
      };
    }
    case "GUILD_MEMBER_UPDATE": {
      const p = W.GuildMemberUpdate.safeParse(d);
      if (!p.success) return { ok: false, error: `GUILD_MEMBER_UPDATE ${issuesOf(p.error)}` };
      const m = p.data;
      if (m.pending !== false || !ctx.screening.take(m.guild_id, m.user.id)) return { ok: true, events: [] };
      return { ok: true, events: [{ kind: "member.screened", id: eventId("member.screened", m.guild_id, ctx, m.user.id), guildId: m.guild_id, user: userOf(m.user) }] };
    }
    case "GUILD_MEMBER_REMOVE": {
      const p = W.GuildMemberRemove.safeParse(d);
      if (!p.success) return { ok: false, error: `GUILD_MEMBER_REMOVE ${issuesOf(p.error)}` };
      const m = p.data;
      ctx.streaming.delete(m.guild_id, m.user.id);
      ctx.screening.take(m.guild_id, m.user.id);
      return { ok: true, events: [{ kind: "member.left", id: eventId("member.left", m.guild_id, ctx), guildId: m.guild_id, user: userOf(m.user) }] };
    }
    case "PRESENCE_UPDATE": {
      const p = W.PresenceUpdate.safeParse(d);
      if (!p.success) return { ok: false, error: `PRESENCE_UPDATE ${issuesOf(p.error)}` };
      return { ok: true, events: presenceEvents(p.data.guild_id, p.data.user.id, p.data.activities, ctx) };
    }
    case "MESSAGE_CREATE": {
      const p = W.MessageCreate.safeParse(d);
      if (!p.success) return { ok: false, error: `MESSAGE_CREATE ${issuesOf(p.error)}` };
      const m = p.data;
      // Direct messages have no guild: analytics are per guild.
      if (!m.guild_id) return { ok: true, events: [] };
      return {
        ok: true,
        events: [
          { kind: "message.created", id: eventId("message.created", m.guild_id, ctx), guildId: m.guild_id, channelId: m.channel_id, authorId: m.author.id, bot: m.author.bot ?? false, at: m.timestamp },
        ],
      };
    }
    default:
      return { ok: true, events: [] };
  }
}
