// Real local peers the suites drive (podman for the Docker Engine API, virsh for libvirt): where to find them,
// and what a suite does when one is missing: skip with a hint, or fail when CI requires peers.
import { accessSync, constants } from "node:fs";
import path from "node:path";

/** The OS programs each peer needs; `npm run setup:peers` (.ci/setup-peers) installs them. */
const PEER_PROGRAMS = {
  podman: ["podman", "runc", "busybox", "tar"],
  /** The standalone compose talking to podman's Docker API (Debian has no compose plugin); git for deploy jobs. */
  compose: ["podman", "runc", "busybox", "tar", "docker-compose", "git"],
  virsh: ["virsh"],
} as const;

export type PeerName = keyof typeof PEER_PROGRAMS;

/** The absolute path of an executable on PATH, or null. */
export function findOnPath(program: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/**
 * Null when the peer is installed; otherwise the skip message naming `npm run setup:peers`.
 * With NEBULA_REQUIRE_PEERS=1 (CI) a missing peer throws instead, so the suite fails rather than skips.
 */
export function peerMissing(name: PeerName): string | null {
  const absent = PEER_PROGRAMS[name].filter((program) => findOnPath(program) === null);
  if (absent.length === 0) return null;
  const message = `${name} peer missing (${absent.join(", ")} not on PATH): run \`npm run setup:peers\``;
  if (process.env.NEBULA_REQUIRE_PEERS === "1") throw new Error(`${message} (NEBULA_REQUIRE_PEERS=1)`);
  return message;
}

/** The virsh binary; call after `peerMissing("virsh")` said it is there. */
export function findVirsh(): string {
  const virsh = findOnPath("virsh");
  if (!virsh) throw new Error("virsh is not installed: run `npm run setup:peers`");
  return virsh;
}
