// An agent speaking the real wire protocol over /agent/connect from a script, for browser stories about hosts:
// what it sends is the story's arrange, the jobs it is asked to run are what the story asserts (host-page, alerts).
import { agentWire } from "@nebula/schema";
import WebSocket from "ws";

/** An agent speaking the wire protocol from a script: what it sent is the test's arrange, what it was asked the assert. */
export interface ScriptedAgent {
  jobs: agentWire.JobRequest[];
  send(message: unknown): void;
  /** Resolves with the next message of this type from the edge. */
  next<T extends { type: string }>(type: T["type"]): Promise<T>;
  close(): void;
}

export async function connectScriptedAgent(edgeUrl: string, token: string, answer: (job: agentWire.JobRequest, agent: ScriptedAgent) => void): Promise<ScriptedAgent> {
  const ws = new WebSocket(`${edgeUrl.replace(/^http/, "ws")}/agent/connect`, { headers: { authorization: `Bearer ${token}` } });
  const waiting: { type: string; resolve: (m: unknown) => void }[] = [];
  const jobs: agentWire.JobRequest[] = [];
  const agent: ScriptedAgent = {
    jobs,
    send: (message) => ws.send(typeof message === "string" ? message : JSON.stringify(message)),
    next: (type) => new Promise((resolve) => waiting.push({ type, resolve: resolve as (m: unknown) => void })),
    close: () => ws.close(1000, "done"),
  };
  ws.on("message", (data) => {
    const text = String(data);
    if (!text.startsWith("{")) return;
    const message = JSON.parse(text) as { type: string };
    if (message.type === "job") {
      const job = agentWire.JobRequest.parse(message);
      jobs.push(job);
      answer(job, agent);
    }
    const i = waiting.findIndex((w) => w.type === message.type);
    if (i >= 0) waiting.splice(i, 1)[0]?.resolve(message);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return agent;
}
