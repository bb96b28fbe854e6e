// The fake Discord's guild model and interaction webhooks, added to the fake in test/fakes/discord.ts through its
// route API (registered first; a channel or webhook this model does not own passes to the older bot routes).
// Everything a bot does to a guild is kept, so tests assert what Discord received.
//
// Seeding (tests in workerd reach it over HTTP at <origin>/__control/…; seedGuild() below wraps it):
//   POST   /__control/guilds            {id, name, ownerId, icon?, botPresent? (true), roles?: [{id,name,permissions}],
//                                        channels?: [{id,name,type,parentId?}], members?: [{user:{id,username},roles}]}
//                                        replaces that guild (its @everyone role, id = guild id, is added when missing)
//   POST   /__control/guilds/:id/members {user, roles}      adds or updates a member
//   DELETE /__control/guilds/:id/members/:userId
//   POST   /__control/guilds/:id/bot     {present}           the bot joins or leaves
//   GET    /__control/guilds/:id         the guild: roles, channels (threads too, with members), members, messages, and
//                                        deletedChannels (channels the bot deleted, as they were, messages included)
//   POST   /__control/faults             {method, path (substring), status, count?, retryAfter?, afterStore?}  the next
//                                        `count` (1) matching calls get `status` (429 with Discord's headers and
//                                        retry_after); with afterStore the call takes effect first (the answer was lost)
//   GET    /__control/interactions/:id   {callback, original, followUps, deleted}: what the app sent for that interaction
//   GET    /__control/interactions/:id/wait?edits=N   answers once @original was edited N times (long poll, 20 s)
//   GET    /__control/commands?guildId=  the registered application commands (global without guildId)
//   GET    /__control/dms?userId=        DM channel and its messages
//   POST   /__control/channels/:id/messages {author: {id, username, bot?}, content, attachments?: [{filename, url}], count?}
//                                        members posting (the bot's REST cannot author as a user); count > 1 posts
//                                        that many numbered copies ("content #1" …), for pagination
//
// Bot REST (Authorization: Bot <token>; X-RateLimit-* headers per route bucket, 50 per second, real 429s):
//   GET /guilds/:id, /guilds/:id/channels, /guilds/:id/roles, /guilds/:id/members/:userId; POST /guilds/:id/channels;
//   PUT/DELETE /guilds/:id/members/:userId/roles/:roleId; DELETE /users/@me/guilds/:id;
//   GET/PATCH/DELETE /channels/:id (DELETE returns the channel); PUT/DELETE /channels/:id/permissions/:overwriteId
//   (204; DELETE of a missing overwrite is 404 10009); POST/GET(before, limit) /channels/:id/messages; GET/PATCH/DELETE
//   /channels/:id/messages/:mid; POST /channels/:id/threads; PUT/DELETE/GET /channels/:id/thread-members[/:userId];
//   POST /users/@me/channels; PUT/GET /applications/:app/commands and /applications/:app/guilds/:gid/commands.
// Interaction webhooks (no bot auth; tokens are base64url("interaction:<interactionId>:…") as the signer makes them,
// refused 15 minutes after the interaction): POST /interactions/:id/:token/callback; POST /webhooks/:app/:token;
// GET/PATCH/DELETE /webhooks/:app/:token/messages/@original and /messages/:mid.
import { randomBytes } from "node:crypto";
import { API_PREFIX, type FakeDiscord, type FakeRequest, type FakeResponse, type UploadedFile, json } from "./discord.ts";
import type { FakeChannel, FakeGuildSeed, FakeMember, FakeMessage, FakeOverwrite, FakeRole, InteractionRecord } from "./discord-guild-types.ts";

export type { FakeChannel, FakeGuildSeed, FakeMember, FakeMessage, FakeOverwrite, FakeRole, InteractionRecord };

const DISCORD_EPOCH = 1420070400000n;
const TOKEN_TTL_MS = 15 * 60_000;
const BUCKET_LIMIT = 50;
const BUCKET_WINDOW_MS = 1000;

const ERRORS = {
  unknownGuild: { status: 404, message: "Unknown Guild", code: 10004 },
  unknownChannel: { status: 404, message: "Unknown Channel", code: 10003 },
  unknownMember: { status: 404, message: "Unknown Member", code: 10007 },
  unknownRole: { status: 404, message: "Unknown Role", code: 10011 },
  unknownMessage: { status: 404, message: "Unknown Message", code: 10008 },
  unknownOverwrite: { status: 404, message: "Unknown Overwrite", code: 10009 },
  unknownWebhook: { status: 404, message: "Unknown Webhook", code: 10015 },
  invalidToken: { status: 401, message: "Invalid Webhook Token", code: 50027 },
  unknownInteraction: { status: 404, message: "Unknown interaction", code: 10062 },
  alreadyAcknowledged: { status: 400, message: "Interaction has already been acknowledged.", code: 40060 },
  unauthorized: { status: 401, message: "401: Unauthorized", code: 0 },
  missingAccess: { status: 403, message: "Missing Access", code: 50001 },
  emptyMessage: { status: 400, message: "Cannot send an empty message", code: 50006 },
} as const;

