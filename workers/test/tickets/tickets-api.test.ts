// The dashboard's ticket API: settings and panels (bad input refused with the zod issues, Manage Server required),
// the list with search, filters and pages, one ticket with its transcript, the HTML download (user content inert),
// stats (medians of first response and resolution, per category), closing as an operator, and who may do what.
import { newId, ticketMessages, tickets, users } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { type SeededTenant, seedTenant, withDb } from "../support/seed.ts";
import { type PanelSetup, type TicketGuild, api, createPanel, json, seedTicketGuild, snowflake } from "./tickets-harness.ts";

let t: TicketGuild;
let other: SeededTenant;
let panel: PanelSetup;
const ids: Record<string, string> = {};
const HOUR = 3600_000;
const base = Date.parse("2026-05-04T10:00:00Z");

interface SeedTicket {
  key: string;
  number: number;
  subject: string;
  opener: string;
  status: "open" | "closed";
  claimedById?: string;
  firstResponseMin?: number;
  resolutionHours?: number;
  rating?: number;
  category?: "first" | "none";
}

beforeAll(async () => {
  t = await seedTicketGuild("Dashboard Lab");
  other = await withDb((db) => seedTenant(db, "Elsewhere"));
  panel = await createPanel(t);
  const seeds: SeedTicket[] = [
    { key: "nas", number: 1, subject: "NAS will not mount", opener: "alice", status: "closed", claimedById: t.carol.user.id, firstResponseMin: 10, resolutionHours: 2, rating: 5 },
    { key: "vpn", number: 2, subject: "VPN flaky", opener: "bob", status: "closed", firstResponseMin: 30, resolutionHours: 4, rating: 3 },
    { key: "plex", number: 3, subject: "Plex buffering", opener: "alice", status: "open", claimedById: t.carol.user.id, firstResponseMin: 50 },
    { key: "misc", number: 4, subject: "100% CPU_usage", opener: "dave", status: "open", category: "none" },
  ];
  await withDb(async (db) => {
    for (const s of seeds) {
      const id = newId("ticket");
      ids[s.key] = id;
      const openedAt = new Date(base + s.number * HOUR);
      await db.insert(tickets).values({
        id,
        tenantId: t.lab.tenantId,
        guildId: t.guildId,
        number: s.number,
        categoryId: s.category === "none" ? null : (panel.categoryIds[0] ?? null),
        categoryName: s.category === "none" ? "Old category" : "Hardware",
        openerId: s.opener === "alice" ? t.alice.user.id : snowflake(),
        openerName: s.opener,
        subject: s.subject,
        answers: [{ question: "What is broken?", answer: s.subject }],
        status: s.status,
        claimedById: s.claimedById ?? null,
        claimedByName: s.claimedById ? "carol" : null,
        openedAt,
        lastActivityAt: openedAt,
        firstStaffResponseAt: s.firstResponseMin ? new Date(openedAt.getTime() + s.firstResponseMin * 60_000) : null,
        closedAt: s.resolutionHours ? new Date(openedAt.getTime() + s.resolutionHours * HOUR) : null,
        closeFinishedAt: s.resolutionHours ? new Date(openedAt.getTime() + s.resolutionHours * HOUR) : null,
        rating: s.rating ?? null,
        openInteractionId: snowflake(),
      });
    }
    await db.insert(ticketMessages).values([
      { ticketId: ids.nas as string, messageId: snowflake(), authorId: t.alice.user.id, authorName: "alice", content: "<script>alert('stolen')</script> help", attachments: [{ filename: "<b>x</b>.png", url: "javascript:alert(1)" }], sentAt: new Date(base + HOUR + 60_000) },
      { ticketId: ids.nas as string, messageId: snowflake(), authorId: t.carol.user.id, authorName: 'carol"><img src=x onerror=alert(1)>', content: "Try remounting", sentAt: new Date(base + HOUR + 120_000) },
    ]);
  });
});

