// Roles and the permission table: each action maps to the lowest role allowed to do it.
// One table, read by the worker's authorize middleware and by the web app to hide what a role cannot do.
export const ROLES = ["viewer", "operator", "admin", "owner"] as const;
export type Role = (typeof ROLES)[number];

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return roleRank(role) >= roleRank(minimum);
}

export const PERMISSIONS = {
  "tenant.read": "viewer",
  "tenant.update": "owner",
  "members.read": "viewer",
  "members.update": "admin",
  "members.remove": "admin",
  "invites.read": "admin",
  "invites.create": "admin",
  "invites.revoke": "admin",
  "tokens.read": "operator",
  "tokens.create": "operator",
  "tokens.revoke": "operator",
  "audit.read": "admin",
  "agents.read": "viewer",
  "agents.create": "admin",
  "agents.revoke": "admin",
  "jobs.read": "viewer",
  /** The route's gate only: each job kind names its own lowest role (JOB_KINDS in wire/jobs.ts). */
  "jobs.run": "viewer",
  "overlays.read": "viewer",
  "overlays.test": "operator",
  /** OBS overlays: operators design them (create, save, import, delete) and rotate their public URL. */
  "overlays.manage": "operator",
  "alerts.read": "viewer",
  "alerts.manage": "admin",
  "github.read": "viewer",
  "github.manage": "admin",
  /** Deploy-on-push rules run code on a host (deploy.run is an owner job): only owners set them. */
  "github.deploy": "owner",
  /** Linked Discord servers; settings of one guild also need Manage Server there (requireGuildManager). */
  "discord.read": "viewer",
  "discord.manage": "admin",
  /** Go-live notifications: tracked streamers and their stream sessions; a test alert posts to the channel. */
  "streams.read": "viewer",
  "streams.manage": "admin",
  "streams.test": "operator",
  /** Tickets: viewers read (list, transcripts, stats), operators handle (close), admins configure panels and settings. */
  "tickets.read": "viewer",
  "tickets.handle": "operator",
  "tickets.manage": "admin",
  /** Unified inbox: viewers read, operators mark read/unread, admins set retention, channels and webhooks. */
  "inbox.read": "viewer",
  "inbox.triage": "operator",
  "inbox.manage": "admin",
  /** Chat bot: viewers read (channels, commands, timers, moderation log); admins configure them and the anti-spam rules. */
  "chatbot.read": "viewer",
  "chatbot.manage": "admin",
  /** YouTube song requests: viewers see the queue, operators run it (add, skip, remove, reorder), admins set its rules. */
  "songrequests.read": "viewer",
  "songrequests.queue": "operator",
  "songrequests.manage": "admin",
  /** Platform connections (OAuth to Twitch/YouTube/Kick): every operator manages their own; admins see and disconnect anyone's. */
  "connections.manage": "operator",
  "connections.admin": "admin",
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

export function can(role: Role, action: Permission): boolean {
  return roleAtLeast(role, PERMISSIONS[action]);
}

/** API token scopes: "*" (everything its owner's role allows) or a list of actions. */
export const READ_ONLY_SCOPES: Permission[] = PERMISSION_NAMES.filter((p) => p.endsWith(".read"));
