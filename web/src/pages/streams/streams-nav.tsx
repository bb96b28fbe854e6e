// The Streams section's tabs, on each of its pages: connections (the section's home), the unified inbox, the chat bot,
// song requests.
import { A } from "@solidjs/router";
import { For } from "solid-js";

const TABS = [
  { href: "/streams", label: "Connections", testId: "streams-tab-connections" },
  { href: "/streams/inbox", label: "Inbox", testId: "streams-tab-inbox" },
  { href: "/streams/chat-bot", label: "Chat bot", testId: "streams-tab-chat-bot" },
  { href: "/streams/song-requests", label: "Song requests", testId: "streams-tab-song-requests" },
];

export function StreamsNav() {
  return (
    <nav class="tabs" aria-label="Streams sections" data-testid="streams-nav">
      <For each={TABS}>
        {(tab) => (
          <A href={tab.href} end class="tab" activeClass="active" data-testid={tab.testId}>
            {tab.label}
          </A>
        )}
      </For>
    </nav>
  );
}