describe("settings and panels", () => {
  it("reads the defaults, then changes them", async () => {
    const before = await (await api(t, "/config", t.lab.members.viewer)).json<{ settings: Record<string, unknown>; panels: unknown[] }>();
    expect(before.settings).toEqual({ perUserLimit: 1, supportHours: null, autoCloseHours: null, logChannelId: null, ratingEnabled: true });
    expect(before.panels).toHaveLength(1);
    const hours = { timeZone: "Europe/Berlin", windows: [{ day: 1, start: "09:00", end: "17:00" }] };
    const res = await api(t, "/settings", t.lab.owner, json({ perUserLimit: 2, supportHours: hours, ratingEnabled: false }, "PATCH"));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ perUserLimit: 2, supportHours: hours, ratingEnabled: false });
  });

  it("refuses bad settings and panels with a 400 naming the problem", async () => {
    const cases: [string, string, unknown][] = [
      ["/settings", "PATCH", { perUserLimit: 0 }],
      ["/settings", "PATCH", { supportHours: { timeZone: "Mars/Olympus", windows: [{ day: 1, start: "09:00", end: "17:00" }] } }],
      ["/settings", "PATCH", { supportHours: { timeZone: "UTC", windows: [{ day: 1, start: "18:00", end: "09:00" }] } }],
      ["/settings", "PATCH", {}],
      ["/panels", "POST", { channelId: t.supportChannelId, title: "x", categories: [{ name: "Too many", questions: Array.from({ length: 6 }, (_, i) => ({ label: `q${i}` })) }] }],
      ["/panels", "POST", { channelId: t.supportChannelId, title: "x", categories: [] }],
      ["/panels", "POST", { channelId: "general", title: "x", categories: [{ name: "a" }] }],
    ];
    for (const [path, method, body] of cases) {
      const res = await api(t, path, t.lab.owner, json(body, method));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "BAD_REQUEST", details: { issues: expect.any(Array) }, requestId: expect.any(String) } });
    }
  });

  it("editing a panel keeps its category ids, so buttons already posted keep working", async () => {
    const res = await api(t, `/panels/${panel.panelId}`, t.lab.owner, json({ channelId: t.supportChannelId, title: "Help desk", categories: [{ id: panel.categoryIds[0], name: "Hardware & NAS", staffRoleIds: [t.staffRoleId] }, { name: "Billing" }] }, "PUT"));
    expect(res.status, await res.clone().text()).toBe(200);
    const view = await res.json<{ categories: { id: string; name: string }[]; style: string }>();
    expect(view.categories[0]).toMatchObject({ id: panel.categoryIds[0], name: "Hardware & NAS" });
    expect(view.style).toBe("buttons");
    const foreign = await api(t, `/panels/${panel.panelId}`, t.lab.owner, json({ channelId: t.supportChannelId, title: "x", categories: [{ id: "tkc_0000000000000000", name: "Stolen" }] }, "PUT"));
    expect(foreign.status).toBe(400);
  });

  it("a panel or log channel of another tenant's server is refused with 400 naming the field, and nothing is saved", async () => {
    const victim = await seedTicketGuild("Victim Ticket Lab");
    const before = await (await api(t, "/config", t.lab.owner)).json<unknown>();
    const cases: [string, string, unknown, string][] = [
      ["/settings", "PATCH", { logChannelId: victim.logChannelId }, "logChannelId"],
      ["/panels", "POST", { channelId: victim.supportChannelId, title: "Stolen", categories: [{ name: "a" }] }, "channelId"],
      [`/panels/${panel.panelId}`, "PUT", { channelId: victim.supportChannelId, title: "Moved", categories: [{ id: panel.categoryIds[0], name: "a" }] }, "channelId"],
    ];
    for (const [path, method, body, field] of cases) {
      const res = await api(t, path, t.lab.owner, json(body, method));
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "BAD_REQUEST", message: "That channel is not in this server", details: { field } } });
    }
    expect(await (await api(t, "/config", t.lab.owner)).json()).toEqual(before);
    // The guild's own log channel passes.
    const own = await api(t, "/settings", t.lab.owner, json({ logChannelId: t.logChannelId }, "PATCH"));
    expect(own.status, await own.clone().text()).toBe(200);
    expect(await own.json()).toMatchObject({ logChannelId: t.logChannelId });
  });

  it("settings need Manage Server in Discord on top of the admin role", async () => {
    await withDb((db) => db.update(users).set({ discordId: t.bob.user.id }).where(eq(users.id, t.lab.members.admin.userId)));
    const res = await api(t, "/settings", t.lab.members.admin, json({ perUserLimit: 3 }, "PATCH"));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { details: { reason: "missing_manage_guild" } } });
  });
});

describe("ticket list", () => {
  const list = async (query: string) => {
    const res = await api(t, `?${query}`, t.lab.members.viewer);
    expect(res.status, await res.clone().text()).toBe(200);
    return res.json<{ items: { number: number }[]; nextCursor: number | null }>();
  };
  const numbers = async (query: string) => (await list(query)).items.map((i) => i.number);

  it("lists newest first and pages by number", async () => {
    const first = await list("limit=3");
    expect(first.items.map((i) => i.number)).toEqual([4, 3, 2]);
    expect(first.nextCursor).toBe(2);
    expect(await numbers(`limit=3&cursor=${first.nextCursor}`)).toEqual([1]);
  });

  it("searches subject, opener name, opener id and number; LIKE wildcards are literal", async () => {
    expect(await numbers("q=vpn")).toEqual([2]);
    expect(await numbers("q=ALICE")).toEqual([3, 1]);
    expect(await numbers(`q=${t.alice.user.id}`)).toEqual([3, 1]);
    expect(await numbers("q=%234")).toEqual([4]);
    expect(await numbers("q=%25")).toEqual([4]);
    expect(await numbers("q=_")).toEqual([4]);
  });

  it("filters by status, category and claimer", async () => {
    expect(await numbers("status=open")).toEqual([4, 3]);
    expect(await numbers(`categoryId=${panel.categoryIds[0]}&status=closed`)).toEqual([2, 1]);
    expect(await numbers(`claimedBy=${t.carol.user.id}`)).toEqual([3, 1]);
    expect(await numbers("claimedBy=none")).toEqual([4, 2]);
    expect((await api(t, "?status=lost", t.lab.members.viewer)).status).toBe(400);
  });
});

