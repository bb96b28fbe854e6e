// Analytics from the Gateway: member joins and leaves, and messages per channel (counts only; bots' messages are not
// counted). The events arrive through the `nebula-discord` queue; each is counted once however often it is delivered.
import { loadConfig } from "../config/config.ts";
import { onGatewayEvent } from "../discord-gateway/gateway-events.ts";
import type { Env } from "../env.ts";
import { baseLogger, createServices } from "../services/services.ts";
import { type CountedEvent, countEvents, utcDay } from "./counters.ts";

async function count(env: Env, event: CountedEvent): Promise<void> {
  const config = loadConfig(env);
  const scope = createServices(env, config, baseLogger(config).child({ feature: "analytics" }));
  try {
    await countEvents(scope.services.db, [event]);
  } finally {
    await scope.dispose();
  }
}

onGatewayEvent("member.joined", (event, env) =>
  count(env, { eventId: event.id, guildId: event.guildId, day: utcDay(event.joinedAt, new Date()), metric: "joins", key: "" }),
);

onGatewayEvent("member.left", (event, env) => count(env, { eventId: event.id, guildId: event.guildId, day: utcDay(null, new Date()), metric: "leaves", key: "" }));

onGatewayEvent("message.created", async (event, env) => {
  if (event.bot) return;
  await count(env, { eventId: event.id, guildId: event.guildId, day: utcDay(event.at, new Date()), metric: "messages", key: event.channelId });
});
