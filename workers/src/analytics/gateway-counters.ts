// Analytics from the Gateway: member joins and leaves, and messages per channel (counts only; bots' messages are not
// counted). The events arrive through the `nebula-discord` queue; a batch of them is counted in one statement on the
// consumer's connection, and each event once however often it is delivered (countEvents remembers the ids).
import { type GatewayEvent, onGatewayEvents } from "../discord-gateway/gateway-events.ts";
import { type CountedEvent, countEvents, utcDay } from "./counters.ts";

/** What one event adds to the daily counters, if anything. */
export function countedGatewayEvent(event: GatewayEvent, now: Date): CountedEvent | null {
  switch (event.kind) {
    case "member.joined":
      return { eventId: event.id, guildId: event.guildId, day: utcDay(event.joinedAt, now), metric: "joins", key: "" };
    case "member.left":
      return { eventId: event.id, guildId: event.guildId, day: utcDay(null, now), metric: "leaves", key: "" };
    case "message.created":
      return event.bot ? null : { eventId: event.id, guildId: event.guildId, day: utcDay(event.at, now), metric: "messages", key: event.channelId };
    default:
      return null;
  }
}

onGatewayEvents(async (events, services) => {
  const now = services.now();
  const counted = events.flatMap((e) => countedGatewayEvent(e, now) ?? []);
  if (counted.length > 0) await countEvents(services.db, counted);
});
