// Every message kind the `nebula-discord` queue carries. A feature adds its kind here (one import, one entry).
import { commandUsageKind } from "../analytics/command-usage.ts";
import { registerCommandsKind } from "../custom-commands/registration.ts";
import { gatewayEventKind } from "../discord-gateway/gateway-events.ts";
import { inboxItemKind } from "../inbox/inbox-events.ts";
import { interactionRun } from "../interactions/run-deferred.ts";
import { platformEventKind } from "../platforms/platform-events.ts";
import type { AnyQueueKind } from "./queue-kind.ts";

export const QUEUE_KINDS: readonly AnyQueueKind[] = [interactionRun, platformEventKind, gatewayEventKind, commandUsageKind, registerCommandsKind, inboxItemKind];
