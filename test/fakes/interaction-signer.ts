// Builds Discord interaction payloads (slash command with options, component click, modal submit, autocomplete, PING)
// and signs them the way Discord does: Ed25519 over timestamp + body, with a key pair generated for the run (no
// private key lives in the repository); its public half, hex as the developer portal shows it, is the stack's
// DISCORD_PUBLIC_KEY. Runs in workerd and Node alike (WebCrypto only). Ids are real snowflakes of "now", and tokens
// are shaped like Discord's (base64url("interaction:<id>:…")), so the fake's webhooks accept them for 15 minutes.

/** The application the tests' interactions come from (the same app as TEST_DISCORD_CLIENT_ID). */
export const TEST_APPLICATION_ID = "100000000000000001";
const DISCORD_EPOCH = 1420070400000n;

let sequence = 0;

/** A snowflake for `ms` (default now), unique within this process. */
export function snowflake(ms = Date.now()): string {
  sequence = (sequence + 1) % 4096;
  const worker = BigInt(Math.floor(Math.random() * 1024));
  return String(((BigInt(ms) - DISCORD_EPOCH) << 22n) | (worker << 12n) | BigInt(sequence));
}

function base64url(text: string): string {
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function interactionTokenFor(id: string): string {
  const random = Array.from(crypto.getRandomValues(new Uint8Array(18)), (b) => b.toString(16).padStart(2, "0")).join("");
  return base64url(`interaction:${id}:${random}`);
}

export interface InvokingMember {
  user: { id: string; username: string; global_name?: string | null };
  roles?: string[];
  /** Permission bitfield (decimal string) in the channel, as Discord computes it. */
  permissions?: string;
}

export interface Where {
  guildId?: string | null;
  channelId?: string;
  member?: InvokingMember;
  /** When the interaction was created (default now); an old one has an expired token. */
  at?: number;
}

export interface CommandOptionInput {
  name: string;
  type: number;
  value?: string | number | boolean;
  focused?: boolean;
  options?: CommandOptionInput[];
}

export interface SignedInteraction {
  id: string;
  token: string;
  payload: Record<string, unknown>;
  body: string;
  headers: Record<string, string>;
}

const DEFAULT_MEMBER: InvokingMember = { user: { id: "300000000000000001", username: "tester" }, roles: [], permissions: "0" };

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/** The test application's Ed25519 key pair: the private half signs, the public half is DISCORD_PUBLIC_KEY. */
export interface InteractionKeyPair {
  privateKey: JsonWebKey;
  /** The raw 32-byte public key in hex, the form Discord's developer portal shows and DISCORD_PUBLIC_KEY takes. */
  publicKeyHex: string;
}

/** A fresh key pair. Plain data, so test/global-setup.ts can hand it to the workerd tests through `provide`. */
export async function generateInteractionKeyPair(): Promise<InteractionKeyPair> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const [jwk, publicRaw] = (await Promise.all([crypto.subtle.exportKey("jwk", pair.privateKey), crypto.subtle.exportKey("raw", pair.publicKey)])) as [JsonWebKey, ArrayBuffer];
  // Only the key itself: Node writes `alg: "Ed25519"`, which workerd's importKey refuses (it knows "EdDSA").
  return { privateKey: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }, publicKeyHex: hex(publicRaw) };
}

export class InteractionSigner {
  private readonly key: Promise<CryptoKey>;
  readonly applicationId: string;
  /** What the stack under test needs as DISCORD_PUBLIC_KEY to accept this signer's interactions. */
  readonly publicKeyHex: string;

  /** A signer with a key pair of its own (a bench or another process that starts its own stack). */
  static async generate(options: { applicationId?: string } = {}): Promise<InteractionSigner> {
    return new InteractionSigner(await generateInteractionKeyPair(), options);
  }

  constructor(keyPair: InteractionKeyPair, options: { applicationId?: string } = {}) {
    this.key = crypto.subtle.importKey("jwk", keyPair.privateKey, { name: "Ed25519" }, false, ["sign"]);
    this.publicKeyHex = keyPair.publicKeyHex;
    this.applicationId = options.applicationId ?? TEST_APPLICATION_ID;
  }

