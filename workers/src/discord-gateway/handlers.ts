// Every feature's Gateway event handlers, imported once so they are registered (onGatewayEvent) wherever the Worker
// loads: the queue consumer runs them for `gateway.event` messages. A feature adds its handler module here.
import "../welcome/greet.ts";
import "../tickets/ticket-activity.ts";
