// GitHub events as Discord embeds: pushes with their commits, pull requests, workflow runs with a colour per
// conclusion, releases with an excerpt of their notes, issues. Pure, unit-tested in Node (embeds.test.ts).
import type { DiscordEmbed } from "../discord-rest/discord-rest.ts";
import type { GithubPayload, IssuesPayload, PullRequestPayload, PushPayload, ReleasePayload, WorkflowRunPayload } from "./events.ts";
import { branchOfRef } from "./events.ts";

export const COLOURS = {
  push: 0x5865f2,
  opened: 0x2ecc71,
  merged: 0x8e44ad,
  closed: 0xe74c3c,
  success: 0x2ecc71,
  failure: 0xe74c3c,
  neutral: 0x95a5a6,
  pending: 0xf1c40f,
  release: 0x3498db,
} as const;

/** Commits listed in a push embed; GitHub sends up to 20, a channel wants the gist. */
export const MAX_COMMITS_SHOWN = 10;
const RELEASE_EXCERPT = 600;

// Discord: titles hold 256 characters, descriptions 4096, field values 1024.
export const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const firstLine = (message: string) => message.split("\n", 1)[0]?.trim() ?? "";
/** Markdown link text must not close the link early. */
const linkText = (s: string) => s.replace(/[[\]]/g, "");

function pushEmbed(p: PushPayload): DiscordEmbed {
  const branch = branchOfRef(p.ref) ?? p.ref;
  const n = p.commits.length;
  const lines = p.commits.slice(0, MAX_COMMITS_SHOWN).map((c) => {
    const who = c.author.username ?? c.author.name;
    return `[\`${c.id.slice(0, 7)}\`](${c.url}) ${clip(linkText(firstLine(c.message)), 120)} — ${clip(who, 60)}`;
  });
  if (n > MAX_COMMITS_SHOWN) lines.push(`… and ${n - MAX_COMMITS_SHOWN} more`);
  const what = n === 0 ? (p.created ? "branch created" : "no new commits") : `${n} new commit${n === 1 ? "" : "s"}`;
  const embed: DiscordEmbed = {
    title: clip(`[${p.repository.full_name}:${branch}] ${what}${p.forced ? " (force-pushed)" : ""}`, 256),
    color: COLOURS.push,
    fields: [{ name: "Pushed by", value: clip(p.pusher?.name ?? p.sender?.login ?? "unknown", 1024), inline: true }],
  };
  if (lines.length > 0) embed.description = clip(lines.join("\n"), 4096);
  const link = p.compare ?? `${p.repository.html_url}/tree/${encodeURIComponent(branch)}`;
  embed.url = link;
  return embed;
}

function pullRequestEmbed(p: PullRequestPayload): DiscordEmbed {
  const pr = p.pull_request;
  const merged = p.action === "closed" && pr.merged === true;
  const verb = merged ? "merged" : p.action.replace(/_/g, " ");
  const state = merged ? "merged" : pr.state;
  return {
    title: clip(`[${p.repository.full_name}] Pull request ${verb}: #${p.number} ${pr.title}`, 256),
    url: pr.html_url,
    color: merged ? COLOURS.merged : p.action === "closed" ? COLOURS.closed : COLOURS.opened,
    fields: [
      { name: "Author", value: clip(pr.user.login, 1024), inline: true },
      { name: "State", value: pr.draft ? `${state} (draft)` : state, inline: true },
      { name: "Branches", value: clip(`\`${pr.head.ref}\` → \`${pr.base.ref}\``, 1024), inline: false },
    ],
  };
}

function workflowColour(conclusion: string | null | undefined): number {
  if (conclusion === "success") return COLOURS.success;
  if (conclusion === "failure" || conclusion === "timed_out" || conclusion === "startup_failure") return COLOURS.failure;
  if (conclusion === "cancelled" || conclusion === "skipped" || conclusion === "neutral" || conclusion === "stale") return COLOURS.neutral;
  return COLOURS.pending;
}

function workflowRunEmbed(p: WorkflowRunPayload): DiscordEmbed {
  const run = p.workflow_run;
  const name = run.name ?? "Workflow";
  const conclusion = run.conclusion ?? p.action;
  const fields = [
    { name: "Workflow", value: clip(run.run_number === undefined ? name : `${name} #${run.run_number}`, 1024), inline: true },
    { name: "Conclusion", value: conclusion, inline: true },
  ];
  if (run.head_branch) fields.push({ name: "Branch", value: clip(`\`${run.head_branch}\``, 1024), inline: true });
  fields.push({ name: "Commit", value: `\`${run.head_sha.slice(0, 7)}\``, inline: true });
  return {
    title: clip(`[${p.repository.full_name}] ${name}: ${conclusion}`, 256),
    url: run.html_url,
    color: workflowColour(run.conclusion),
    fields,
  };
}

function releaseEmbed(p: ReleasePayload): DiscordEmbed {
  const r = p.release;
  const label = r.name && r.name !== r.tag_name ? `${r.tag_name} — ${r.name}` : r.tag_name;
  const embed: DiscordEmbed = {
    title: clip(`[${p.repository.full_name}] Release ${p.action}: ${label}${r.prerelease ? " (pre-release)" : ""}`, 256),
    url: r.html_url,
    color: COLOURS.release,
    fields: [{ name: "Tag", value: clip(`\`${r.tag_name}\``, 1024), inline: true }],
  };
  if (r.author) embed.fields?.push({ name: "Author", value: clip(r.author.login, 1024), inline: true });
  const body = r.body?.trim();
  if (body) embed.description = clip(body, RELEASE_EXCERPT);
  return embed;
}

function issueEmbed(p: IssuesPayload): DiscordEmbed {
  const i = p.issue;
  return {
    title: clip(`[${p.repository.full_name}] Issue ${p.action}: #${i.number} ${i.title}`, 256),
    url: i.html_url,
    color: p.action === "closed" ? COLOURS.closed : COLOURS.opened,
    fields: [
      { name: "Author", value: clip(i.user.login, 1024), inline: true },
      { name: "State", value: i.state, inline: true },
    ],
  };
}

export function githubEmbed(parsed: GithubPayload): DiscordEmbed {
  const embed = (() => {
    switch (parsed.event) {
      case "push":
        return pushEmbed(parsed.payload);
      case "pull_request":
        return pullRequestEmbed(parsed.payload);
      case "workflow_run":
        return workflowRunEmbed(parsed.payload);
      case "release":
        return releaseEmbed(parsed.payload);
      case "issues":
        return issueEmbed(parsed.payload);
    }
  })();
  return { ...embed, footer: { text: "GitHub · Nebula Command" } };
}
