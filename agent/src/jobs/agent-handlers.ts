// Every job handler this agent registers, built from its configuration: one line per domain module.
import type { AgentConfig } from "../config/config.ts";
import { dockerHandlers } from "../docker/docker-handlers.ts";
import { vmHandlers } from "../vm/vm-handlers.ts";
import type { JobHandlers } from "./job-handler.ts";

export function buildJobHandlers(config: AgentConfig): JobHandlers {
  return {
    ...dockerHandlers({ socketPath: config.dockerSocket, stacks: config.stacks }),
    ...vmHandlers({ uri: config.libvirtUri }),
    // Domain modules register their handlers here, one spread each:
    //   gaming.* (agent/src/gaming), nas.* (agent/src/nas), host.* (agent/src/host), deploy.*
    // A kind without a handler answers "unavailable"; a kind outside JOB_KINDS is refused before lookup.
  };
}
