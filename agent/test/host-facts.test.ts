// The host facts of the agent's hello: configured compose stacks go by name only, so the dashboard can offer them
// without learning a directory, and a long list is cut to what the edge accepts rather than failing the hello.
import { Hello, MAX_STACKS, PROTOCOL_VERSION } from "@nebula/schema/wire/agent";
import { describe, expect, it } from "vitest";
import { readHostFacts } from "../src/host/host-facts.ts";

const hello = (facts: ReturnType<typeof readHostFacts>) => Hello.safeParse({ type: "hello", protocol: PROTOCOL_VERSION, ...facts });

describe("host facts", () => {
  it("names the configured stacks and leaves the field out when there are none", () => {
    const facts = readHostFacts({ stacks: ["media", "tools"] });
    expect(facts.stacks).toEqual(["media", "tools"]);
    expect(hello(facts).success).toBe(true);
    expect(readHostFacts({ stacks: [] })).not.toHaveProperty("stacks");
  });

  it("reports at most the stacks the edge accepts, so the hello still passes", () => {
    const many = Array.from({ length: MAX_STACKS + 5 }, (_, i) => `stack-${i}`);
    const facts = readHostFacts({ stacks: many });
    expect(facts.stacks).toEqual(many.slice(0, MAX_STACKS));
    expect(hello(facts).success).toBe(true);
    expect(Hello.safeParse({ type: "hello", protocol: PROTOCOL_VERSION, ...facts, stacks: many }).success).toBe(false);
  });
});
