// Analytics (More tools): joins, leaves and net members, messages per day in the busiest channels, command usage,
// and ticket and go-live totals, over the last 7, 30 or 90 days (UTC days; counts only, never content).
import { createAsync } from "@solidjs/router";
import { createSignal, For, type JSX, Show, useTransition } from "solid-js";
import { type AnalyticsRange, type GuildAnalytics, getGuildAnalytics } from "../../api/discord-analytics.ts";
import { Card } from "../../ui/card.tsx";
import { dayOf } from "../../ui/time.tsx";
import { DayChart, type DaySeries } from "./analytics-chart.tsx";
import { GuildBoundary } from "./guild-access.tsx";
import { useGuild } from "./guild-context.tsx";
import { channelLabel, useGuildPickers } from "./pickers.tsx";

const RANGES: { value: AnalyticsRange; label: string }[] = [
  { value: "7d", label: "7 days" },
  { value: "30d", label: "30 days" },
  { value: "90d", label: "90 days" },
];
/** Channels drawn one by one; the rest of the top channels join "Other" so the legend stays readable. */
const CHANNEL_LINES = 5;
const COMMAND_LINES = 6;

const sum = (values: number[]) => values.reduce((n, v) => n + v, 0);
const addUp = (a: number[], b: number[]) => a.map((v, i) => v + (b[i] ?? 0));

function Total(props: { label: string; value: JSX.Element; testId: string; hint?: string }) {
  return (
    <div class="stat" data-testid={props.testId} title={props.hint}>
      <span class="stat-value">{props.value}</span>
      <span class="stat-label">{props.label}</span>
    </div>
  );
}

function ChartPanel(props: { title: string; note: JSX.Element; children: JSX.Element; empty?: string | false; testId: string }) {
  return (
    <section class="chart-panel" data-testid={props.testId}>
      <div class="chart-head">
        <h3>{props.title}</h3>
        <span class="muted">{props.note}</span>
      </div>
      <Show when={!props.empty} fallback={<p class="faint chart-empty" data-testid={`${props.testId}-empty`}>{props.empty}</p>}>
        {props.children}
      </Show>
    </section>
  );
}

