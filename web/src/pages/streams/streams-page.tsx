// /streams: streaming platform connections. None exist on this server yet, and the page says so plainly.
import { EmptyState } from "../../ui/empty-state.tsx";
import { StreamIcon } from "../../ui/icons.tsx";

export default function StreamsPage() {
  return (
    <div class="page" data-testid="streams-page">
      <div class="page-header">
        <div>
          <h1>Streams</h1>
          <p>Twitch, YouTube and Kick: go-live notifications, chat bot, overlays and a unified inbox.</p>
        </div>
      </div>
      <section class="card">
        <EmptyState icon={<StreamIcon size={22} />} title="No streaming platforms connected" testId="streams-empty">
          Platform connections are made per tenant with each platform's OAuth sign-in, and need that platform's app credentials on
          the server first. This server has none configured, so there is nothing to connect yet.
        </EmptyState>
      </section>
    </div>
  );
}
