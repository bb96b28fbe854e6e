// Dispatch → internal event translation: shapes, stable ids, presence changes only, malformed payloads refused.
import { describe, expect, it } from "vitest";
import { type DispatchContext, type ScreeningMemory, type StreamingMemory, eventsOfDispatch, platformOf } from "./gateway-dispatch.ts";

function memory(): StreamingMemory & { rows: Map<string, string> } {
  const rows = new Map<string, string>();
  return {
    rows,
    get: (g, u) => rows.get(`${g}/${u}`),
    set: (g, u, url) => void rows.set(`${g}/${u}`, url),
    delete: (g, u) => void rows.delete(`${g}/${u}`),
    usersIn: (g) => [...rows.keys()].filter((k) => k.startsWith(`${g}/`)).map((k) => k.slice(g.length + 1)),
  };
}

const GUILD = "100000000000000001";
const USER = "200000000000000001";
let seq = 1;
function screeningMemory(): ScreeningMemory {
  const pending = new Set<string>();
  return { add: (g, u) => void pending.add(`${g}/${u}`), take: (g, u) => pending.delete(`${g}/${u}`) };
}
const ctx = (streaming: StreamingMemory, screening: ScreeningMemory = screeningMemory()): DispatchContext => ({ sessionId: "sess", seq: ++seq, streaming, screening });
const stream = (url: string) => ({ guild_id: GUILD, user: { id: USER }, activities: [{ type: 1, name: "Twitch", url, details: "Title" }] });

describe("eventsOfDispatch", () => {
  it("a member who joins pending Membership Screening raises member.screened once, on the update that clears it", () => {
    const m = memory();
    const screening = screeningMemory();
    const user = { id: USER, username: "newbie", avatar: null };
    const run = (t: string, d: unknown) => {
      const r = eventsOfDispatch(t, d, ctx(m, screening));
      if (!r.ok) throw new Error(r.error);
      return r.events;
    };
    expect(run("GUILD_MEMBER_ADD", { guild_id: GUILD, user, joined_at: "2026-11-20T18:00:00Z", pending: true })).toMatchObject([{ kind: "member.joined", pending: true }]);
    // Still pending (a nickname change while reading the rules): nothing.
    expect(run("GUILD_MEMBER_UPDATE", { guild_id: GUILD, user, pending: true, nick: "n" })).toEqual([]);
    expect(run("GUILD_MEMBER_UPDATE", { guild_id: GUILD, user, pending: false })).toMatchObject([{ kind: "member.screened", guildId: GUILD, user: { id: USER, username: "newbie" } }]);
    // Later updates of the same member (roles given, a new nick) raise nothing.
    expect(run("GUILD_MEMBER_UPDATE", { guild_id: GUILD, user, pending: false, roles: ["1"] })).toEqual([]);

    // A member who joined without screening: no pending flag, and their updates raise nothing.
    const other = { id: "200000000000000002", username: "regular", avatar: null };
    const joined = run("GUILD_MEMBER_ADD", { guild_id: GUILD, user: other, joined_at: "2026-11-20T18:00:00Z", pending: false });
    expect(joined[0]).not.toHaveProperty("pending");
    expect(run("GUILD_MEMBER_UPDATE", { guild_id: GUILD, user: other, pending: false })).toEqual([]);
  });

  it("raises presence events only when a member starts, switches or stops streaming", () => {
    const m = memory();
    const kinds = (t: string, d: unknown) => {
      const r = eventsOfDispatch(t, d, ctx(m));
      return r.ok ? r.events.map((e) => e.kind) : r.error;
    };
    expect(kinds("PRESENCE_UPDATE", stream("https://twitch.tv/a"))).toEqual(["presence.streaming"]);
    expect(kinds("PRESENCE_UPDATE", stream("https://twitch.tv/a"))).toEqual([]);
    expect(kinds("PRESENCE_UPDATE", stream("https://kick.com/a"))).toEqual(["presence.streaming"]);
    expect(kinds("PRESENCE_UPDATE", { guild_id: GUILD, user: { id: USER }, activities: [] })).toEqual(["presence.stopped"]);
    expect(kinds("PRESENCE_UPDATE", { guild_id: GUILD, user: { id: USER }, activities: [] })).toEqual([]);
  });

  it("reports a remembered streamer missing from a fresh GUILD_CREATE as stopped", () => {
    const m = memory();
    m.set(GUILD, USER, "https://twitch.tv/a");
    const r = eventsOfDispatch("GUILD_CREATE", { id: GUILD, name: "Lab", member_count: 3, presences: [] }, ctx(m));
    expect(r.ok && r.events.map((e) => e.kind)).toEqual(["guild.available", "presence.stopped"]);
    expect(m.rows.size).toBe(0);
  });

  it("gives the same id to the same dispatch, and different ids to different ones", () => {
    const m = memory();
    const d = { guild_id: GUILD, joined_at: "2026-01-01T00:00:00Z", user: { id: USER, username: "u" } };
    const c = ctx(m);
    const a = eventsOfDispatch("GUILD_MEMBER_ADD", d, c);
    const b = eventsOfDispatch("GUILD_MEMBER_ADD", d, c);
    const other = eventsOfDispatch("GUILD_MEMBER_ADD", d, ctx(m));
    expect(a.ok && a.events[0]?.id).toBe(b.ok && b.events[0]?.id);
    expect(a.ok && a.events[0]?.id).not.toBe(other.ok && other.events[0]?.id);
  });

  it("ignores direct messages, unavailable guilds and dispatches it does not use", () => {
    const m = memory();
    expect(eventsOfDispatch("MESSAGE_CREATE", { id: "1", channel_id: "2", author: { id: USER }, timestamp: "t" }, ctx(m))).toEqual({ ok: true, events: [] });
    expect(eventsOfDispatch("GUILD_CREATE", { id: GUILD, unavailable: true }, ctx(m))).toEqual({ ok: true, events: [] });
    expect(eventsOfDispatch("CHANNEL_UPDATE", { anything: true }, ctx(m))).toEqual({ ok: true, events: [] });
  });

  it("refuses malformed payloads with a reason instead of throwing", () => {
    const m = memory();
    for (const [t, d] of [
      ["GUILD_MEMBER_ADD", { guild_id: GUILD }],
      ["GUILD_MEMBER_REMOVE", null],
      ["PRESENCE_UPDATE", { guild_id: "x", user: { id: USER } }],
      ["MESSAGE_CREATE", "text"],
      ["GUILD_CREATE", []],
    ] as const) {
      const r = eventsOfDispatch(t, d, ctx(m));
      expect(r.ok, t).toBe(false);
      expect(!r.ok && r.error).toMatch(new RegExp(`^${t} `));
    }
  });
});

describe("platformOf", () => {
  it("recognises Twitch, YouTube and Kick URLs", () => {
    expect(platformOf("https://www.twitch.tv/nebula")).toBe("twitch");
    expect(platformOf("https://m.youtube.com/watch?v=1")).toBe("youtube");
    expect(platformOf("https://youtu.be/1")).toBe("youtube");
    expect(platformOf("https://kick.com/nebula")).toBe("kick");
    expect(platformOf("https://example.com")).toBeUndefined();
    expect(platformOf("not a url")).toBeUndefined();
  });
});