function Report(props: { data: GuildAnalytics }) {
  const pickers = useGuildPickers();
  const d = () => props.data;
  const members = (): DaySeries[] => [
    { label: "Joins", values: d().joins, color: "#4ade80" },
    { label: "Leaves", values: d().leaves, color: "#f87171" },
    { label: "Net", values: d().net, color: "#8b5cf6", dashed: true },
  ];
  const messages = (): DaySeries[] => {
    const shown = d().messages.channels.slice(0, CHANNEL_LINES);
    const rest = d().messages.channels.slice(CHANNEL_LINES).reduce((acc, c) => addUp(acc, c.series), d().messages.other);
    const lines: DaySeries[] = shown.map((c) => ({ label: channelLabel(pickers, c.key), values: c.series }));
    if (sum(rest) > 0) lines.push({ label: "Other channels", values: rest, color: "#94a3b8" });
    return lines;
  };
  const commands = (): DaySeries[] => {
    const shown = d().commands.slice(0, COMMAND_LINES);
    const rest = d().commands.slice(COMMAND_LINES).reduce((acc, c) => addUp(acc, c.series), d().days.map(() => 0));
    const lines: DaySeries[] = shown.map((c) => ({ label: `/${c.key}`, values: c.series }));
    if (sum(rest) > 0) lines.push({ label: "Other commands", values: rest, color: "#94a3b8" });
    return lines;
  };
  const commandUses = () => sum(d().commands.map((c) => c.total));
  const messageCount = () => sum(d().messages.total);
  const quiet = () => sum(d().joins) + sum(d().leaves) + messageCount() + commandUses() + sum(d().goLive) === 0 && !(d().tickets && sum(d().tickets?.opened ?? []) > 0);

  return (
    <div class="stack">
      <span class="muted" data-testid="analytics-span">
        {dayOf(`${d().from}T12:00:00Z`)} – {dayOf(`${d().to}T12:00:00Z`)}
      </span>
      <Show when={quiet()}>
        <div class="notice" data-testid="analytics-empty">
          <span>
            <strong>Nothing recorded in this range.</strong>{" "}
            <span class="muted">
              Joins, leaves and messages come from Discord's Gateway; commands, go-live alerts and tickets from the bot's own work. They are
              counted from the day the bot starts seeing them.
            </span>
          </span>
        </div>
      </Show>
      <div class="stat-grid analytics-totals" data-testid="analytics-totals">
        <Total label="Joined" value={sum(d().joins)} testId="total-joins" />
        <Total label="Left" value={sum(d().leaves)} testId="total-leaves" />
        <Total label="Net members" value={`${sum(d().net) > 0 ? "+" : ""}${sum(d().net)}`} testId="total-net" />
        <Total label="Messages" value={messageCount()} testId="total-messages" hint="Counted, never read" />
        <Total label="Command uses" value={commandUses()} testId="total-commands" />
        <Total label="Go-live alerts" value={sum(d().goLive)} testId="total-go-live" />
        <Total
          label="Tickets opened / closed"
          value={d().tickets ? `${sum(d().tickets?.opened ?? [])} / ${sum(d().tickets?.closed ?? [])}` : "—"}
          testId="total-tickets"
          hint={d().tickets ? undefined : "Not recorded yet"}
        />
      </div>
      <div class="chart-grid">
        <ChartPanel title="Members" note="Joins, leaves and net per day" testId="analytics-members">
          <DayChart testId="chart-members" days={d().days} series={members()} />
        </ChartPanel>
        <ChartPanel
          title="Messages"
          note={d().messages.channels.length > CHANNEL_LINES ? `Top ${CHANNEL_LINES} channels per day` : "Per channel per day"}
          testId="analytics-messages"
          empty={messageCount() === 0 && "No messages counted in this range."}
        >
          <DayChart testId="chart-messages" days={d().days} series={messages()} />
        </ChartPanel>
        <ChartPanel title="Commands" note="Slash command uses per day" testId="analytics-commands" empty={commandUses() === 0 && "No commands used in this range."}>
          <DayChart testId="chart-commands" days={d().days} series={commands()} />
        </ChartPanel>
        <ChartPanel
          title="Notifications and tickets"
          note="Go-live alerts posted, tickets opened and closed"
          testId="analytics-activity"
          empty={sum(d().goLive) === 0 && sum(d().tickets?.opened ?? []) === 0 && sum(d().tickets?.closed ?? []) === 0 && "No alerts or tickets in this range."}
        >
          <DayChart
            testId="chart-activity"
            days={d().days}
            series={[
              { label: "Go-live alerts", values: d().goLive, color: "#38bdf8" },
              ...(d().tickets
                ? [
                    { label: "Tickets opened", values: d().tickets?.opened ?? [], color: "#fbbf24" },
                    { label: "Tickets closed", values: d().tickets?.closed ?? [], color: "#a3e635" },
                  ]
                : []),
            ]}
          />
        </ChartPanel>
      </div>
      <Show when={d().commands.length > 0}>
        <div class="chart-panel" data-testid="analytics-command-totals">
          <div class="chart-head">
            <h3>Most used commands</h3>
          </div>
          <div class="stack">
            <For each={d().commands}>
              {(c) => (
                <div class="usage-bar-row">
                  <span class="mono">/{c.key}</span>
                  <span class="bar" style={{ width: `${(c.total / Math.max(1, d().commands[0]?.total ?? 1)) * 100}%` }} />
                  <span class="muted">{c.total}</span>
                </div>
              )}
            </For>
          </div>
        </div>
      </Show>
    </div>
  );
}

export default function AnalyticsTab() {
  const scope = useGuild();
  const [range, setRange] = createSignal<AnalyticsRange>("30d");
  const [pending, start] = useTransition();
  const data = createAsync(() => getGuildAnalytics(scope.tenantId, scope.guildId, range()));
  return (
    <div class="stack" data-testid="discord-analytics">
      <Card
        title="Server analytics"
        testId="analytics-card"
        description="Daily counts (UTC days) of what the bot saw in this server. Message content is never stored."
        actions={
          <fieldset class="segmented">
            <legend class="sr-only">Range</legend>
            <For each={RANGES}>
              {(r) => (
                <button
                  type="button"
                  class="segment"
                  classList={{ active: range() === r.value }}
                  aria-pressed={range() === r.value}
                  disabled={pending()}
                  onClick={() => start(() => setRange(r.value))}
                  data-testid={`analytics-range-${r.value}`}
                >
                  {r.label}
                </button>
              )}
            </For>
          </fieldset>
        }
      >
        <div class="card-body" classList={{ "is-pending": pending() }}>
          <GuildBoundary>
            <Show when={data()}>{(d) => <Report data={d()} />}</Show>
          </GuildBoundary>
        </div>
      </Card>
    </div>
  );
}
