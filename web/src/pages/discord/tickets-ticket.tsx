// One ticket (/discord/:guildId/tickets/:ticketId): who opened it and why (the form's answers), claim, timings,
// the stored transcript (message text is rendered as text, never as HTML), the HTML download, and closing it.
import { type MentionNames, readableMentions } from "@nebula/schema/wire/discord-mentions";
import { A, createAsync, revalidate, useParams } from "@solidjs/router";
import { createSignal, For, Show } from "solid-js";
import { getAuditPage } from "../../api/client.ts";
import { closeTicket, getTicket, getTickets, getTicketStats, type TicketDetail, transcriptHref } from "../../api/discord-tickets.ts";
import { useSession } from "../../session/session.tsx";
import { Avatar } from "../../ui/avatar.tsx";
import { Badge } from "../../ui/badge.tsx";
import { Boundary } from "../../ui/boundary.tsx";
import { Card } from "../../ui/card.tsx";
import { ConfirmDialog } from "../../ui/dialog.tsx";
import { EmptyState } from "../../ui/empty-state.tsx";
import { ListIcon } from "../../ui/icons.tsx";
import { fullTime, TimeAgo } from "../../ui/time.tsx";
import { useGuild } from "./guild-context.tsx";
import { useGuildPickers } from "./pickers.tsx";
import { humanDuration } from "./tickets-tab.tsx";

