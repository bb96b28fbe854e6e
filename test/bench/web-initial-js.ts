// What a first visit to the web app downloads before it can render: the entry module of web/dist/index.html
// plus the chunks it modulepreloads, gzipped at level 9; and the total of every JS chunk for comparison.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { type SizedFile, gzipSize } from "./gzip-size.ts";
import { runCapture } from "./run-capture.ts";

export interface WebInitialJs {
  initial: SizedFile[];
  initialRaw: number;
  initialGzip: number;
  totalJsRaw: number;
  totalJsGzip: number;
  chunkCount: number;
}

function attribute(tag: string, name: string): string | null {
  return new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, "i").exec(tag)?.[1] ?? null;
}

/** The entry `<script type="module" src>` and `<link rel="modulepreload" href>` URLs, in document order. */
export function initialScripts(html: string): string[] {
  const urls: string[] = [];
  for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/gi)) {
    if (/^<script/i.test(tag) && attribute(tag, "type") === "module") {
      const src = attribute(tag, "src");
      if (src) urls.push(src);
    } else if (/^<link/i.test(tag) && attribute(tag, "rel") === "modulepreload") {
      const href = attribute(tag, "href");
      if (href) urls.push(href);
    }
  }
  return urls;
}

function sized(dist: string, url: string): SizedFile {
  const file = url.replace(/^\//, "");
  const bytes = readFileSync(path.join(dist, file));
  return { file, raw: bytes.length, gzip: gzipSize(bytes) };
}

export async function measureWebInitialJs(root: string): Promise<WebInitialJs> {
  await runCapture(path.join(root, "node_modules/.bin/vite"), ["build", "web", "--logLevel", "warn"], root);
  const dist = path.join(root, "web/dist");
  const urls = initialScripts(readFileSync(path.join(dist, "index.html"), "utf8"));
  if (urls.length === 0) throw new Error("web/dist/index.html has no <script type=\"module\" src>: did the build change shape?");
  const initial = urls.map((url) => sized(dist, url));
  const all = readdirSync(path.join(dist, "assets"))
    .filter((f) => f.endsWith(".js"))
    .map((f) => sized(dist, `assets/${f}`));
  return {
    initial,
    initialRaw: initial.reduce((s, f) => s + f.raw, 0),
    initialGzip: initial.reduce((s, f) => s + f.gzip, 0),
    totalJsRaw: all.reduce((s, f) => s + f.raw, 0),
    totalJsGzip: all.reduce((s, f) => s + f.gzip, 0),
    chunkCount: all.length,
  };
}