describe("one ticket", () => {
  it("shows the answers and the stored transcript, oldest first", async () => {
    const res = await api(t, `/${ids.nas}`, t.lab.members.viewer);
    expect(res.status).toBe(200);
    const detail = await res.json<{ number: number; answers: unknown[]; transcript: { authorName: string; content: string }[] }>();
    expect(detail).toMatchObject({ number: 1, status: "closed", rating: 5, answers: [{ question: "What is broken?", answer: "NAS will not mount" }] });
    expect(detail.transcript.map((m) => m.authorName)).toEqual(["alice", 'carol"><img src=x onerror=alert(1)>']);
  });

  it("downloads as HTML in which user content is inert", async () => {
    const res = await api(t, `/${ids.nas}/transcript.html`, t.lab.members.viewer);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="ticket-1.html"');
    expect(res.headers.get("content-security-policy")).toMatch(/script-src 'self'(;|$)/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await res.text();
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'`);
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("javascript:");
    expect(html).toContain("&lt;script&gt;alert(&#39;stolen&#39;)&lt;/script&gt; help");
    expect(html).toContain("carol&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
  });

  it("another tenant, or a ticket of another guild, is the same 404 as a missing one", async () => {
    const foreign = await api({ ...t, lab: other }, `/${ids.nas}`, other.owner);
    expect(foreign.status).toBe(404);
    expect((await api({ ...t, lab: other }, "", other.owner)).status).toBe(404);
    expect((await api({ ...t, lab: other }, "/stats", other.owner)).status).toBe(404);
    expect((await api(t, "/tkt_0000000000000000", t.lab.members.viewer)).status).toBe(404);
    const elsewhere = await api({ ...t, guildId: snowflake() }, `/${ids.nas}`, t.lab.owner);
    expect(elsewhere.status).toBe(404);
  });
});

describe("stats", () => {
  it("counts, median first response and resolution, average rating, per category", async () => {
    const res = await api(t, "/stats", t.lab.members.viewer);
    expect(res.status).toBe(200);
    const stats = await res.json<Record<string, unknown> & { categories: Record<string, unknown>[] }>();
    expect(stats).toMatchObject({ count: 4, open: 2, closed: 2, medianFirstResponseSeconds: 30 * 60, medianResolutionSeconds: 3 * 3600, averageRating: 4, ratings: 2 });
    expect(stats.categories).toEqual([
      expect.objectContaining({ categoryId: panel.categoryIds[0], count: 3, medianFirstResponseSeconds: 30 * 60, medianResolutionSeconds: 3 * 3600 }),
      expect.objectContaining({ categoryId: null, categoryName: "Old category", count: 1, medianFirstResponseSeconds: null, medianResolutionSeconds: null }),
    ]);
    const since = await (await api(t, `/stats?since=${encodeURIComponent(new Date(base + 2.5 * HOUR).toISOString())}`, t.lab.members.viewer)).json<{ count: number }>();
    expect(since.count).toBe(2);
  });
});

describe("who may do what", () => {
  it("viewers read but cannot close; operators close from the dashboard", async () => {
    expect((await api(t, `/${ids.misc}/close`, t.lab.members.viewer, json({ reason: "no" }))).status).toBe(403);
    const res = await api(t, `/${ids.misc}/close`, t.lab.members.operator, json({ reason: "Duplicate of #3" }));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ status: "closed", closeReason: "Duplicate of #3" });
    const again = await api(t, `/${ids.misc}/close`, t.lab.members.operator, json({}));
    expect(await again.json()).toMatchObject({ status: "closed", closeReason: "Duplicate of #3" });
  });

  it("operators cannot configure", async () => {
    expect((await api(t, "/settings", t.lab.members.operator, json({ perUserLimit: 2 }, "PATCH"))).status).toBe(403);
    expect((await api(t, `/panels/${panel.panelId}/post`, t.lab.members.operator, { method: "POST" })).status).toBe(403);
  });
});
