// A ticket's transcript as one self-contained HTML file for download. Everything in it came from Discord users, so
// every value is escaped, links are only http(s), and the route serves it with a CSP that forbids scripts anyway.
import type { TicketAnswer, TranscriptAttachment } from "@nebula/schema";

export interface TranscriptDocument {
  guildName: string;
  number: number;
  subject: string;
  categoryName: string;
  openerName: string;
  openedAt: Date;
  closedAt: Date | null;
  closeReason: string | null;
  answers: TicketAnswer[];
  truncated: boolean;
  messages: { authorName: string; authorBot: boolean; content: string; embedText: string; attachments: TranscriptAttachment[]; sentAt: Date }[];
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ENTITIES[c] ?? c);
}

/** Only web links survive; `javascript:` and friends become plain text. */
function safeUrl(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:" ? u.toString() : null;
  } catch {
    return null;
  }
}

const text = (s: string) => escapeHtml(s).replace(/\n/g, "<br>");

export const TRANSCRIPT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https:; base-uri 'none'; form-action 'none'";

export function transcriptHtml(doc: TranscriptDocument): string {
  const messages = doc.messages
    .map((m) => {
      const files = m.attachments
        .map((a) => {
          const url = safeUrl(a.url);
          return url ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer nofollow">${escapeHtml(a.filename)}</a>` : escapeHtml(a.filename);
        })
        .join(" · ");
      return `<article class="msg${m.authorBot ? " bot" : ""}"><header><b>${escapeHtml(m.authorName)}</b> <time datetime="${m.sentAt.toISOString()}">${m.sentAt.toISOString().replace("T", " ").slice(0, 16)} UTC</time></header>${m.content ? `<p>${text(m.content)}</p>` : ""}${m.embedText ? `<blockquote>${text(m.embedText)}</blockquote>` : ""}${files ? `<p class="files">📎 ${files}</p>` : ""}</article>`;
    })
    .join("\n");
  const answers = doc.answers.map((a) => `<dt>${escapeHtml(a.question)}</dt><dd>${text(a.answer)}</dd>`).join("");
  const title = `Ticket #${doc.number}: ${doc.subject}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${TRANSCRIPT_CSP}">
<title>${escapeHtml(title)}</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:860px;margin:2rem auto;padding:0 1rem;color:#1f2328}header{color:#57606a}.msg{border-bottom:1px solid #eaeef2;padding:.6rem 0}.msg header b{color:#1f2328}.bot{opacity:.85}blockquote{border-left:3px solid #5865f2;margin:.3rem 0;padding-left:.6rem}dt{font-weight:600}dd{margin:0 0 .5rem}.files{font-size:13px}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(doc.guildName)} · ${escapeHtml(doc.categoryName)} · opened by ${escapeHtml(doc.openerName)} on ${doc.openedAt.toISOString().slice(0, 16).replace("T", " ")} UTC${doc.closedAt ? ` · closed ${doc.closedAt.toISOString().slice(0, 16).replace("T", " ")} UTC` : ""}${doc.closeReason ? ` · reason: ${escapeHtml(doc.closeReason)}` : ""}</p>
${answers ? `<dl>${answers}</dl>` : ""}
${doc.truncated ? "<p><em>Only the newest messages were kept.</em></p>" : ""}
<section>
${messages || "<p>No messages.</p>"}
</section>
</body></html>
`;
}
