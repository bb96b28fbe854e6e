// Loading and error states for remote reads: every createAsync sits under one of these boundaries.
import { revalidate } from "@solidjs/router";
import { ErrorBoundary, type JSX, Show, Suspense } from "solid-js";
import { ApiError } from "../api/client.ts";
import { AlertIcon } from "./icons.tsx";

export function Loading(props: { label?: string }) {
  return (
    <div class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      <span>{props.label ?? "Loading…"}</span>
    </div>
  );
}

function describe(error: unknown): { message: string; code: string | null; requestId: string | null } {
  if (error instanceof ApiError) return { message: error.message, code: error.code, requestId: error.requestId };
  if (error instanceof Error) return { message: error.message, code: null, requestId: null };
  return { message: "Something went wrong.", code: null, requestId: null };
}

/** An error as the user sees it: what happened, and the request id to quote when reporting it. */
export function ErrorPanel(props: { error: unknown; title?: string; onRetry?: () => void }) {
  const info = () => describe(props.error);
  return (
    <div class="error-panel" role="alert" data-testid="error-panel">
      <AlertIcon size={18} />
      <div class="grow">
        <strong>{props.title ?? "Something went wrong"}</strong>
        <span data-testid="error-message">{info().message}</span>
        <Show when={info().code || info().requestId}>
          <span class="error-meta">
            <Show when={info().code}>{(code) => <>Code <code>{code()}</code></>}</Show>
            <Show when={info().code && info().requestId}> · </Show>
            <Show when={info().requestId}>
              {(id) => (
                <>
                  Request ID <code data-testid="error-request-id">{id()}</code>
                </>
              )}
            </Show>
          </span>
        </Show>
      </div>
      <Show when={props.onRetry}>
        {(retry) => (
          <button type="button" class="btn btn-sm" onClick={() => retry()()}>
            Retry
          </button>
        )}
      </Show>
    </div>
  );
}

/** A short error line under a form or in a dialog. */
export function InlineError(props: { error: unknown }) {
  const info = () => describe(props.error);
  return (
    <p class="inline-error" role="alert">
      {info().message}
      <Show when={info().requestId}>{(id) => <span class="error-meta"> (request {id()})</span>}</Show>
    </p>
  );
}

/** Suspense + ErrorBoundary; Retry forces every read to refetch before rendering again. */
export function Boundary(props: { children: JSX.Element; fallback?: JSX.Element }) {
  return (
    <ErrorBoundary
      fallback={(error, reset) => (
        <ErrorPanel
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
