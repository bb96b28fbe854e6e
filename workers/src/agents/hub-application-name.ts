// The Postgres application_name each AgentHub connects with, so its queries can be told apart and counted
// (the idle-Postgres test and the bench read them off the local bridge). No imports: Node tooling loads it too.
export const hubApplicationName = (agentId: string): string => `agent-hub:${agentId}`;
