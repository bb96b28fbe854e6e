// Prefixed random ids (`ten_…`, `usr_…`) so a stray id in a log says what it names.
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

export const ID_PREFIXES = {
  tenant: "ten",
  user: "usr",
  membership: "mem",
  invite: "inv",
  session: "ses",
  apiToken: "tok",
  agent: "agt",
  audit: "aud",
  secret: "sec",
  overlay: "ovl",
  job: "job",
  alert: "alr",
  alertEvent: "ale",
  trackedStreamer: "str",
  streamSession: "sss",
  githubFeed: "ghf",
  githubDelivery: "ghd",
  customCommand: "cmd",
  ticket: "tkt",
  ticketPanel: "tkp",
  ticketCategory: "tkc",
  inboxNotification: "inb",
  inboxSource: "ibs",
  inboxWebhook: "ibw",
  chatChannel: "chc",
  chatCommand: "ccm",
  chatTimer: "ctm",
  moderationLog: "mlg",
  platformConnection: "pcn",
  songRequest: "sng",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/** 16 random base36 characters (~82 bits) after the kind's prefix. */
export function newId(kind: IdKind): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let out = "";
  for (const b of bytes) out += ALPHABET[b % 36];
  return `${ID_PREFIXES[kind]}_${out}`;
}

/** A pattern that accepts only ids of one kind; used by route param validators. */
export function idPattern(kind: IdKind): RegExp {
  return new RegExp(`^${ID_PREFIXES[kind]}_[0-9a-z]{16}$`);
}
