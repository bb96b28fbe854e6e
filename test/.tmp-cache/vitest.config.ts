import path from "node:path";
import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
export default defineConfig({
  root,
  test: {
    globalSetup: [path.join(here, "global-setup.ts")],
    projects: [{
      plugins: [cloudflareTest(() => ({
        wrangler: { configPath: path.join(here, "wrangler.toml") },
        miniflare: { bindings: { DATABASE_URL: "postgres://nobody@127.0.0.1:1/none", ENCRYPTION_KEYS: "v1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", PUBLIC_URL: "http://localhost", LOG_LEVEL: "error" } },
      }))],
      test: { name: "workers", root, include: ["workers/test/cache/**/*.test.ts"], testTimeout: 30_000 },
    }],
  },
});
