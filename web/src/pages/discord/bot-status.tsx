// Whether the bot is still a member of the server, as the guild list last saw it through Discord.
import { Badge } from "../../ui/badge.tsx";

export function BotStatus(props: { present: boolean | null }) {
  const state = () => (props.present === true ? "present" : props.present === false ? "missing" : "unknown");
  return (
    <span data-testid="bot-status" data-state={state()} title={props.present === false ? "Add the bot to this server again" : undefined}>
      <Badge tone={props.present === true ? "success" : props.present === false ? "danger" : "neutral"} plain>
        {props.present === true ? "Bot in server" : props.present === false ? "Bot not in server" : "Bot status unknown"}
      </Badge>
    </span>
  );
}
