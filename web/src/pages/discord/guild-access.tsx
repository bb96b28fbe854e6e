// What a guild tab shows when Discord says no: a 403 from a guild route names the missing Manage Server permission
// (or the missing Discord account link), so it is shown as the answer, not as a crash; anything else is an error.
import { revalidate } from "@solidjs/router";
import { ErrorBoundary, type JSX, Show, Suspense } from "solid-js";
import { ApiError, discordSignInHref } from "../../api/client.ts";
import { ErrorPanel, Loading } from "../../ui/boundary.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { AlertIcon } from "../../ui/icons.tsx";

export function isForbidden(error: unknown): error is ApiError {
  return error instanceof ApiError && (error.status === 403 || (error.status === 404 && /bot is no longer/i.test(error.message)));
}

export function GuildAccessError(props: { error: unknown; onRetry?: () => void }) {
  const reason = () => (props.error instanceof ApiError ? (props.error.details as { reason?: string } | null)?.reason : undefined);
  return (
    <Show when={isForbidden(props.error)} fallback={<ErrorPanel error={props.error} onRetry={props.onRetry} />}>
      <div class="card">
        <EmptyState
          icon={<AlertIcon size={20} />}
          title="You can't manage this server's settings"
          testId="guild-forbidden"
          action={
            <Show when={reason() === "no_discord_account"}>
              <a class="btn btn-discord btn-sm" href={discordSignInHref(window.location.pathname)}>
                Sign in with Discord
              </a>
            </Show>
          }
        >
          {(props.error as ApiError).message}.
        </EmptyState>
      </div>
    </Show>
  );
}

/** Boundary for reads of guild routes: a 403 shows what is missing; other errors the usual panel with Retry. */
export function GuildBoundary(props: { children: JSX.Element; fallback?: JSX.Element }) {
  return (
    <ErrorBoundary
      fallback={(error, reset) => (
        <GuildAccessError
          error={error}
          onRetry={() => {
            void revalidate();
            reset();
          }}
        />
      )}
    >
      <Suspense fallback={props.fallback ?? <Loading />}>{props.children}</Suspense>
    </ErrorBoundary>
  );
}
