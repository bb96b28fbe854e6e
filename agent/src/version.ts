// The agent's version, reported in every hello so the dashboard can show which hosts need an update.
export const AGENT_VERSION = "0.1.0";
