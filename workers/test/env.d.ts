// Types for tests inside workerd: the Worker's bindings and its exports on `cloudflare:workers`.
import type { Env as WorkerEnv } from "../src/env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
    interface GlobalProps {
      mainModule: typeof import("../src/index.ts");
      durableNamespaces: "AgentHub" | "OverlayRoom" | "CacheStore";
    }
  }
}
