// /discord/*: the Discord section. The tenant and its permission are checked once here; the index picks a linked
// server (or says how to link one), and /discord/:guildId/<tab> shows one server's tabs.
import type { RouteSectionProps } from "@solidjs/router";
import { Boundary } from "../../ui/boundary.tsx";
import { TenantScope } from "../settings/tenant-scope.tsx";
import "./discord.css";

export default function DiscordPage(props: RouteSectionProps) {
  return (
    <div class="page" data-testid="discord-page">
      <TenantScope permission="discord.read" what="Discord servers">
        {() => <Boundary>{props.children}</Boundary>}
      </TenantScope>
    </div>
  );
}
