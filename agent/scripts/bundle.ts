// Builds the home agent into one ESM file for Node >= 22 (agent/dist/nebula-agent.mjs): every dependency inside,
// nothing to npm install on the host. `--copy-to <path>` also writes it where the web build serves it from.
//   npm run build:agent
//   tsx agent/scripts/bundle.ts --copy-to web/dist/agent/nebula-agent.mjs
import { copyFileSync, mkdirSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Plugin, build } from "esbuild";

const agentDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const BUNDLE_PATH = path.join(agentDir, "dist/nebula-agent.mjs");

// CommonJS dependencies (ws, dockerode) call require() for Node built-ins and read __dirname; ESM output has
// neither, so the banner defines them (as esbuild's docs suggest for bundling CJS into ESM for node).
// No shebang here: esbuild keeps the one from src/main.ts above the banner.
const BANNER = [
  "// Nebula Command home agent, one file built by agent/scripts/bundle.ts.",
  'import { createRequire as __nebulaCreateRequire } from "node:module";',
  "const require = __nebulaCreateRequire(import.meta.url);",
  "const __filename = import.meta.filename;",
  "const __dirname = import.meta.dirname;",
].join("\n");

/**
 * ws requires https, tls and zlib when it loads, though it calls them only to dial a wss:// URL (https.request,
 * tls.connect) and for permessage-deflate, which the agent turns off (connection/edge-link.ts). Each stands in as an
 * object that loads the real module on first property access: an agent on ws:// (a private tunnel, the local stack)
 * never loads them (at rest, tls and https cost ~3.5 MB of RSS, zlib ~2 MB). ws only reads properties of these modules, never destructures them at load.
 */
const LAZY_IN_WS = /^(https|tls|zlib)$/;
const lazyBuiltinsInWs: Plugin = {
  name: "lazy-builtins-in-ws",
  setup(b) {
    b.onResolve({ filter: LAZY_IN_WS }, (args) => {
      if (args.kind !== "require-call" || !/[\\/]node_modules[\\/]ws[\\/]lib[\\/]/.test(args.importer)) return undefined;
      return { path: args.path, namespace: "lazy-builtin" };
    });
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => ({
      contents: `let real;
module.exports = new Proxy({}, { get: (_target, key) => (real ??= require(${JSON.stringify(`node:${args.path}`)}))[key] });`,
      loader: "js",
    }));
  },
};

/**
 * Native add-ons that dependencies load inside try/catch and do without (ssh2's crypto binding and cpu-features,
 * ws's bufferutil/utf-8-validate): replaced by a module that throws, so the fallback path runs and nothing is external.
 */
const OPTIONAL_NATIVE = /^(cpu-features|bufferutil|utf-8-validate)$|\.node$/;
const withoutOptionalNative: Plugin = {
  name: "without-optional-native",
  setup(b) {
    b.onResolve({ filter: OPTIONAL_NATIVE }, (args) => ({ path: args.path, namespace: "optional-native" }));
    b.onLoad({ filter: /.*/, namespace: "optional-native" }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not bundled (optional native add-on)`)});`,
      loader: "js",
    }));
  },
};

/**
 * Node built-ins imported by the agent's ESM sources are loaded with require() (the banner's) instead of an ESM import:
 * an ESM import of a built-in makes Node build its namespace by reading every export, and `node:http`'s lazy
 * WebSocket/MessageEvent exports then load undici with http2, worker_threads and perf_hooks (~11 MB RSS at rest).
 */
const BUILTINS = new Set(builtinModules);
const builtinsByRequire: Plugin = {
  name: "builtins-by-require",
  setup(b) {
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      if (args.kind !== "import-statement" || !BUILTINS.has(args.path.replace(/^node:/, ""))) return undefined;
      return { path: args.path, namespace: "builtin-require" };
    });
    b.onLoad({ filter: /.*/, namespace: "builtin-require" }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: "js" }));
  },
};

