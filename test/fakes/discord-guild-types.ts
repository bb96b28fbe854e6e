// Shapes of the fake Discord's guild model (test/fakes/discord-guilds.ts); no imports, so suites inside workerd can use them.
export interface FakeRole {
  id: string;
  name: string;
  /** Permission bitfield as a decimal string, as Discord sends it. */
  permissions: string;
  position?: number;
  color?: number;
  managed?: boolean;
}

export interface FakeMember {
  user: { id: string; username: string; global_name?: string | null; avatar?: string | null; bot?: boolean };
  roles: string[];
  nick?: string | null;
  joinedAt?: string;
}

export interface FakeChannelSeed {
  id: string;
  name: string;
  /** 0 text, 2 voice, 4 category, 5 announcement, 11 public thread, 12 private thread. */
  type?: number;
  parentId?: string | null;
  position?: number;
}

export interface FakeGuildSeed {
  id: string;
  name: string;
  ownerId: string;
  icon?: string | null;
  /** Whether the bot is a member (default true); when false the bot's guild routes answer 404 Unknown Guild. */
  botPresent?: boolean;
  roles?: FakeRole[];
  channels?: FakeChannelSeed[];
  members?: FakeMember[];
}

export interface FakeChannel {
  id: string;
  name: string | null;
  type: number;
  guild_id: string | null;
  parent_id: string | null;
  position: number;
  owner_id?: string;
  topic?: string;
  permission_overwrites?: FakeOverwrite[];
  thread_metadata?: { archived?: boolean; locked?: boolean; invitable?: boolean };
  recipients?: { id: string }[];
}

/** A channel's permission overwrite as Discord sends it: type 0 role, 1 member; bits as decimal strings. */
export interface FakeOverwrite {
  id: string;
  type: 0 | 1;
  allow: string;
  deny: string;
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  author: { id: string; username: string; bot?: boolean };
  content: string;
  embeds: unknown[];
  components: unknown[];
  flags: number;
  /** As sent: who the message may ping. */
  allowed_mentions: unknown;
  timestamp: string;
  edited_timestamp: string | null;
  type: number;
  webhook_id?: string;
  /** As sent; with enforce_nonce a second create with it returns this message (Discord: within a few minutes). */
  nonce?: string;
  edits?: number;
  /** Files on the message: seeded on a member's message, or uploaded by the bot (multipart, Discord's attachment fields). */
  attachments?: { id: string; filename: string; url: string; size?: number; content_type?: string; description?: string }[];
  /** The fake's own record of what the bot uploaded, content included, for tests to read (not in Discord's message). */
  uploads?: { filename: string; size: number; contentType: string; content: string }[];
}

/** What the app sent Discord for one interaction. */
export interface InteractionRecord {
  id: string;
  /** POST /interactions/:id/:token/callback body, when the app answered that way instead of over HTTP. */
  callback: Record<string, unknown> | null;
  original: FakeMessage | null;
  followUps: FakeMessage[];
  deletedOriginal: boolean;
  originalEdits: number;
}
