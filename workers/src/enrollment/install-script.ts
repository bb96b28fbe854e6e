// The agent installer as the edge serves it: agent/install/install.sh with this deployment's address baked in.
export const EDGE_URL_PLACEHOLDER = "__NEBULA_EDGE_URL__";

/** An origin can hold no quote, space or `$`, so it sits safely inside the script's double-quoted default. */
const ORIGIN = /^https?:\/\/[A-Za-z0-9.:[\]-]+$/;

export function renderInstallScript(template: string, origin: string): string {
  if (!ORIGIN.test(origin)) throw new Error(`not an origin: ${origin}`);
  return template.replaceAll(EDGE_URL_PLACEHOLDER, origin);
}
