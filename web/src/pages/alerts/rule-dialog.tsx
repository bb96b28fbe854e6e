// The rule editor: a new rule from a template or from scratch, or changes to an existing one; and a preview that
// replays the rule over one host's history to show when it would have fired and resolved.
// A webhook URL is write-only: an existing rule shows it masked, and a blank field keeps it. A channel is picked
// within one of the tenant's servers (server first, then its channels), as the API requires (one bot serves everyone).
// Repeats (interval and cap) and quiet hours are the engine's own fields (schema/src/api/alerts.ts AlertCondition).
import type { Agent } from "@nebula/schema/api/agents";
import type { AlertCondition, AlertRuleView, AlertTemplate, ChosenDestination, Comparison, Severity } from "@nebula/schema/api/alerts";
import type { MetricRange } from "@nebula/schema/api/jobs";
import { createAsync } from "@solidjs/router";
import { createSignal, For, Show } from "solid-js";
import { type AlertRuleInput, createAlertRule, getAlertRules, getAuditPage, previewAlertRule, updateAlertRule } from "../../api/client.ts";
import { getDiscordGuilds } from "../../api/discord.ts";
import { createMutation } from "../../api/mutation.ts";
import { Badge } from "../../ui/badge.tsx";
import { InlineError } from "../../ui/boundary.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { fullTime } from "../../ui/time.tsx";
import { ChannelField, guildPickersFor, PickersNote } from "../discord/pickers.tsx";
import { metricLabel, metricValue } from "../fleet/format.ts";
import { conditionText, TRANSITION_TONE } from "./alert-format.ts";

const COMPARISONS: Comparison[] = [">", ">=", "<", "<=", "==", "!="];
const SEVERITIES: Severity[] = ["info", "warning", "critical"];
const PREVIEW_RANGES: { value: MetricRange; label: string }[] = [
  { value: "1h", label: "1 h" },
  { value: "24h", label: "24 h" },
  { value: "7d", label: "7 d" },
];
const COMMON_METRICS = ["cpu.total", "mem.used_pct", "disk.*.used_pct"];

/** What the form has no field for (counter windows, inhibition), carried over from the template or the stored rule. */
type Base = Omit<
  AlertCondition,
  "metric" | "comparison" | "threshold" | "forSeconds" | "clearThreshold" | "severity" | "repeatIntervalSeconds" | "maxRepeats" | "quietHours"
>;
const DEFAULT_BASE: Base = { inhibitsHost: false };
/** The engine's default cap (AlertCondition.maxRepeats). */
const DEFAULT_MAX_REPEATS = 3;
const DEFAULT_QUIET = { start: "22:00", end: "07:00" };

function baseOf(rule: AlertCondition): Base {
  const {
    metric: _m,
    comparison: _c,
    threshold: _t,
    forSeconds: _f,
    clearThreshold: _ct,
    severity: _s,
    repeatIntervalSeconds: _ri,
    maxRepeats: _mr,
    quietHours: _q,
    ...base
  } = rule;
  return base;
}

const numberText = (n: number | undefined) => (n === undefined ? "" : String(n));

/** The API's rule (schema QuietHours): an offset like +02:00, or a zone this browser's Intl knows. */
function zoneProblem(zone: string): string | null {
  const z = zone.trim();
  if (/^[+-](0\d|1[0-4]):[0-5]\d$/.test(z)) return null;
  try {
    if (/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+){0,2}$/.test(z)) {
      new Intl.DateTimeFormat("en-US", { timeZone: z });
      return null;
    }
  } catch {
    // Falls through to the message.
  }
  return "Unknown time zone: use a name such as Europe/Berlin or an offset such as +02:00";
}

