// `npm start` as a user meets it: ready line and bootstrap link, sign-in through the link,
// a clean stop on Ctrl-C, and a second start that keeps everything.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { startLocalStack } from "./stack.ts";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "nebula-stack-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it("starts, bootstraps the owner once, stops cleanly and keeps data across restarts", async () => {
  const first = await startLocalStack({ dataDir });
  let cookie = "";
  try {
    expect(first.output()).toMatch(/^Nebula Command is running at http:\/\/127\.0\.0\.1:\d+$/m);
    expect(first.bootstrapUrl).toMatch(/\/auth\/bootstrap\?token=[\w-]{43}$/);

    const health = await (await fetch(`${first.url}/healthz`)).json();
    expect(health).toMatchObject({ status: "ok", database: { ok: true }, cache: { ok: true, adapter: "durable-object" } });

    const res = await fetch(first.bootstrapUrl as string, { redirect: "manual" });
    expect(res.status).toBe(302);
    cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] as string;
    expect(cookie).toMatch(/^nc_session=/);
    const me = await (await fetch(`${first.url}/api/me`, { headers: { cookie } })).json();
    expect(me).toMatchObject({ user: { name: "Owner" }, tenants: [{ name: "My Homelab", role: "owner" }] });

    const again = await fetch(first.bootstrapUrl as string, { redirect: "manual" });
    expect(again.headers.get("location")).toBe("/?error=bootstrap_used");

    const page = await fetch(`${first.url}/settings`);
    expect(page.headers.get("content-type")).toContain("text/html");

    // What a homelab box fetches during install: the script (with this edge baked in) and the bundled agent.
    const script = await (await fetch(`${first.url}/agent/install.sh`)).text();
    expect(script).toContain(first.url);
    const bundle = await fetch(`${first.url}/agent/nebula-agent.mjs`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
  } finally {
    expect(await first.stop()).toBe(0);
  }

  const second = await startLocalStack({ dataDir });
  try {
    expect(second.bootstrapUrl).toBeNull();
    const me = await fetch(`${second.url}/api/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ tenants: [{ name: "My Homelab" }] });
  } finally {
    expect(await second.stop()).toBe(0);
  }
}, 240_000);

it("refuses to start with bad configuration, naming every bad variable and no secret", async () => {
  const { spawn } = await import("node:child_process");
  const root = path.resolve(import.meta.dirname, "..");
  const child = spawn(path.join(root, "node_modules/.bin/tsx"), [path.join(root, "workers/local/start.ts")], {
    cwd: root,
    env: {
      ...process.env,
      NEBULA_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "nebula-badcfg-")),
      ENCRYPTION_KEYS: "v1:c2VjcmV0LXZhbHVl",
      DISCORD_CLIENT_ID: "not-a-snowflake",
      DISCORD_PUBLIC_KEY: "zz",
      DATABASE_URL: "",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d));
  child.stderr.on("data", (d: Buffer) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  expect(code).toBe(1);
  for (const name of ["ENCRYPTION_KEYS", "DISCORD_CLIENT_ID", "DISCORD_CLIENT_SECRET", "DISCORD_PUBLIC_KEY"]) expect(out).toContain(name);
  expect(out).not.toContain("c2VjcmV0LXZhbHVl");
  expect(out).not.toContain("is running at");
}, 60_000);
