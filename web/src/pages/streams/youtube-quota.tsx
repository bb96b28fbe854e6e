// One line on the YouTube connection's card: the project's YouTube Data API units spent today ("X / 10,000 units
// today"), a warning from 80% (live chat reads cost 5 units each, replies 50), and, when the day's units are gone,
// when reading resumes (midnight Pacific time, when Google resets the quota).
import { createAsync } from "@solidjs/router";
import { Show, Suspense } from "solid-js";
import { getYouTubeLiveChat } from "../../api/streams-chat-bot.ts";
import { Badge } from "../../ui/badge.tsx";
import { Boundary } from "../../ui/boundary.tsx";
import { fullTime } from "../../ui/time.tsx";

const units = new Intl.NumberFormat("en-US");

export function YouTubeQuotaLine(props: { tenantId: string }) {
  const overview = createAsync(() => getYouTubeLiveChat(props.tenantId));
  return (
    <Boundary>
      <Suspense>
        <Show when={overview()?.quota}>
          {(q) => (
            <div class="youtube-quota" data-testid="youtube-quota" data-warn={q().warn ? "true" : "false"}>
              <span class={q().warn ? "" : "muted"} data-testid="youtube-quota-used">
                API quota: {units.format(q().used)} / {units.format(q().limit)} units today
              </span>
              <Show when={q().exhausted} fallback={<Show when={q().warn}>{" "}<Badge tone="warning" testId="youtube-quota-warning">80% used</Badge></Show>}>
                {" "}
                <Badge tone="danger" testId="youtube-quota-exhausted">Used up</Badge>
                <p class="muted">Live chat reading is paused until {fullTime(q().resetsAt)} (midnight Pacific time).</p>
              </Show>
            </div>
          )}
        </Show>
      </Suspense>
    </Boundary>
  );
}