  envelope(type: number, data: unknown, where: Where = {}): Record<string, unknown> {
    const id = snowflake(where.at);
    const guildId = where.guildId === undefined ? "400000000000000001" : where.guildId;
    const member = where.member ?? DEFAULT_MEMBER;
    return {
      id,
      application_id: this.applicationId,
      type,
      token: interactionTokenFor(id),
      version: 1,
      channel_id: where.channelId ?? "500000000000000001",
      locale: "en-US",
      ...(guildId
        ? { guild_id: guildId, member: { user: { global_name: null, avatar: null, ...member.user }, roles: member.roles ?? [], permissions: member.permissions ?? "0", nick: null } }
        : { user: { global_name: null, avatar: null, ...member.user } }),
      ...(data === undefined ? {} : { data }),
    };
  }

  ping(): Record<string, unknown> {
    return { id: snowflake(), application_id: this.applicationId, type: 1, token: interactionTokenFor(snowflake()), version: 1 };
  }

  /** `/name [subcommand] option:value…`; a subcommand is "sub" or "group sub". */
  slashCommand(name: string, input: { subcommand?: string; options?: CommandOptionInput[] } & Where = {}): Record<string, unknown> {
    return this.envelope(2, { id: snowflake(), name, type: 1, options: nest(input.subcommand, input.options ?? []) }, input);
  }

  autocomplete(name: string, input: { subcommand?: string; options?: CommandOptionInput[]; focused: string } & Where): Record<string, unknown> {
    const options = (input.options ?? []).map((o) => (o.name === input.focused ? { ...o, focused: true } : o));
    return this.envelope(4, { id: snowflake(), name, type: 1, options: nest(input.subcommand, options) }, input);
  }

  /** A button click (componentType 2) or a select (3, with values) on message `messageId`. */
  component(customId: string, input: { componentType?: number; values?: string[]; messageId?: string } & Where = {}): Record<string, unknown> {
    const payload = this.envelope(3, { custom_id: customId, component_type: input.componentType ?? 2, ...(input.values ? { values: input.values } : {}) }, input);
    return { ...payload, message: { id: input.messageId ?? snowflake(), channel_id: payload.channel_id, content: "", flags: 0 } };
  }

  modalSubmit(customId: string, fields: Record<string, string>, where: Where = {}): Record<string, unknown> {
    const components = Object.entries(fields).map(([id, value]) => ({ type: 1, components: [{ type: 4, custom_id: id, value }] }));
    return this.envelope(5, { custom_id: customId, components }, where);
  }

  /** Discord's X-Signature-Ed25519 for these exact bytes: hex of Ed25519(timestamp + body). */
  async signature(timestamp: string, body: string): Promise<string> {
    return hex(await crypto.subtle.sign({ name: "Ed25519" }, await this.key, new TextEncoder().encode(timestamp + body)));
  }

  /** Signs the exact bytes that will be sent. */
  async sign(payload: Record<string, unknown>, timestamp = String(Math.floor(Date.now() / 1000))): Promise<SignedInteraction> {
    const body = JSON.stringify(payload);
    const signature = await this.signature(timestamp, body);
    return {
      id: String(payload.id),
      token: String(payload.token),
      payload,
      body,
      headers: { "content-type": "application/json", "x-signature-ed25519": signature, "x-signature-timestamp": timestamp },
    };
  }

  async request(url: string, payload: Record<string, unknown>): Promise<{ request: Request; signed: SignedInteraction }> {
    const signed = await this.sign(payload);
    return { request: new Request(url, { method: "POST", headers: signed.headers, body: signed.body }), signed };
  }
}

function nest(subcommand: string | undefined, options: CommandOptionInput[]): CommandOptionInput[] {
  if (!subcommand) return options;
  const [first, second] = subcommand.split(" ");
  if (second) return [{ name: first ?? "", type: 2, options: [{ name: second, type: 1, options }] }];
  return [{ name: first ?? "", type: 1, options }];
}
