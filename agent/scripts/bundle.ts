// Builds the home agent into one ESM file for Node >= 22 (agent/dist/nebula-agent.mjs): every dependency inside,
// nothing to npm install on the host. `--copy-to <path>` also writes it where the web build serves it from.
//   npm run build:agent
//   tsx agent/scripts/bundle.ts --copy-to web/dist/agent/nebula-agent.mjs
import { copyFileSync, mkdirSync, statSync } from "node:fs";
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
 * Parts of dockerode the agent never uses, loaded on first call instead of at start: docker-modem's SSH transport
 * (ssh2, ~19 MB RSS at load: the agent talks to a unix socket) and dockerode's BuildKit session (gRPC, ~15 MB).
 * Each module exports one function, so a function that requires the real module when called stands in for it.
 */
const LAZY_FUNCTION_MODULES = [
  { request: "./ssh", importer: /[\\/]docker-modem[\\/]lib[\\/]modem\.js$/ },
  { request: "./session", importer: /[\\/]dockerode[\\/]lib[\\/]docker\.js$/ },
];
const lazyFunctionModules: Plugin = {
  name: "lazy-function-modules",
  setup(b) {
    b.onResolve({ filter: /^\.\/(ssh|session)$/ }, (args) => {
      if (!LAZY_FUNCTION_MODULES.some((m) => m.request === args.path && m.importer.test(args.importer))) return undefined;
      return { path: path.join(args.resolveDir, `${args.path}.js`), namespace: "lazy-function" };
    });
    b.onLoad({ filter: /.*/, namespace: "lazy-function" }, (args) => ({
      contents: `module.exports = function () { return require(${JSON.stringify(`./${path.basename(args.path)}`)}).apply(this, arguments); };`,
      resolveDir: path.dirname(args.path),
      loader: "js",
    }));
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
    plugins: [withoutOptionalNative, lazyFunctionModules],
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