function fail(e: { status: number; message: string; code: number }, extra: Record<string, unknown> = {}): FakeResponse {
  return json(e.status, { message: e.message, code: e.code, ...extra });
}

function invalidForm(errors: Record<string, string>): FakeResponse {
  return json(400, { message: "Invalid Form Body", code: 50035, errors: Object.fromEntries(Object.entries(errors).map(([k, m]) => [k, { _errors: [{ code: "INVALID", message: m }] }])) });
}

interface GuildState {
  id: string;
  name: string;
  icon: string | null;
  ownerId: string;
  botPresent: boolean;
  roles: Map<string, FakeRole>;
  members: Map<string, FakeMember>;
}

interface Fault {
  method: string;
  path: string;
  status: number;
  remaining: number;
  retryAfter: number;
  afterStore: boolean;
}

function parseBody(req: FakeRequest): Record<string, unknown> | null {
  if (!req.rawBody) return {};
  try {
    const v = JSON.parse(req.rawBody) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The interaction id inside an interaction token the way the signer (and Discord) builds them. */
export function interactionIdOfToken(token: string): string | null {
  try {
    const m = /^interaction:(\d{5,25}):/.exec(Buffer.from(token, "base64url").toString("utf8"));
    return m?.[1] ?? null;
  } catch {
    return null;
  }
}

export interface FakeGuilds {
  seedGuild(seed: FakeGuildSeed): void;
  close(): void;
}

export function installFakeGuilds(discord: FakeDiscord, options: { botToken: string }): FakeGuilds {
  const guilds = new Map<string, GuildState>();
  const channels = new Map<string, FakeChannel>();
  const messages = new Map<string, FakeMessage[]>();
  const threadMembers = new Map<string, Set<string>>();
  const deletedChannels = new Map<string, FakeChannel>();
  const dmChannels = new Map<string, string>();
  const commands = new Map<string, Record<string, unknown>[]>();
  const interactions = new Map<string, InteractionRecord>();
  const waiters: { id: string; edits: number; resolve: (r: FakeResponse) => void }[] = [];
  const faults: Fault[] = [];
  const buckets = new Map<string, { resetAt: number; count: number }>();
  let snowflake = 1_400_000_000_000_000_000n;
  const nextId = () => {
    snowflake += 1n;
    return String(snowflake);
  };

  // ---- plumbing: auth, faults, rate-limit buckets ----

  const isBot = (req: FakeRequest) => {
    const m = /^Bot\s+(\S+)$/.exec(req.headers.authorization ?? "");
    return m?.[1] === options.botToken;
  };

  function routeKey(req: FakeRequest, template: string): string {
    const major = req.params.guild ?? req.params.channel ?? req.params.app ?? "";
    return `${req.method} ${template}|${major}`;
  }

  function limited(req: FakeRequest, template: string, answer: () => FakeResponse): FakeResponse {
    const now = Date.now();
    const fault = faults.find((f) => f.remaining > 0 && f.method === req.method && req.path.includes(f.path));
    const key = routeKey(req, template);
    const hash = Buffer.from(`${req.method} ${template}`).toString("hex").slice(0, 16);
    let bucket = buckets.get(key);
    if (!bucket || bucket.resetAt <= now) {
      bucket = { resetAt: now + BUCKET_WINDOW_MS, count: 0 };
      buckets.set(key, bucket);
    }
    const headers = (remaining: number) => ({
      "x-ratelimit-limit": String(BUCKET_LIMIT),
      "x-ratelimit-remaining": String(Math.max(0, remaining)),
      "x-ratelimit-reset-after": String((bucket.resetAt - now) / 1000),
      "x-ratelimit-reset": String(bucket.resetAt / 1000),
      "x-ratelimit-bucket": hash,
    });
    if (fault) {
      fault.remaining -= 1;
      // Discord did the work, then the answer was lost (a 5xx from a proxy, a dropped connection).
      if (fault.afterStore) answer();
      if (fault.status === 429) {
        return json(429, { message: "You are being rate limited.", retry_after: fault.retryAfter, global: false }, { ...headers(0), "retry-after": String(Math.ceil(fault.retryAfter)), "x-ratelimit-scope": "user", "x-ratelimit-reset-after": String(fault.retryAfter) });
      }
      return json(fault.status, { message: `${fault.status}: injected`, code: 0 });
    }
    if (bucket.count >= BUCKET_LIMIT) {
      const retryAfter = (bucket.resetAt - now) / 1000;
      return json(429, { message: "You are being rate limited.", retry_after: retryAfter, global: false }, { ...headers(0), "retry-after": String(Math.ceil(retryAfter)), "x-ratelimit-scope": "user" });
    }
    bucket.count += 1;
    const res = answer();
    return { ...res, headers: { ...headers(BUCKET_LIMIT - bucket.count), ...(res.headers ?? {}) } };
  }

  /** A bot route: bot auth, faults and buckets; `template` names the bucket (Discord: per route and major parameter). */
  function bot(method: string, path: string, template: string, handler: (req: FakeRequest) => FakeResponse | null) {
    discord.route(
      method,
      `${API_PREFIX}${path}`,
      (req) => {
        if (!ownsRequest(req, template)) return null;
        if (!isBot(req)) return fail(ERRORS.unauthorized);
        if (req.params.channel !== undefined && !channels.has(req.params.channel)) return fail(ERRORS.unknownChannel);
        return limited(req, template, () => handler(req) ?? fail(ERRORS.unknownChannel));
      },
      { first: true },
    );
  }

  /** Message create and edit exist on the older bot routes (outbox scenarios): there a channel this model does not know passes. */
  const SHARED = new Set(["POST /channels/:channel/messages", "PATCH /channels/:channel/messages/:message"]);
  function ownsRequest(req: FakeRequest, template: string): boolean {
    const channel = req.params.channel;
    return channel === undefined || channels.has(channel) || !SHARED.has(`${req.method} ${template}`);
  }

  // ---- views ----

  const guildJson = (g: GuildState) => ({
    id: g.id,
    name: g.name,
    icon: g.icon,
    owner_id: g.ownerId,
    roles: [...g.roles.values()],
    features: [],
    preferred_locale: "en-US",
  });

  const memberJson = (m: FakeMember) => ({ user: m.user, roles: m.roles, nick: m.nick ?? null, joined_at: m.joinedAt, deaf: false, mute: false, flags: 0 });
  const channelJson = (c: FakeChannel) => ({ ...c });
  // Discord: a message's `mentions` are the users its content mentions, each with a partial `member` in a guild channel.
  const messageJson = (m: FakeMessage) => {
    const guildId = channels.get(m.channel_id)?.guild_id;
    const members = guildId ? guilds.get(guildId)?.members : undefined;
    const ids = new Set([...m.content.matchAll(/<@!?(\d+)>/g)].map((match) => match[1] as string));
    const mentions = [...ids].flatMap((id) => {
      const member = members?.get(id);
      return member ? [{ ...member.user, member: { nick: member.nick ?? null, roles: member.roles } }] : [];
    });
    return { ...m, mentions };
  };

  const presentGuild = (id: string | undefined) => {
    const g = id ? guilds.get(id) : undefined;
    return g?.botPresent ? g : undefined;
  };

  /** Discord's overwrite objects: id, type 0 (role) or 1 (member), allow and deny as decimal bit strings (default "0"). */
  function overwritesOf(raw: unknown): FakeOverwrite[] | null {
    if (!Array.isArray(raw)) return null;
    const out: FakeOverwrite[] = [];
    for (const o of raw as Record<string, unknown>[]) {
      const bits = (v: unknown) => (v === undefined || v === null ? "0" : typeof v === "string" && /^\d+$/.test(v) ? v : typeof v === "number" && Number.isInteger(v) ? String(v) : null);
      const allow = bits(o?.allow);
      const deny = bits(o?.deny);
      if (typeof o?.id !== "string" || !/^\d{5,25}$/.test(o.id) || (o.type !== 0 && o.type !== 1) || allow === null || deny === null) return null;
      out.push({ id: o.id, type: o.type, allow, deny });
    }
    return out;
  }

  function seedGuild(seed: FakeGuildSeed): void {
    const roles = new Map<string, FakeRole>();
    roles.set(seed.id, { id: seed.id, name: "@everyone", permissions: "0", position: 0, color: 0, managed: false });
    for (const r of seed.roles ?? []) roles.set(r.id, { position: 1, color: 0, managed: false, ...r });
    const members = new Map<string, FakeMember>();
    for (const m of seed.members ?? []) members.set(m.user.id, { joinedAt: new Date().toISOString(), ...m, roles: m.roles ?? [] });
    for (const [id, c] of channels) if (c.guild_id === seed.id) channels.delete(id);
    for (const c of seed.channels ?? []) {
      channels.set(c.id, { id: c.id, name: c.name, type: c.type ?? 0, guild_id: seed.id, parent_id: c.parentId ?? null, position: c.position ?? 0 });
      messages.set(c.id, []);
    }
    guilds.set(seed.id, { id: seed.id, name: seed.name, icon: seed.icon ?? null, ownerId: seed.ownerId, botPresent: seed.botPresent ?? true, roles, members });
  }

  // ---- guilds, members, roles ----

  bot("GET", "/guilds/:guild", "/guilds/:guild", (req) => {
    const g = presentGuild(req.params.guild);
    return g ? json(200, guildJson(g)) : fail(ERRORS.unknownGuild);
  });
  bot("GET", "/guilds/:guild/roles", "/guilds/:guild/roles", (req) => {
    const g = presentGuild(req.params.guild);
    return g ? json(200, [...g.roles.values()]) : fail(ERRORS.unknownGuild);
  });
  bot("GET", "/guilds/:guild/channels", "/guilds/:guild/channels", (req) => {
    const g = presentGuild(req.params.guild);
    if (!g) return fail(ERRORS.unknownGuild);
    // Discord: threads are not listed here.
    return json(200, [...channels.values()].filter((c) => c.guild_id === g.id && c.type !== 11 && c.type !== 12).map(channelJson));
  });
  bot("POST", "/guilds/:guild/channels", "/guilds/:guild/channels", (req) => {
    const g = presentGuild(req.params.guild);
    if (!g) return fail(ERRORS.unknownGuild);
    const body = parseBody(req);
    if (!body || typeof body.name !== "string" || body.name.length < 1 || body.name.length > 100) return invalidForm({ name: "Must be between 1 and 100 in length." });
    // Discord: a parent must be a category (type 4) of the same guild.
    if (body.parent_id != null) {
      const parent = channels.get(String(body.parent_id));
      if (!parent || parent.guild_id !== g.id || parent.type !== 4) return invalidForm({ parent_id: "Not a category of this guild." });
    }
    const overwrites = body.permission_overwrites === undefined ? [] : overwritesOf(body.permission_overwrites);
    if (!overwrites) return invalidForm({ permission_overwrites: "Each overwrite needs an id, type 0 (role) or 1 (member), and allow/deny bit strings." });
    const channel: FakeChannel = {
      id: nextId(),
      name: body.name,
      type: typeof body.type === "number" ? body.type : 0,
      guild_id: g.id,
      parent_id: typeof body.parent_id === "string" ? body.parent_id : null,
      position: 0,
      permission_overwrites: overwrites,
      ...(typeof body.topic === "string" ? { topic: body.topic } : {}),
    };
    channels.set(channel.id, channel);
    messages.set(channel.id, []);
    return json(201, channelJson(channel));
  });
  bot("GET", "/guilds/:guild/members/:user", "/guilds/:guild/members/:user", (req) => {
    const g = presentGuild(req.params.guild);
    if (!g) return fail(ERRORS.unknownGuild);
    const m = g.members.get(req.params.user ?? "");
    return m ? json(200, memberJson(m)) : fail(ERRORS.unknownMember);
  });
  for (const method of ["PUT", "DELETE"] as const) {
    bot(method, "/guilds/:guild/members/:user/roles/:role", "/guilds/:guild/members/:user/roles/:role", (req) => {
      const g = presentGuild(req.params.guild);
      if (!g) return fail(ERRORS.unknownGuild);
      const m = g.members.get(req.params.user ?? "");
      if (!m) return fail(ERRORS.unknownMember);
      const role = req.params.role ?? "";
      if (!g.roles.has(role)) return fail(ERRORS.unknownRole);
      m.roles = method === "PUT" ? [...new Set([...m.roles, role])] : m.roles.filter((r) => r !== role);
      return { status: 204, body: "" };
    });
  }
  bot("DELETE", "/users/@me/guilds/:guild", "/users/@me/guilds/:guild", (req) => {
    const g = presentGuild(req.params.guild);
    if (!g) return fail(ERRORS.unknownGuild);
    g.botPresent = false;
    return { status: 204, body: "" };
  });

  // ---- channels, threads, messages ----

  bot("GET", "/channels/:channel", "/channels/:channel", (req) => json(200, channelJson(channels.get(req.params.channel ?? "") as FakeChannel)));
  bot("PATCH", "/channels/:channel", "/channels/:channel", (req) => {
    const c = channels.get(req.params.channel ?? "") as FakeChannel;
    const body = parseBody(req);
    if (!body) return invalidForm({ _: "Malformed JSON" });
    if (body.name !== undefined && (typeof body.name !== "string" || body.name.length < 1 || body.name.length > 100)) return invalidForm({ name: "Must be between 1 and 100 in length." });
    if (typeof body.name === "string") c.name = body.name;
    for (const k of ["archived", "locked"] as const) if (typeof body[k] === "boolean") c.thread_metadata = { ...(c.thread_metadata ?? {}), [k]: body[k] };
    if (typeof body.parent_id === "string") c.parent_id = body.parent_id;
    return json(200, channelJson(c));
  });
  bot("DELETE", "/channels/:channel", "/channels/:channel", (req) => {
    const c = channels.get(req.params.channel ?? "") as FakeChannel;
    channels.delete(c.id);
    // Gone for the bot (404 Unknown Channel from now on); kept for the control view, messages included.
    deletedChannels.set(c.id, c);
    return json(200, channelJson(c));
  });
  bot("PUT", "/channels/:channel/permissions/:overwrite", "/channels/:channel/permissions/:overwrite", (req) => {
    const c = channels.get(req.params.channel ?? "") as FakeChannel;
    const body = parseBody(req);
    const [overwrite] = overwritesOf([{ ...(body ?? {}), id: req.params.overwrite }]) ?? [];
    if (!overwrite) return invalidForm({ type: "Must be 0 (role) or 1 (member); allow and deny are bit strings." });
    const before = c.permission_overwrites ?? [];
    // Discord: one overwrite per role or member; a PUT for one that exists replaces it.
    c.permission_overwrites = before.some((o) => o.id === overwrite.id) ? before.map((o) => (o.id === overwrite.id ? overwrite : o)) : [...before, overwrite];
    return { status: 204, body: "" };
  });
  bot("DELETE", "/channels/:channel/permissions/:overwrite", "/channels/:channel/permissions/:overwrite", (req) => {
    const c = channels.get(req.params.channel ?? "") as FakeChannel;
    const before = c.permission_overwrites ?? [];
    if (!before.some((o) => o.id === req.params.overwrite)) return fail(ERRORS.unknownOverwrite);
    c.permission_overwrites = before.filter((o) => o.id !== req.params.overwrite);
    return { status: 204, body: "" };
  });
  bot("POST", "/channels/:channel/threads", "/channels/:channel/threads", (req) => {
    const parent = channels.get(req.params.channel ?? "") as FakeChannel;
    const body = parseBody(req);
    if (!body || typeof body.name !== "string" || body.name.length < 1 || body.name.length > 100) return invalidForm({ name: "Must be between 1 and 100 in length." });
    const type = typeof body.type === "number" ? body.type : 12;
    const thread: FakeChannel = {
      id: nextId(),
      name: body.name,
      type,
      guild_id: parent.guild_id,
      parent_id: parent.id,
      position: 0,
      owner_id: "bot",
      thread_metadata: { archived: false, locked: false, invitable: body.invitable !== false },
    };
    channels.set(thread.id, thread);
    messages.set(thread.id, []);
    threadMembers.set(thread.id, new Set());
    return json(201, channelJson(thread));
  });
  for (const method of ["PUT", "DELETE"] as const) {
    bot(method, "/channels/:channel/thread-members/:user", "/channels/:channel/thread-members/:user", (req) => {
      const set = threadMembers.get(req.params.channel ?? "");
      if (!set) return fail(ERRORS.unknownChannel);
      if (method === "PUT") set.add(req.params.user ?? "");
      else set.delete(req.params.user ?? "");
      return { status: 204, body: "" };
    });
  }
  bot("GET", "/channels/:channel/thread-members", "/channels/:channel/thread-members", (req) => {
    const set = threadMembers.get(req.params.channel ?? "");
    return set ? json(200, [...set].map((user_id) => ({ id: req.params.channel, user_id, join_timestamp: new Date().toISOString(), flags: 0 }))) : fail(ERRORS.unknownChannel);
  });

  function storeMessage(channelId: string, body: Record<string, unknown>, author: { id: string; username: string; bot?: boolean }, extra: Partial<FakeMessage> = {}): FakeMessage | FakeResponse {
    const content = typeof body.content === "string" ? body.content : "";
    const embeds = Array.isArray(body.embeds) ? body.embeds : [];
    const components = Array.isArray(body.components) ? body.components : [];
    if (!content && embeds.length === 0 && components.length === 0) return fail(ERRORS.emptyMessage);
    if (content.length > 2000) return invalidForm({ content: "Must be 2000 or fewer in length." });
    const nonce = typeof body.nonce === "string" || typeof body.nonce === "number" ? String(body.nonce) : undefined;
    // Discord: with enforce_nonce, a create repeating a recent nonce of the same author returns the first message.
    if (nonce && body.enforce_nonce === true) {
      const first = (messages.get(channelId) ?? []).find((m) => m.nonce === nonce && m.author.id === author.id);
      if (first) return first;
    }
    const message: FakeMessage = {
      id: nextId(),
      channel_id: channelId,
      author,
      content,
      embeds,
      components,
      flags: typeof body.flags === "number" ? body.flags : 0,
      allowed_mentions: body.allowed_mentions ?? null,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      type: 0,
      ...(nonce ? { nonce } : {}),
      ...extra,
    };
    const list = messages.get(channelId) ?? [];
    list.push(message);
    messages.set(channelId, list);
    return message;
  }

  const BOT_AUTHOR = { id: "100000000000000009", username: "Nebula", bot: true };

  /** A bot upload as Discord shows it on the message (attachment objects on the CDN) plus the fake's record of it. */
  const uploaded = (channelId: string, files: UploadedFile[]): Partial<FakeMessage> => ({
    attachments: files.map((f) => {
      const id = nextId();
      return { id, filename: f.filename, size: f.size, content_type: f.contentType, url: `https://cdn.discordapp.com/attachments/${channelId}/${id}/${f.filename}`, ...(f.description ? { description: f.description } : {}) };
    }),
    uploads: files.map((f) => ({ filename: f.filename, size: f.size, contentType: f.contentType, content: f.content })),
  });

  bot("POST", "/channels/:channel/messages", "/channels/:channel/messages", (req) => {
    const body = parseBody(req);
    if (!body) return invalidForm({ _: "Malformed JSON" });
    const stored = storeMessage(req.params.channel ?? "", body, BOT_AUTHOR, req.files?.length ? uploaded(req.params.channel ?? "", req.files) : {});
    return "status" in stored ? stored : json(200, messageJson(stored));
  });
  bot("GET", "/channels/:channel/messages", "/channels/:channel/messages", (req) => {
    const limit = Number(req.query.get("limit") ?? "50");
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return invalidForm({ limit: "Must be between 1 and 100." });
    const before = req.query.get("before");
    const after = req.query.get("after");
    // Discord: newest first.
    let list = [...(messages.get(req.params.channel ?? "") ?? [])].reverse();
    if (before) list = list.filter((m) => BigInt(m.id) < BigInt(before));
    if (after) list = list.filter((m) => BigInt(m.id) > BigInt(after));
    return json(200, list.slice(0, limit).map(messageJson));
  });
  const findMessage = (req: FakeRequest) => (messages.get(req.params.channel ?? "") ?? []).find((m) => m.id === req.params.message);
  bot("GET", "/channels/:channel/messages/:message", "/channels/:channel/messages/:message", (req) => {
    const m = findMessage(req);
    return m ? json(200, messageJson(m)) : fail(ERRORS.unknownMessage);
  });
  bot("PATCH", "/channels/:channel/messages/:message", "/channels/:channel/messages/:message", (req) => {
    const m = findMessage(req);
    if (!m) return fail(ERRORS.unknownMessage);
    const body = parseBody(req);
    if (!body) return invalidForm({ _: "Malformed JSON" });
    applyEdit(m, body);
    return json(200, messageJson(m));
  });
  bot("DELETE", "/channels/:channel/messages/:message", "/channels/:channel/messages/:message", (req) => {
    const list = messages.get(req.params.channel ?? "") ?? [];
    const i = list.findIndex((m) => m.id === req.params.message);
    if (i < 0) return fail(ERRORS.unknownMessage);
    list.splice(i, 1);
    return { status: 204, body: "" };
  });
  bot("POST", "/users/@me/channels", "/users/@me/channels", (req) => {
    const body = parseBody(req);
    const recipient = typeof body?.recipient_id === "string" ? body.recipient_id : null;
    if (!recipient) return invalidForm({ recipient_id: "This field is required" });
    let id = dmChannels.get(recipient);
    if (!id) {
      id = nextId();
      dmChannels.set(recipient, id);
      channels.set(id, { id, type: 1, name: null, guild_id: null, parent_id: null, position: 0, recipients: [{ id: recipient }] });
      messages.set(id, []);
    }
    return json(200, channelJson(channels.get(id) as FakeChannel));
  });

  function applyEdit(m: FakeMessage, body: Record<string, unknown>): void {
    if (typeof body.content === "string") m.content = body.content;
    if (Array.isArray(body.embeds)) m.embeds = body.embeds;
    if (Array.isArray(body.components)) m.components = body.components;
    if (body.allowed_mentions !== undefined) m.allowed_mentions = body.allowed_mentions;
    m.edited_timestamp = new Date().toISOString();
    m.edits = (m.edits ?? 0) + 1;
  }

  // ---- application commands ----

  function validCommands(body: unknown): string | null {
    if (!Array.isArray(body)) return "Expected an array of commands";
    if (body.length > 100) return "Must be 100 or fewer in length.";
    const names = new Set<string>();
    for (const c of body as Record<string, unknown>[]) {
      if (typeof c.name !== "string" || !/^[-_\p{Ll}\p{N}]{1,32}$/u.test(c.name)) return `Invalid command name ${String(c.name)}`;
      if ((c.type ?? 1) === 1 && (typeof c.description !== "string" || c.description.length < 1 || c.description.length > 100)) return `Invalid description for ${c.name}`;
      if (names.has(c.name)) return `Application command names must be unique (${c.name})`;
      names.add(c.name);
    }
    return null;
  }

  for (const scope of ["global", "guild"] as const) {
    const path = scope === "global" ? "/applications/:app/commands" : "/applications/:app/guilds/:guild/commands";
    const keyOf = (req: FakeRequest) => (scope === "global" ? `global:${req.params.app}` : `guild:${req.params.app}:${req.params.guild}`);
    bot("PUT", path, path, (req) => {
      let body: unknown;
      try {
        body = JSON.parse(req.rawBody || "null");
      } catch {
        body = null;
      }
      const problem = validCommands(body);
      if (problem) return invalidForm({ _: problem });
      if (scope === "guild" && !presentGuild(req.params.guild)) return fail(ERRORS.missingAccess);
      const stored = (body as Record<string, unknown>[]).map((c) => ({ ...c, id: nextId(), application_id: req.params.app, version: nextId(), ...(scope === "guild" ? { guild_id: req.params.guild } : {}) }));
      commands.set(keyOf(req), stored);
      return json(200, stored);
    });
    bot("GET", path, path, (req) => json(200, commands.get(keyOf(req)) ?? []));
  }

  // ---- interaction callback and webhooks (no bot auth: the token is the credential) ----

  function interactionFor(token: string | undefined): { record: InteractionRecord } | { error: FakeResponse } {
    const id = interactionIdOfToken(token ?? "");
    if (!id) return { error: fail(ERRORS.invalidToken) };
    const created = Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
    if (Date.now() - created > TOKEN_TTL_MS) return { error: fail(ERRORS.invalidToken) };
    let record = interactions.get(id);
    if (!record) {
      record = { id, callback: null, original: null, followUps: [], deletedOriginal: false, originalEdits: 0 };
      interactions.set(id, record);
    }
    return { record };
  }

  function settle(record: InteractionRecord): void {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if (w && w.id === record.id && record.originalEdits >= w.edits) {
        waiters.splice(i, 1);
        w.resolve(json(200, record));
      }
    }
  }

  /** Interaction webhooks are this model's when the token is an interaction token; other webhooks pass. */
  function hook(method: string, path: string, handler: (req: FakeRequest, record: InteractionRecord) => FakeResponse) {
    discord.route(
      method,
      `${API_PREFIX}${path}`,
      (req) => {
        if (!interactionIdOfToken(req.params.token ?? "")) return null;
        return limited(req, path, () => {
          const found = interactionFor(req.params.token);
          return "error" in found ? found.error : handler(req, found.record);
        });
      },
      { first: true },
    );
  }

  hook("POST", "/interactions/:id/:token/callback", (req, record) => {
    if (record.id !== req.params.id) return fail(ERRORS.unknownInteraction);
    if (record.callback) return fail(ERRORS.alreadyAcknowledged);
    const body = parseBody(req);
    if (!body || typeof body.type !== "number") return invalidForm({ type: "This field is required" });
    record.callback = body;
    return { status: 204, body: "" };
  });
  hook("POST", "/webhooks/:app/:token", (req, record) => {
    const body = parseBody(req);
    if (!body) return invalidForm({ _: "Malformed JSON" });
    const stored = storeMessage(`interaction:${record.id}`, body, BOT_AUTHOR, { webhook_id: req.params.app });
    if ("status" in stored) return stored;
    record.followUps.push(stored);
    return json(200, messageJson(stored));
  });
  hook("GET", "/webhooks/:app/:token/messages/:message", (req, record) => {
    const m = req.params.message === "@original" ? record.original : record.followUps.find((f) => f.id === req.params.message);
    return m ? json(200, messageJson(m)) : fail(ERRORS.unknownMessage);
  });
  hook("PATCH", "/webhooks/:app/:token/messages/:message", (req, record) => {
    const body = parseBody(req);
    if (!body) return invalidForm({ _: "Malformed JSON" });
    if (req.params.message === "@original") {
      if (record.deletedOriginal) return fail(ERRORS.unknownMessage);
      // The deferred "thinking…" message exists from the deferral on; the first edit fills it.
      record.original ??= { id: nextId(), channel_id: `interaction:${record.id}`, author: BOT_AUTHOR, content: "", embeds: [], components: [], flags: 0, allowed_mentions: null, timestamp: new Date().toISOString(), edited_timestamp: null, type: 0, edits: 0 };
      applyEdit(record.original, body);
      record.originalEdits += 1;
      settle(record);
      return json(200, messageJson(record.original));
    }
    const m = record.followUps.find((f) => f.id === req.params.message);
    if (!m) return fail(ERRORS.unknownMessage);
    applyEdit(m, body);
    return json(200, messageJson(m));
  });
  hook("DELETE", "/webhooks/:app/:token/messages/:message", (req, record) => {
    if (req.params.message === "@original") {
      if (record.deletedOriginal) return fail(ERRORS.unknownMessage);
      record.deletedOriginal = true;
      record.original = null;
      return { status: 204, body: "" };
    }
    const i = record.followUps.findIndex((f) => f.id === req.params.message);
    if (i < 0) return fail(ERRORS.unknownMessage);
    record.followUps.splice(i, 1);
    return { status: 204, body: "" };
  });

  // ---- control ----

  discord.route("POST", "/__control/guilds", (req) => {
    const body = parseBody(req) as FakeGuildSeed | null;
    if (!body || typeof body.id !== "string" || typeof body.name !== "string" || typeof body.ownerId !== "string") return json(400, { error: "id, name and ownerId are required" });
    seedGuild(body);
    return json(200, { id: body.id });
  });
  discord.route("GET", "/__control/guilds/:guild", (req) => {
    const g = guilds.get(req.params.guild ?? "");
    if (!g) return json(404, { error: "unknown guild" });
    const own = [...channels.values()].filter((c) => c.guild_id === g.id);
    return json(200, {
      ...guildJson(g),
      botPresent: g.botPresent,
      members: [...g.members.values()].map(memberJson),
      channels: own.map((c) => ({ ...c, messages: messages.get(c.id) ?? [], ...(threadMembers.has(c.id) ? { threadMembers: [...(threadMembers.get(c.id) ?? [])] } : {}) })),
      deletedChannels: [...deletedChannels.values()].filter((c) => c.guild_id === g.id).map((c) => ({ ...c, messages: messages.get(c.id) ?? [] })),
    });
  });
  discord.route("POST", "/__control/guilds/:guild/members", (req) => {
    const g = guilds.get(req.params.guild ?? "");
    const body = parseBody(req) as FakeMember | null;
    if (!g || !body?.user?.id) return json(400, { error: "unknown guild or missing user" });
    g.members.set(body.user.id, { joinedAt: new Date().toISOString(), ...body, roles: body.roles ?? [] });
    return json(200, { ok: true });
  });
  discord.route("DELETE", "/__control/guilds/:guild/members/:user", (req) => {
    guilds.get(req.params.guild ?? "")?.members.delete(req.params.user ?? "");
    return json(200, { ok: true });
  });
  discord.route("POST", "/__control/guilds/:guild/bot", (req) => {
    const g = guilds.get(req.params.guild ?? "");
    const body = parseBody(req);
    if (!g || typeof body?.present !== "boolean") return json(400, { error: "unknown guild or missing present" });
    g.botPresent = body.present;
    return json(200, { ok: true });
  });
  discord.route("POST", "/__control/faults", (req) => {
    const body = parseBody(req);
    if (!body || typeof body.method !== "string" || typeof body.path !== "string" || typeof body.status !== "number") return json(400, { error: "method, path and status are required" });
    faults.push({ method: body.method, path: body.path, status: body.status, remaining: typeof body.count === "number" ? body.count : 1, retryAfter: typeof body.retryAfter === "number" ? body.retryAfter : 0.05, afterStore: body.afterStore === true });
    return json(200, { ok: true });
  });
  discord.route("GET", "/__control/interactions/:id", (req) => json(200, interactions.get(req.params.id ?? "") ?? { id: req.params.id, callback: null, original: null, followUps: [], deletedOriginal: false, originalEdits: 0 }));
  discord.route("GET", "/__control/interactions/:id/wait", (req) => {
    const id = req.params.id ?? "";
    const edits = Number(req.query.get("edits") ?? "1");
    const record = interactions.get(id);
    if (record && record.originalEdits >= edits) return json(200, record);
    return new Promise<FakeResponse>((resolve) => {
      const waiter = { id, edits, resolve };
      waiters.push(waiter);
      setTimeout(() => {
        const i = waiters.indexOf(waiter);
        if (i >= 0) {
          waiters.splice(i, 1);
          resolve(json(408, { error: `interaction ${id} did not get ${edits} edit(s) of @original`, record: interactions.get(id) ?? null }));
        }
      }, 20_000).unref();
    });
  });
  discord.route("GET", "/__control/commands", (req) => {
    const guildId = req.query.get("guildId");
    const app = req.query.get("applicationId") ?? "";
    const key = guildId ? `guild:${app}:${guildId}` : `global:${app}`;
    return json(200, commands.get(key) ?? []);
  });
  discord.route("POST", "/__control/channels/:channel/messages", (req) => {
    const channelId = req.params.channel ?? "";
    const body = parseBody(req) as { author?: FakeMessage["author"]; content?: unknown; attachments?: unknown; count?: unknown } | null;
    if (!channels.has(channelId) || !body?.author?.id) return json(400, { error: "unknown channel or missing author" });
    const count = typeof body.count === "number" ? body.count : 1;
    const list = messages.get(channelId) ?? [];
    const ids: string[] = [];
    for (let i = 1; i <= count; i++) {
      const id = nextId();
      const attachments = Array.isArray(body.attachments) ? (body.attachments as { filename: string; url: string }[]).map((a) => ({ id: nextId(), filename: a.filename, url: a.url })) : [];
      const content = typeof body.content === "string" ? (count > 1 ? `${body.content} #${i}` : body.content) : "";
      list.push({ id, channel_id: channelId, author: body.author, content, embeds: [], components: [], attachments, flags: 0, allowed_mentions: null, timestamp: new Date().toISOString(), edited_timestamp: null, type: 0 });
      ids.push(id);
    }
    messages.set(channelId, list);
    return json(200, { ids });
  });
  discord.route("GET", "/__control/dms", (req) => {
    const id = dmChannels.get(req.query.get("userId") ?? "");
    return json(200, { channelId: id ?? null, messages: id ? (messages.get(id) ?? []) : [] });
  });

  return {
    seedGuild,
    close: () => {
      for (const w of waiters.splice(0)) w.resolve(json(503, { error: "fake closing" }));
    },
  };
}

/** A random token shaped like Discord's interaction tokens: base64url("interaction:<id>:<random>"). */
export function interactionToken(interactionId: string): string {
  return Buffer.from(`interaction:${interactionId}:${randomBytes(24).toString("base64url")}`).toString("base64url");
}
