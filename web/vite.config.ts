// Builds the SolidJS app into web/dist, which the Worker serves as static assets (wrangler.toml [assets]).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

export default defineConfig({
  plugins: [solid()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // The budget is about what a first visit downloads: report gzipped sizes on every build.
    reportCompressedSize: true,
    // Two pages: the app, and the OBS overlay renderer (its own small entry; the Worker serves it at /overlay/<id>).
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL("./index.html", import.meta.url)),
        overlay: fileURLToPath(new URL("./overlay-renderer.html", import.meta.url)),
      },
    },
  },
});
