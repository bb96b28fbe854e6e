// The allowlist of job kinds the edge may ask an agent to run, each with its typed parameters and the
// lowest role allowed to request it. There is no arbitrary shell: the agent enforces this list too.
// zod/mini, like wire/agent.ts: the agent keeps these schemas in memory at rest.
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
import type { Role } from "../core/roles.ts";

// zod/mini sets no locale, and the agent loads no classic zod (which sets English on its first schema): without this,
// parseJob would describe every failed check there as "Invalid input".
if (!z.config().localeError) z.config(en());

/** Docker container id (hex, 12-64) or name. */
const containerRef = z.string().check(z.regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, "must be a container id or name"));
/** An image reference such as `ghcr.io/owner/app:1.2` or `busybox@sha256:…`. */
const imageRef = z.string().check(z.maxLength(255), z.regex(/^[a-z0-9][a-z0-9._\-/:@]*$/i, "must be an image reference"));
/** libvirt domain name. */
const domainName = z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/, "must be a VM name"));
/** A name configured on the agent (stack, mount, repository): the edge names it, the agent maps it to a path. */
const configuredName = z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "must be a configured name"));
const mac = z.string().check(z.regex(/^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i, "must be a MAC address"));
/** Seconds docker may wait for a container to stop before killing it. */
const stopTimeoutSeconds = z._default(z.int().check(z.minimum(0), z.maximum(600)), 10);
const none = z.strictObject({});
/** Services the agent knows how to probe, each read in its own format (agent/src/host/service-probe.ts). */
export const PROBE_KINDS = ["plex", "home-assistant", "minio", "http"] as const;
const probeTimeoutMs = z._default(z.int().check(z.minimum(100), z.maximum(30_000)), 5000);

export const JOB_KINDS = {
  "docker.list": { role: "viewer", params: z.strictObject({ all: z._default(z.boolean(), true) }) },
  "docker.inspect": { role: "viewer", params: z.strictObject({ id: containerRef }) },
  "docker.logs": {
    role: "viewer",
    params: z.strictObject({ id: containerRef, tail: z._default(z.int().check(z.minimum(0), z.maximum(5000)), 200), follow: z._default(z.boolean(), false) }),
  },
  "docker.stats": { role: "viewer", params: z.strictObject({ id: containerRef }) },
  "docker.start": { role: "operator", params: z.strictObject({ id: containerRef }) },
  "docker.stop": { role: "operator", params: z.strictObject({ id: containerRef, timeoutSeconds: stopTimeoutSeconds }) },
  "docker.restart": { role: "operator", params: z.strictObject({ id: containerRef, timeoutSeconds: stopTimeoutSeconds }) },
  "docker.pull": { role: "admin", params: z.strictObject({ image: imageRef }) },
  "docker.compose.up": { role: "admin", params: z.strictObject({ stack: configuredName }) },
  "docker.compose.down": { role: "admin", params: z.strictObject({ stack: configuredName }) },
  "vm.list": { role: "viewer", params: none },
  "vm.state": { role: "viewer", params: z.strictObject({ name: domainName }) },
  "vm.start": { role: "operator", params: z.strictObject({ name: domainName }) },
  "vm.shutdown": { role: "operator", params: z.strictObject({ name: domainName }) },
  "vm.reboot": { role: "operator", params: z.strictObject({ name: domainName }) },
  "vm.destroy": { role: "admin", params: z.strictObject({ name: domainName }) },
  "gaming.status": { role: "viewer", params: none },
  "gaming.enable": { role: "operator", params: none },
  "gaming.disable": { role: "operator", params: none },
  "nas.status": { role: "viewer", params: none },
  "nas.remount": { role: "operator", params: z.strictObject({ mount: configuredName }) },
  // A probe the owner configured on the agent (NEBULA_PROBES), by name: a viewer learns whether a service is up,
  // and never chooses where on the LAN the agent sends a request.
  "host.probe": { role: "viewer", params: z.strictObject({ probe: configuredName, timeoutMs: probeTimeoutMs }) },
  // Any http(s) URL, requested from inside the home network: a port scan or a poke at an IoT device in the wrong
  // hands, so admins only. The agent runs it only under this kind, never under host.probe.
  "host.probe_url": {
    role: "admin",
    params: z.strictObject({ kind: z.enum(PROBE_KINDS), url: z.url({ protocol: /^https?$/ }).check(z.maxLength(500)), timeoutMs: probeTimeoutMs }),
  },
  "host.wol": { role: "operator", params: z.strictObject({ mac, broadcast: z._default(z.ipv4(), "255.255.255.255") }) },
  "host.reboot": { role: "owner", params: z.strictObject({ confirm: z.literal(true) }) },
  "deploy.run": {
    role: "owner",
    // A ref never starts with "-", so it can never be read as a git option.
    params: z.strictObject({
      repo: configuredName,
      ref: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_][A-Za-z0-9._/-]{0,199}$/, "must be a branch, tag or commit"))),
    }),
  },
} as const satisfies Record<string, { role: Role; params: z.ZodMiniType }>;

export type JobKind = keyof typeof JOB_KINDS;
export const JOB_KIND_NAMES = Object.keys(JOB_KINDS) as [JobKind, ...JobKind[]];
export type JobParams<K extends JobKind> = z.output<(typeof JOB_KINDS)[K]["params"]>;

/** Default and maximum time a job may run before it is cancelled. */
export const DEFAULT_JOB_TIMEOUT_MS = 60_000;
export const MAX_JOB_TIMEOUT_MS = 30 * 60_000;

/**
 * Kinds that undo what they began when cancelled or out of time (gaming mode starts the containers it stopped again
 * and shuts down the VM it started): the agent keeps such a job open this long after the abort, streaming the
 * rollback, and answers once it is done. The default rollback of gaming.enable (VM shutdown 120 s + forced off 30 s,
 * containers 90 s) fits.
 */
export const JOB_ROLLBACK_GRACE_MS: Partial<Record<JobKind, number>> = { "gaming.enable": 5 * 60_000 };

/** Validates a kind + params pair against the allowlist; used by the edge before sending and the agent on receipt. */
export function parseJob(kind: string, params: unknown): { ok: true; kind: JobKind; params: unknown } | { ok: false; message: string } {
  if (!Object.hasOwn(JOB_KINDS, kind)) return { ok: false, message: `Job kind "${kind.slice(0, 60)}" is not allowed` };
  const spec = JOB_KINDS[kind as JobKind];
  const parsed = spec.params.safeParse(params ?? {});
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((i) => `${i.path.join(".") || "params"}: ${i.message}`).join("; ") };
  return { ok: true, kind: kind as JobKind, params: parsed.data };
}
