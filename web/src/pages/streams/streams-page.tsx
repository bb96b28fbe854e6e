// /streams: the stream bot's home. Connections first: every other stream feature works through the accounts connected here.
import { ConnectionsSection } from "./connections-section.tsx";
import { StreamsNav } from "./streams-nav.tsx";

export default function StreamsPage() {
  return (
    <div class="page" data-testid="streams-page">
      <div class="page-header">
        <div>
          <h1>Streams</h1>
          <p>Twitch, YouTube and Kick: go-live notifications, chat bot, overlays and a unified inbox.</p>
        </div>
      </div>
      <StreamsNav />
      <ConnectionsSection />
    </div>
  );
}
