import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { startUpstashBridge } from "../upstash-bridge/upstash-bridge.ts";
export default async function setup(project: TestProject) {
  const upstash = await startUpstashBridge({ redisUrl: process.env.REDIS_URL, token: randomBytes(24).toString("base64url") });
  project.provide("upstashUrl", upstash.url);
  project.provide("upstashToken", upstash.token);
  return () => upstash.close();
}
