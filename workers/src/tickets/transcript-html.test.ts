// The downloaded transcript is user content rendered as HTML: markup, attribute breakouts and script URLs stay inert.
import { describe, expect, it } from "vitest";
import { escapeHtml, transcriptHtml } from "./transcript-html.ts";

const base = {
  guildName: "Lab <Friends>",
  number: 7,
  subject: "help",
  categoryName: "Support",
  openerName: "alice",
  openedAt: new Date("2026-01-01T10:00:00Z"),
  closedAt: null,
  closeReason: null,
  answers: [],
  truncated: false,
};

describe("transcriptHtml", () => {
  it("escapes message text, names and answers", () => {
    const html = transcriptHtml({
      ...base,
      answers: [{ question: "What?", answer: '<img src=x onerror="alert(1)">' }],
      messages: [{ authorName: '"><script>alert(1)</script>', authorBot: false, content: "<script>alert('pwned')</script>", embedText: "", attachments: [], sentAt: new Date() }],
    });
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;");
    expect(html).toContain("Lab &lt;Friends&gt;");
  });

  it("links only http(s) attachments and escapes their names", () => {
    const html = transcriptHtml({
      ...base,
      messages: [
        {
          authorName: "bob",
          authorBot: false,
          content: "",
          embedText: "",
          attachments: [
            { filename: "ok.png", url: "https://cdn.discordapp.com/a/ok.png" },
            { filename: "<b>x</b>", url: "javascript:alert(1)" },
          ],
          sentAt: new Date(),
        },
      ],
    });
    expect(html).toContain('href="https://cdn.discordapp.com/a/ok.png"');
    expect(html).not.toContain("javascript:");
    expect(html).toContain("&lt;b&gt;x&lt;/b&gt;");
  });

  it("escapes every character that can end an attribute or element", () => {
    expect(escapeHtml(`&<>"'\``)).toBe("&amp;&lt;&gt;&quot;&#39;&#96;");
  });
});
