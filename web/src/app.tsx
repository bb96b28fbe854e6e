// Routes and the root layout: who is signed in decides between the sign-in screen and the app shell.
// Pages are lazy chunks so the first download is only the shell.
import { createAsync, Route, Router, type RouteSectionProps, revalidate, useIsRouting, useLocation } from "@solidjs/router";
import { ErrorBoundary, lazy, Show, Suspense } from "solid-js";
import { getMe } from "./api/client.ts";
import { SignInErrorBanner } from "./session/sign-in-error-banner.tsx";
import { CenteredCard, SignedOutScreen } from "./session/signed-out-screen.tsx";
import { AppShell } from "./shell/app-shell.tsx";
import { ErrorPanel, Loading } from "./ui/boundary.tsx";

const DashboardPage = lazy(() => import("./pages/dashboard/dashboard-page.tsx"));
const DiscordPage = lazy(() => import("./pages/discord/discord-page.tsx"));
const DiscordHome = lazy(() => import("./pages/discord/discord-home.tsx"));
const DiscordGuild = lazy(() => import("./pages/discord/guild-layout.tsx"));
const DiscordTab = {
  overview: lazy(() => import("./pages/discord/overview-tab.tsx")),
  tickets: lazy(() => import("./pages/discord/tickets-tab.tsx")),
  ticket: lazy(() => import("./pages/discord/tickets-ticket.tsx")),
  streams: lazy(() => import("./pages/discord/streams-tab.tsx")),
  welcome: lazy(() => import("./pages/discord/welcome-tab.tsx")),
  commands: lazy(() => import("./pages/discord/commands-tab.tsx")),
  github: lazy(() => import("./pages/discord/github-tab.tsx")),
  nowPlaying: lazy(() => import("./pages/discord/now-playing-tab.tsx")),
  analytics: lazy(() => import("./pages/discord/analytics-tab.tsx")),
  settings: lazy(() => import("./pages/discord/settings-tab.tsx")),
};
const StreamsPage = lazy(() => import("./pages/streams/streams-page.tsx"));
const OverlaysPage = lazy(() => import("./pages/overlays/overlays-page.tsx"));
const OverlayEditorPage = lazy(() => import("./pages/overlays/editor-page.tsx"));
const InboxPage = lazy(() => import("./pages/streams/inbox-page.tsx"));
const ChatBotPage = lazy(() => import("./pages/streams/chat-bot-page.tsx"));
const SongRequestsPage = lazy(() => import("./pages/streams/song-requests-page.tsx"));
const SettingsPage = lazy(() => import("./pages/settings/settings-page.tsx"));
const GeneralTab = lazy(() => import("./pages/settings/general-tab.tsx"));
const MembersTab = lazy(() => import("./pages/settings/members-tab.tsx"));
const InvitesTab = lazy(() => import("./pages/settings/invites-tab.tsx"));
const TokensTab = lazy(() => import("./pages/settings/tokens-tab.tsx"));
const AuditTab = lazy(() => import("./pages/settings/audit-tab.tsx"));
const AccountTab = lazy(() => import("./pages/settings/account-tab.tsx"));
const HostPage = lazy(() => import("./pages/fleet/host-page.tsx"));
const ContainersTab = lazy(() => import("./pages/fleet/containers-tab.tsx"));
const VmsTab = lazy(() => import("./pages/fleet/vms-tab.tsx"));
const StorageTab = lazy(() => import("./pages/fleet/storage-tab.tsx"));
const ProbesTab = lazy(() => import("./pages/fleet/probes-tab.tsx"));
const JobsTab = lazy(() => import("./pages/fleet/jobs-tab.tsx"));
const AlertsPage = lazy(() => import("./pages/alerts/alerts-page.tsx"));
const InvitePage = lazy(() => import("./pages/invite/invite-page.tsx"));
const NotFoundPage = lazy(() => import("./pages/not-found/not-found-page.tsx"));

function RouteProgress() {
  const routing = useIsRouting();
  return <Show when={routing()}>{<div class="route-progress" role="progressbar" aria-label="Loading page" />}</Show>;
}

function Root(props: RouteSectionProps) {
  const me = createAsync(() => getMe());
  const location = useLocation();
  // An invite link works signed out too: it explains how to sign in and remembers the invite.
  const standalone = () => location.pathname.startsWith("/invite/");
  return (
    <>
      <RouteProgress />
      <SignInErrorBanner />
      <ErrorBoundary
        fallback={(error, reset) => (
          <CenteredCard>
            <ErrorPanel
              title="Nebula Command could not load"
              error={error}
              onRetry={() => {
                void revalidate(getMe.key);
                reset();
              }}
            />
          </CenteredCard>
        )}
      >
        <Suspense fallback={<div class="center-screen"><Loading /></div>}>
          <Show
            when={me()}
            fallback={
              <Show when={standalone()} fallback={<SignedOutScreen />}>
                <Suspense fallback={<div class="center-screen"><Loading /></div>}>{props.children}</Suspense>
              </Show>
            }
          >
            {(signedIn) => <AppShell me={signedIn()}>{props.children}</AppShell>}
          </Show>
        </Suspense>
      </ErrorBoundary>
    </>
  );
}

export function App() {
  return (
    <Router root={Root}>
      <Route path="/" component={DashboardPage} />
      <Route path="/hosts/:agentId" component={HostPage}>
        <Route path="/" component={ContainersTab} />
        <Route path="/vms" component={VmsTab} />
        <Route path="/storage" component={StorageTab} />
        <Route path="/probes" component={ProbesTab} />
        <Route path="/jobs" component={JobsTab} />
      </Route>
      <Route path="/alerts" component={AlertsPage} />
      <Route path="/discord" component={DiscordPage}>
        <Route path="/" component={DiscordHome} />
        <Route path="/:guildId" component={DiscordGuild}>
          <Route path={["/", "/overview"]} component={DiscordTab.overview} />
          <Route path="/tickets" component={DiscordTab.tickets} />
          <Route path="/tickets/:ticketId" component={DiscordTab.ticket} />
          <Route path="/streams" component={DiscordTab.streams} />
          <Route path="/welcome" component={DiscordTab.welcome} />
          <Route path="/commands" component={DiscordTab.commands} />
          <Route path="/github" component={DiscordTab.github} />
          <Route path="/now-playing" component={DiscordTab.nowPlaying} />
          <Route path="/analytics" component={DiscordTab.analytics} />
          <Route path="/settings" component={DiscordTab.settings} />
        </Route>
      </Route>
      <Route path="/streams" component={StreamsPage} />
      <Route path="/overlays" component={OverlaysPage} />
      <Route path="/overlays/:overlayId" component={OverlayEditorPage} />
      <Route path="/streams/inbox" component={InboxPage} />
      <Route path="/streams/chat-bot" component={ChatBotPage} />
      <Route path="/streams/song-requests" component={SongRequestsPage} />
      <Route path="/settings" component={SettingsPage}>
        <Route path="/" component={GeneralTab} />
        <Route path="/members" component={MembersTab} />
        <Route path="/invites" component={InvitesTab} />
        <Route path="/tokens" component={TokensTab} />
        <Route path="/audit" component={AuditTab} />
        <Route path="/account" component={AccountTab} />
      </Route>
      <Route path="/invite/:token" component={InvitePage} />
      <Route path="*404" component={NotFoundPage} />
    </Router>
  );
}
