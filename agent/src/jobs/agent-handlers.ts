// Every job handler this agent registers, built from its configuration: one line per domain module.
import type { AgentConfig } from "../config/config.ts";
import { deployHandlers } from "../deploy/deploy-handlers.ts";
import { dockerHandlers } from "../docker/docker-handlers.ts";
import { loadGamingConfig } from "../gaming/gaming-config.ts";
import type { GamingHolds } from "../gaming/gaming-holds.ts";
import { gamingHandlers } from "../gaming/gaming-handlers.ts";
import { loadHostConfig } from "../host/host-config.ts";
import { hostHandlers } from "../host/host-handlers.ts";
import { loadNasConfig } from "../nas/nas-config.ts";
import { nasHandlers } from "../nas/nas-handlers.ts";
import { vmHandlers } from "../vm/vm-handlers.ts";
import type { JobHandlers } from "./job-handler.ts";

/**
 * One spread per domain module. A module whose configuration is absent (no GPU address, no mounts) registers
 * nothing, so its kinds answer "unavailable"; a kind outside JOB_KINDS is refused before any lookup.
 * Bad configuration throws AgentConfigError naming every variable. `gamingHolds` is shared with the metrics
 * collectors, which leave the GPU and the containers gaming mode holds alone.
 */
export function buildJobHandlers(config: AgentConfig, env: Record<string, string | undefined>, shared: { gamingHolds?: GamingHolds } = {}): JobHandlers {
  const gaming = loadGamingConfig(env);
  const nas = loadNasConfig(env);
  return {
    ...dockerHandlers({ socketPath: config.dockerSocket, stacks: config.stacks, composeClis: config.composeClis }),
    ...vmHandlers({ uri: config.libvirtUri }),
    ...(gaming ? gamingHandlers(gaming, shared.gamingHolds ? { holds: shared.gamingHolds } : {}) : {}),
    ...(nas ? nasHandlers(nas) : {}),
    ...hostHandlers(loadHostConfig(env)),
    ...(config.repos.size > 0 ? deployHandlers({ repos: config.repos, socketPath: config.dockerSocket, composeClis: config.composeClis }) : {}),
  };
}
