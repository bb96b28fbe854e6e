// Which scripts count as the web app's first load: what index.html makes the browser fetch before rendering.
import { expect, it } from "vitest";
import { initialScripts } from "./web-initial-js.ts";

it("counts the module entry and its modulepreloads, in document order, and nothing else", () => {
  const html = `<!doctype html><html><head>
    <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
    <script type="module" crossorigin src="/assets/index-abc.js"></script>
    <link rel="modulepreload" crossorigin href="/assets/web-def.js">
    <link rel="stylesheet" crossorigin href="/assets/index-ghi.css">
    <link crossorigin rel='modulepreload' href='/assets/routing-jkl.js'>
    <script src="/legacy.js"></script>
  </head><body><script type="module">inline()</script></body></html>`;
  expect(initialScripts(html)).toEqual(["/assets/index-abc.js", "/assets/web-def.js", "/assets/routing-jkl.js"]);
});
