// Only read-only kinds may skip the job and audit rows, and only when the caller waits for the answer.
import { agentWire } from "@nebula/schema";
import { describe, expect, it } from "vitest";
import { QUICK_READ_KINDS, isUnrecordedRead } from "./job-history.ts";

describe("job history", () => {
  it("keeps every kind a viewer cannot run on the record", () => {
    for (const kind of QUICK_READ_KINDS) expect(agentWire.JOB_KINDS[kind].role, kind).toBe("viewer");
    for (const kind of agentWire.JOB_KIND_NAMES) {
      if (agentWire.JOB_KINDS[kind].role !== "viewer") expect(isUnrecordedRead(kind, true), kind).toBe(false);
    }
  });

  it("records a quick read handed back unfinished, log reads and probes", () => {
    expect(isUnrecordedRead("docker.list", true)).toBe(true);
    expect(isUnrecordedRead("docker.list", false)).toBe(false);
    expect(isUnrecordedRead("docker.logs", true)).toBe(false);
    expect(isUnrecordedRead("host.probe", true)).toBe(false);
  });
});
