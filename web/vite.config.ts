// Builds the SolidJS app into web/dist, which the Worker serves as static assets (wrangler.toml [assets]).
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
  },
});