/** The browser's own zone ("Europe/Berlin"), a sensible default for quiet hours; UTC when it has none. */
function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export function RuleDialog(props: {
  tenantId: string;
  /** undefined: a new rule. */
  rule: AlertRuleView | undefined;
  templates: AlertTemplate[];
  agents: Agent[];
  /** The host to preview against first (the page's ?host=). */
  previewHost: string | undefined;
  onClose: () => void;
}) {
  const start = props.rule?.rule;
  const [template, setTemplate] = createSignal("");
  const [base, setBase] = createSignal<Base>(start ? baseOf(start) : DEFAULT_BASE);
  const [name, setName] = createSignal(props.rule?.name ?? "");
  const [agentId, setAgentId] = createSignal(props.rule?.agentId ?? "");
  const [metric, setMetric] = createSignal(start?.metric ?? "cpu.total");
  const [comparison, setComparison] = createSignal<Comparison>(start?.comparison ?? ">");
  const [threshold, setThreshold] = createSignal(numberText(start?.threshold ?? 90));
  const [forMinutes, setForMinutes] = createSignal(numberText((start?.forSeconds ?? 300) / 60));
  const [clear, setClear] = createSignal(numberText(start?.clearThreshold));
  const [severity, setSeverity] = createSignal<Severity>(start?.severity ?? "warning");
  const [repeatMinutes, setRepeatMinutes] = createSignal(numberText(start?.repeatIntervalSeconds === undefined ? undefined : start.repeatIntervalSeconds / 60));
  const [maxRepeats, setMaxRepeats] = createSignal(numberText(start?.maxRepeats ?? DEFAULT_MAX_REPEATS));
  const [quiet, setQuiet] = createSignal(start?.quietHours !== undefined);
  const [quietStart, setQuietStart] = createSignal(start?.quietHours?.start ?? DEFAULT_QUIET.start);
  const [quietEnd, setQuietEnd] = createSignal(start?.quietHours?.end ?? DEFAULT_QUIET.end);
  const [quietZone, setQuietZone] = createSignal(start?.quietHours?.timeZone ?? browserZone());
  const stored = props.rule?.destination;
  const [destKind, setDestKind] = createSignal<ChosenDestination["kind"]>(stored?.kind ?? "channel");
  const [guildId, setGuildId] = createSignal(stored?.kind === "channel" ? (stored.guildId ?? "") : "");
  const [channelId, setChannelId] = createSignal(stored?.kind === "channel" ? stored.channelId : "");
  // A listing failure leaves the server list empty; the hint below says where servers are added.
  const servers = createAsync(() => getDiscordGuilds(props.tenantId).then((r) => r.guilds, () => []));
  const channelPickers = guildPickersFor(() => props.tenantId, guildId);
  const [webhookUrl, setWebhookUrl] = createSignal("");
  const keepsWebhook = () => stored?.kind === "webhook" && destKind() === "webhook" && webhookUrl().trim() === "";

  const touched = () => [getAlertRules.keyFor(props.tenantId), getAuditPage.key];
  const save = createMutation((input: AlertRuleInput) => {
    if (!props.rule) return createAlertRule(props.tenantId, input);
    const { enabled: _enabled, ...change } = input;
    // Leaving a stored webhook's URL blank keeps it: it is never read back, so it cannot be sent again.
    return updateAlertRule(props.tenantId, props.rule.id, keepsWebhook() ? { ...change, destination: undefined } : change);
  }, touched);

  function pickTemplate(key: string) {
    setTemplate(key);
    const t = props.templates.find((x) => x.template === key);
    if (!t) return;
    setBase(baseOf(t.rule));
    if (!name().trim() || props.templates.some((x) => x.name === name())) setName(t.name);
    setMetric(t.rule.metric);
    setComparison(t.rule.comparison);
    setThreshold(numberText(t.rule.threshold));
    setForMinutes(numberText(t.rule.forSeconds / 60));
    setClear(numberText(t.rule.clearThreshold));
    setSeverity(t.rule.severity);
    setRepeatMinutes(numberText(t.rule.repeatIntervalSeconds === undefined ? undefined : t.rule.repeatIntervalSeconds / 60));
    setMaxRepeats(numberText(t.rule.maxRepeats));
    setQuiet(t.rule.quietHours !== undefined);
    if (t.rule.quietHours) {
      setQuietStart(t.rule.quietHours.start);
      setQuietEnd(t.rule.quietHours.end);
      setQuietZone(t.rule.quietHours.timeZone);
    }
  }

  const condition = (): AlertCondition => ({
    ...base(),
    metric: metric().trim(),
    comparison: comparison(),
    threshold: Number(threshold()),
    forSeconds: Math.round(Number(forMinutes() || 0) * 60),
    clearThreshold: clear().trim() === "" ? undefined : Number(clear()),
    severity: severity(),
    // Blank: no repeats. The API checks the bounds (at least a minute, at most a week) and answers with the field.
    repeatIntervalSeconds: repeatMinutes().trim() === "" ? undefined : Math.round(Number(repeatMinutes()) * 60),
    maxRepeats: maxRepeats().trim() === "" ? DEFAULT_MAX_REPEATS : Number(maxRepeats()),
    quietHours: quiet() ? { start: quietStart(), end: quietEnd(), timeZone: quietZone().trim() } : undefined,
  });

  const destination = (): ChosenDestination =>
    destKind() === "channel" ? { kind: "channel", guildId: guildId(), channelId: channelId().trim() } : { kind: "webhook", url: webhookUrl().trim() };

  const quietProblem = () => (quiet() ? zoneProblem(quietZone()) : null);

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    if (quietProblem()) return;
    const done = await save.run({ name: name().trim(), enabled: props.rule?.enabled ?? true, agentId: agentId() || null, rule: condition(), destination: destination() });
    if (done) props.onClose();
  }

  return (
    <Dialog open title={props.rule ? `Edit "${props.rule.name}"` : "New alert rule"} onClose={() => props.onClose()} testId="alert-rule-dialog">
      <form onSubmit={submit} class="stack" data-testid="alert-rule-form">
        <Show when={!props.rule && props.templates.length > 0}>
          <label class="field">
            <span>Start from</span>
            <select class="select" name="template" value={template()} onChange={(e) => pickTemplate(e.currentTarget.value)} data-testid="alert-template">
              <option value="">A custom rule</option>
              <For each={props.templates}>{(t) => <option value={t.template}>{t.name}</option>}</For>
            </select>
            <Show when={props.templates.find((t) => t.template === template())}>{(t) => <span class="field-hint">{t().description}</span>}</Show>
          </label>
        </Show>
        <div class="form-row">
          <label class="field">
            <span>Name</span>
            <input class="input" name="rule-name" required maxLength={120} value={name()} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>Hosts</span>
            <select class="select" name="rule-host" value={agentId()} onChange={(e) => setAgentId(e.currentTarget.value)}>
              <option value="">All hosts</option>
              <For each={props.agents.filter((a) => !a.revokedAt || a.id === agentId())}>{(a) => <option value={a.id}>{a.name}</option>}</For>
            </select>
          </label>
        </div>
        <div class="form-row">
          <label class="field">
            <span>Metric</span>
            <input
              class="input mono"
              name="rule-metric"
              list="alert-metrics"
              required
              maxLength={200}
              value={metric()}
              onInput={(e) => setMetric(e.currentTarget.value)}
            />
            <datalist id="alert-metrics">
              <For each={[...new Set([...COMMON_METRICS, ...props.templates.map((t) => t.rule.metric)])]}>{(m) => <option value={m} label={metricLabel(m)} />}</For>
            </datalist>
            <Show when={metricLabel(metric().trim()) !== metric().trim()}>
              <span class="field-hint" data-testid="rule-metric-label">
                {metricLabel(metric().trim())}
              </span>
            </Show>
          </label>
          <label class="field">
            <span>Comparison</span>
            <select class="select" name="rule-comparison" value={comparison()} onChange={(e) => setComparison(e.currentTarget.value as Comparison)}>
              <For each={COMPARISONS}>{(c) => <option value={c}>{c}</option>}</For>
            </select>
          </label>
          <label class="field">
            <span>Threshold</span>
            <input class="input" name="rule-threshold" type="number" step="any" required value={threshold()} onInput={(e) => setThreshold(e.currentTarget.value)} />
          </label>
        </div>
        <div class="form-row">
          <label class="field">
            <span>For (minutes)</span>
            <input
              class="input"
              name="rule-for"
              type="number"
              min="0"
              max={7 * 24 * 60}
              step="any"
              value={forMinutes()}
              onInput={(e) => setForMinutes(e.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span>Clears at (optional)</span>
            <input class="input" name="rule-clear" type="number" step="any" value={clear()} onInput={(e) => setClear(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>Severity</span>
            <select class="select" name="rule-severity" value={severity()} onChange={(e) => setSeverity(e.currentTarget.value as Severity)}>
              <For each={SEVERITIES}>{(s) => <option value={s}>{s.charAt(0).toUpperCase() + s.slice(1)}</option>}</For>
            </select>
          </label>
        </div>
        <span class="field-hint">
          The condition must hold this long before the alert fires; once firing, it resolves only when the value crosses back past “clears at”
          (on the other side of the threshold).
        </span>
        <div class="form-row">
          <label class="field">
            <span>Repeat every (minutes)</span>
            <input
              class="input"
              name="rule-repeat"
              type="number"
              min="1"
              max={7 * 24 * 60}
              step="any"
              placeholder="Never"
              value={repeatMinutes()}
              onInput={(e) => setRepeatMinutes(e.currentTarget.value)}
              data-testid="rule-repeat"
            />
          </label>
          <label class="field">
            <span>At most (repeats)</span>
            <input
              class="input"
              name="rule-max-repeats"
              type="number"
              min="0"
              max="100"
              step="1"
              disabled={repeatMinutes().trim() === ""}
              value={maxRepeats()}
              onInput={(e) => setMaxRepeats(e.currentTarget.value)}
              data-testid="rule-max-repeats"
            />
          </label>
        </div>
        <span class="field-hint">While the alert keeps firing, the destination is reminded at this interval, up to the cap per episode.</span>
        <label class="check-label">
          <input type="checkbox" name="rule-quiet" checked={quiet()} onChange={(e) => setQuiet(e.currentTarget.checked)} data-testid="rule-quiet" />
          Quiet hours
        </label>
        <Show when={quiet()}>
          <div class="form-row" data-testid="rule-quiet-fields">
            <label class="field">
              <span>From</span>
              <input class="input" name="rule-quiet-start" type="time" required value={quietStart()} onInput={(e) => setQuietStart(e.currentTarget.value)} />
            </label>
            <label class="field">
              <span>Until</span>
              <input class="input" name="rule-quiet-end" type="time" required value={quietEnd()} onInput={(e) => setQuietEnd(e.currentTarget.value)} />
            </label>
            <label class="field">
              <span>Time zone</span>
              <input
                class="input mono"
                name="rule-quiet-zone"
                required
                maxLength={64}
                placeholder="Europe/Berlin or +02:00"
                value={quietZone()}
                onInput={(e) => setQuietZone(e.currentTarget.value)}
              />
            </label>
          </div>
          <Show when={quietProblem()}>
            {(problem) => (
              <p class="inline-error" role="alert" data-testid="rule-quiet-zone-error">
                {problem()}
              </p>
            )}
          </Show>
          <span class="field-hint">
            Warning and info notifications wait until quiet hours end, then the destination hears the current state once; repeats pause. Critical
            alerts always go through.
          </span>
        </Show>
        <div class="form-row">
          <label class="field">
            <span>Notify</span>
            <select class="select" name="rule-destination" value={destKind()} onChange={(e) => setDestKind(e.currentTarget.value as ChosenDestination["kind"])}>
              <option value="channel">Discord channel (bot)</option>
              <option value="webhook">Discord webhook URL</option>
            </select>
          </label>
          <Show
            when={destKind() === "webhook"}
            fallback={
              <>
                <label class="field">
                  <span>Server</span>
                  <select
                    class="select"
                    name="rule-guild"
                    required
                    value={guildId()}
                    onChange={(e) => {
                      setGuildId(e.currentTarget.value);
                      setChannelId("");
                    }}
                    data-testid="rule-guild"
                  >
                    <option value="">Choose a server…</option>
                    <For each={servers() ?? []}>{(g) => <option value={g.guildId}>{g.name}</option>}</For>
                  </select>
                </label>
                <Show when={guildId()}>
                  <ChannelField pickers={channelPickers} name="rule-channel" label="Channel" value={channelId()} onChange={setChannelId} testId="rule-channel" />
                </Show>
              </>
            }
          >
            <label class="field">
              <span>Webhook URL</span>
              <input
                class="input mono"
                name="rule-webhook"
                type="url"
                autocomplete="off"
                required={stored?.kind !== "webhook"}
                maxLength={300}
                placeholder={stored?.kind === "webhook" ? `${stored.masked} (leave blank to keep)` : "https://discord.com/api/webhooks/<id>/<token>"}
                value={webhookUrl()}
                onInput={(e) => setWebhookUrl(e.currentTarget.value)}
              />
            </label>
          </Show>
        </div>
        <Show when={destKind() === "webhook"}>
          <span class="field-hint">The URL is stored sealed and never shown again; the list shows it masked.</span>
          {/* Discord webhooks take no idempotency key, so the outbox's retry after an ambiguous failure can post twice. */}
          <span class="field-hint" data-testid="rule-webhook-duplicates">
            Webhook URLs can't be de-duplicated by Discord: after a network failure a message may arrive twice. Pick a channel through the bot for
            exactly-once delivery.
          </span>
        </Show>
        <Show when={destKind() === "channel"}>
          <Show when={props.rule?.destinationNeedsServer && !guildId()}>
            <span class="field-hint" data-testid="rule-needs-server">
              This rule was saved before a server was required: it still posts, but pick its server and channel to save it again.
            </span>
          </Show>
          <Show when={servers()?.length === 0}>
            <span class="field-hint">No Discord server is linked yet: add the bot to one on the Discord page, or notify a webhook URL.</span>
          </Show>
          <PickersNote pickers={channelPickers} />
        </Show>
        <Show when={save.error()}>{(err) => <InlineError error={err()} />}</Show>
        <Preview tenantId={props.tenantId} agents={props.agents} host={agentId() || props.previewHost} condition={condition} />
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={() => props.onClose()}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" data-testid="save-alert-rule" disabled={save.pending()}>
            {save.pending() ? "Saving…" : props.rule ? "Save changes" : "Create rule"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Replays the rule as it stands in the form over one host's history. */
function Preview(props: { tenantId: string; agents: Agent[]; host: string | undefined; condition: () => AlertCondition }) {
  const hosts = () => props.agents.filter((a) => !a.revokedAt);
  const [picked, setPicked] = createSignal<string>();
  const host = () => picked() ?? (hosts().some((a) => a.id === props.host) ? props.host : hosts()[0]?.id);
  const [range, setRange] = createSignal<MetricRange>("24h");
  const [series, setSeries] = createSignal("");
  const wildcard = () => props.condition().metric.includes("*");
  const run = createMutation(
    (agentId: string) =>
      previewAlertRule(props.tenantId, {
        rule: props.condition(),
        agentId,
        range: range(),
        ...(wildcard() ? { metric: series().trim() } : {}),
      }),
    () => [],
  );
  const fired = () => run.result()?.notifications.filter((n) => n.transition === "firing").length ?? 0;

  return (
    <Show when={hosts().length > 0}>
      <fieldset class="preview" data-testid="alert-preview-panel">
        <legend>Preview</legend>
        <div class="toolbar">
          <label class="field">
            <span>Host</span>
            <select class="select" name="preview-host" value={host() ?? ""} onChange={(e) => setPicked(e.currentTarget.value)}>
              <For each={hosts()}>{(a) => <option value={a.id}>{a.name}</option>}</For>
            </select>
          </label>
          <label class="field preview-range">
            <span>Over the last</span>
            <select class="select" name="preview-range" value={range()} onChange={(e) => setRange(e.currentTarget.value as MetricRange)}>
              <For each={PREVIEW_RANGES}>{(r) => <option value={r.value}>{r.label}</option>}</For>
            </select>
          </label>
          <Show when={wildcard()}>
            <label class="field">
              <span>Series to replay</span>
              <input class="input mono" name="preview-series" placeholder={props.condition().metric.replace("*", "…")} value={series()} onInput={(e) => setSeries(e.currentTarget.value)} />
            </label>
          </Show>
          <button
            type="button"
            class="btn"
            data-testid="alert-preview-run"
            disabled={run.pending() || !host() || (wildcard() && !series().trim())}
            onClick={() => {
              const h = host();
              if (h) void run.run(h);
            }}
          >
            {run.pending() ? "Replaying…" : "Preview"}
          </button>
        </div>
        <Show when={run.error()}>{(err) => <InlineError error={err()} />}</Show>
        <Show when={run.result()}>
          {(p) => (
            <div class="stack" data-testid="alert-preview" data-fired={fired()}>
              <p class="muted">
                <Show when={p().metric !== props.condition().metric}>
                  <span title={p().metric}>{metricLabel(p().metric)}</span>:{" "}
                </Show>
                <span title={props.condition().metric}>{conditionText(props.condition())}</span> would have fired {fired() === 1 ? "once" : `${fired()} times`} between{" "}
                {fullTime(new Date(p().from).toISOString())} and {fullTime(new Date(p().to).toISOString())} ({p().resolution} data).
              </p>
              <Show when={p().notifications.length > 0}>
                <ul class="preview-list">
                  <For each={p().notifications}>
                    {(n) => (
                      <li data-testid="alert-preview-notification" data-transition={n.transition}>
                        <Badge tone={n.transition === "resolved" ? TRANSITION_TONE.resolved : n.transition === "firing" ? TRANSITION_TONE.firing : "warning"}>
                          {n.transition}
                        </Badge>
                        <span>{fullTime(new Date(n.at).toISOString())}</span>
                        <span class="muted">value {metricValue(p().metric, n.value)}</span>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            </div>
          )}
        </Show>
      </fieldset>
    </Show>
  );
}