const since = (from: string, to: string | null) => (to ? humanDuration((Date.parse(to) - Date.parse(from)) / 1000) : null);
/** Attachment links only to the web (a stored URL is Discord's CDN; anything else is not linked). */
const safeUrl = (url: string) => (/^https?:\/\//i.test(url) ? url : undefined);

function Transcript(props: { ticket: TicketDetail }) {
  const pickers = useGuildPickers();
  const people = () => {
    const t = props.ticket;
    const names = new Map<string, string>([[t.openerId, t.openerName]]);
    if (t.claimedById && t.claimedByName) names.set(t.claimedById, t.claimedByName);
    for (const m of t.transcript) names.set(m.authorId, m.authorName);
    return names;
  };
  // Transcripts are stored readable since mentions are resolved at close; older ones still hold Discord's markup.
  const names = (): MentionNames => {
    const overview = pickers.overview();
    return {
      users: people(),
      roles: new Map((overview?.roles ?? []).map((r) => [r.id, r.name])),
      channels: new Map((overview?.channels ?? []).map((c) => [c.id, c.name])),
    };
  };
  const readable = (text: string) => readableMentions(text, names());
  return (
    <Card
      title="Transcript"
      testId="ticket-transcript"
      description={props.ticket.transcriptTruncated ? "Long ticket: only the first messages were kept." : `Every message of the ticket's ${props.ticket.kind}, as stored at close.`}
    >
      <Show
        when={props.ticket.transcript.length > 0}
        fallback={
          <EmptyState icon={<ListIcon size={20} />} title="No transcript yet" testId="ticket-transcript-empty">
            {props.ticket.status === "open" ? `The ${props.ticket.kind}'s messages are fetched and stored when the ticket closes.` : `Nothing was said in this ticket's ${props.ticket.kind}.`}
          </EmptyState>
        }
      >
        <ol class="transcript card-body">
          <For each={props.ticket.transcript}>
            {(m) => (
              <li class="transcript-message" data-testid="transcript-message">
                <Avatar name={m.authorName} url={null} size={32} />
                <div class="body">
                  <div>
                    <strong>{m.authorName}</strong>
                    <Show when={m.authorBot}>
                      {" "}
                      <Badge tone="accent" plain>
                        BOT
                      </Badge>
                    </Show>{" "}
                    <span class="faint" title={fullTime(m.sentAt)}>
                      <TimeAgo iso={m.sentAt} />
                    </span>
                  </div>
                  <Show when={m.content}>
                    <div class="text" data-testid="transcript-text">
                      {readable(m.content)}
                    </div>
                  </Show>
                  <Show when={m.embedText}>
                    <div class="text faint">{readable(m.embedText)}</div>
                  </Show>
                  <For each={m.attachments}>
                    {(a) => (
                      <div>
                        <Show when={safeUrl(a.url)} fallback={<span class="mono">{a.filename}</span>}>
                          {(href) => (
                            <a href={href()} target="_blank" rel="noreferrer noopener" class="mono">
                              {a.filename}
                            </a>
                          )}
                        </Show>
                      </div>
                    )}
                  </For>
                </div>
              </li>
            )}
          </For>
        </ol>
      </Show>
    </Card>
  );
}

function TicketView(props: { ticket: TicketDetail }) {
  const scope = useGuild();
  const session = useSession();
  const [closing, setClosing] = createSignal(false);
  const [reason, setReason] = createSignal("");
  const t = () => props.ticket;
  const close = async () => {
    await closeTicket(scope.tenantId, scope.guildId, t().id, reason());
    await revalidate([getTicket.keyFor(scope.tenantId, scope.guildId, t().id), getTickets.key, getTicketStats.keyFor(scope.tenantId, scope.guildId), getAuditPage.key]);
  };

  return (
    <>
      <Card
        title={`Ticket #${t().number}${t().subject ? ` · ${t().subject}` : ""}`}
        testId="ticket-detail"
        description={
          <>
            {t().categoryName} · opened by {t().openerName} <TimeAgo iso={t().openedAt} />
          </>
        }
        actions={
          <div class="header-actions">
            <Badge tone={t().status === "open" ? "success" : "neutral"} testId="ticket-status">
              {t().status}
            </Badge>
            <a class="btn btn-sm" href={transcriptHref(scope.tenantId, scope.guildId, t().id)} download={`ticket-${t().number}.html`} data-testid="ticket-download">
              Download HTML
            </a>
            <Show when={t().status === "open" && session.can("tickets.handle")}>
              <button type="button" class="btn btn-sm btn-ghost-danger" onClick={() => setClosing(true)} data-testid="ticket-close">
                Close ticket
              </button>
            </Show>
          </div>
        }
      >
        <div class="card-body">
          <dl class="kv kv-2">
            <dt>Opened by</dt>
            <dd title={`Discord user ID ${t().openerId}`}>{t().openerName}</dd>
            <dt>Opened</dt>
            <dd title={fullTime(t().openedAt)}>{fullTime(t().openedAt)}</dd>
            <dt>Claimed by</dt>
            <dd>{t().claimedByName ?? <span class="faint">Nobody</span>}</dd>
            <dt>First staff response</dt>
            <dd>{since(t().openedAt, t().firstStaffResponseAt) ?? <span class="faint">None yet</span>}</dd>
            <dt>Last activity</dt>
            <dd>
              <TimeAgo iso={t().lastActivityAt} />
            </dd>
            <dt>{t().kind === "channel" ? "Channel" : "Thread"}</dt>
            <dd>
              {/* A channel ticket's channel is deleted at close; a thread stays, archived. */}
              <Show when={t().kind === "thread" || t().status === "open" ? t().threadId : null} fallback={<span class="faint">{t().kind === "channel" && t().threadId ? "Deleted at close" : "—"}</span>}>
                {(id) => (
                  <a href={`https://discord.com/channels/${scope.guildId}/${id()}`} target="_blank" rel="noreferrer noopener">
                    Open in Discord
                  </a>
                )}
              </Show>
            </dd>
            <Show when={t().closedAt}>
              {(at) => (
                <>
                  <dt>Closed</dt>
                  <dd>
                    {fullTime(at())} ({since(t().openedAt, at())} after opening){t().closedByName ? ` by ${t().closedByName}` : ""}
                  </dd>
                  <dt>Reason</dt>
                  <dd>{t().closeReason ?? <span class="faint">None given</span>}</dd>
                </>
              )}
            </Show>
            <Show when={t().rating !== null}>
              <dt>Rating</dt>
              <dd>{"★".repeat(t().rating ?? 0)}</dd>
            </Show>
          </dl>
        </div>
        <Show when={t().answers.length > 0}>
          <div class="card-body stack" data-testid="ticket-answers">
            <For each={t().answers}>
              {(a) => (
                <div class="field">
                  <span class="field-label">{a.question}</span>
                  <div class="text transcript-answer">{a.answer}</div>
                </div>
              )}
            </For>
          </div>
        </Show>
      </Card>
      <Transcript ticket={t()} />
      <ConfirmDialog
        open={closing()}
        title={`Close ticket #${t().number}?`}
        message={
          <span class="stack">
            <span>
              {t().kind === "channel" ? "Its transcript is stored and then the channel is deleted" : "The thread is archived and its transcript stored"}; the opener is asked for a rating if that
              is on.
            </span>
            <label class="field">
              <span>Reason (optional, shown to the opener)</span>
              <input class="input" maxLength={500} value={reason()} onInput={(e) => setReason(e.currentTarget.value)} data-testid="ticket-close-reason" />
            </label>
          </span>
        }
        confirmLabel="Close ticket"
        onConfirm={close}
        onClose={() => setClosing(false)}
      />
    </>
  );
}

export default function TicketPage() {
  const scope = useGuild();
  const params = useParams<{ ticketId: string }>();
  const ticket = createAsync(() => getTicket(scope.tenantId, scope.guildId, params.ticketId));
  return (
    <div class="stack" data-testid="discord-ticket">
      <div>
        <A href={`${scope.base}/tickets`} class="link-button" data-testid="ticket-back">
          ← All tickets
        </A>
      </div>
      <Boundary>
        <Show when={ticket()}>{(t) => <TicketView ticket={t()} />}</Show>
      </Boundary>
    </div>
  );
}