/**
 * Parts of dockerode the agent never uses, left out: docker-modem's SSH transport (ssh2, with a WebAssembly poly1305
 * that --lite-mode cannot run: the agent talks to a unix socket), dockerode's BuildKit session (gRPC) and BuildKit
 * progress decoding (protobufjs): ~750 KB of source that V8 would keep in memory. Each stands in as a function that
 * throws, so a call says what is missing instead of failing somewhere inside.
 */
const LEFT_OUT_MODULES = [
  { request: "./ssh", importer: /[\\/]docker-modem[\\/]lib[\\/]modem\.js$/ },
  { request: "./session", importer: /[\\/]dockerode[\\/]lib[\\/]docker\.js$/ },
  { request: "./buildkit", importer: /[\\/]dockerode[\\/]lib[\\/]docker\.js$/ },
];
const withoutUnusedDockerParts: Plugin = {
  name: "without-unused-docker-parts",
  setup(b) {
    b.onResolve({ filter: /^\.\/(ssh|session|buildkit)$/ }, (args) => {
      if (!LEFT_OUT_MODULES.some((m) => m.request === args.path && m.importer.test(args.importer))) return undefined;
      return { path: args.path, namespace: "left-out" };
    });
    b.onLoad({ filter: /.*/, namespace: "left-out" }, (args) => ({
      // ssh and session export one function; buildkit an object whose followProgress dockerode calls.
      contents: `const missing = function () { throw new Error(${JSON.stringify(`dockerode's ${args.path.slice(2)} is not bundled in the agent`)}); };
module.exports = Object.assign(missing, { followProgress: missing });`,
      loader: "js",
    }));
  },
};

/**
 * dockerode is built on the first call, not when the job handlers are set up: an agent whose docker.* jobs never
 * run (the metrics read Docker through docker/engine-api.ts) never evaluates it or the modules it loads (~2.6 MB).
 * The stand-in builds the real client on first property access and binds its methods.
 */
const lazyDockerode: Plugin = {
  name: "lazy-dockerode",
  setup(b) {
    b.onResolve({ filter: /^dockerode$/ }, (args) => {
      if (args.namespace === "lazy-dockerode") return undefined;
      return { path: "dockerode", namespace: "lazy-dockerode", pluginData: args.resolveDir };
    });
    b.onLoad({ filter: /.*/, namespace: "lazy-dockerode" }, (args) => ({
      contents: `module.exports = function Docker(options) {
  let real;
  return new Proxy({}, {
    get(_target, key) {
      real ??= new (require("dockerode"))(options);
      const value = real[key];
      return typeof value === "function" ? value.bind(real) : value;
    },
  });
};`,
      resolveDir: args.pluginData as string,
      loader: "js",
    }));
  },
};

/**
 * zod's error messages in every language (~255 KB, all kept in memory by V8): the agent reports errors in English,
 * which schema/src/wire/jobs.ts loads on its own (zod/v4/locales/en.js), so the `z.locales` namespace is empty here.
 */
const withoutZodLocales: Plugin = {
  name: "without-zod-locales",
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: "export {};", loader: "js" }));
  },
};

export async function bundleAgent(outfile = BUNDLE_PATH): Promise<{ outfile: string; bytes: number }> {
  await build({
    entryPoints: [path.join(agentDir, "src/main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    minify: true,
    legalComments: "none",
    banner: { js: BANNER },
    plugins: [builtinsByRequire, lazyBuiltinsInWs, withoutOptionalNative, withoutUnusedDockerParts, lazyDockerode, withoutZodLocales],
    logLevel: "warning",
  });
  return { outfile, bytes: statSync(outfile).size };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outfile, bytes } = await bundleAgent();
  console.log(`${path.relative(process.cwd(), outfile)}: ${(bytes / 1024).toFixed(0)} KiB`);
  const copyAt = process.argv.indexOf("--copy-to");
  const target = copyAt >= 0 ? process.argv[copyAt + 1] : undefined;
  if (copyAt >= 0 && !target) throw new Error("--copy-to needs a path");
  if (target) {
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(outfile, target);
    console.log(`copied to ${target}`);
  }
}
