// How long the ChatOutbox keeps a user token: until a minute before it expires, at most HOLD_MS, and not after forget.
import { describe, expect, it } from "vitest";
import { TOKEN_MARGIN_MS } from "../connections/connection-tokens.ts";
import { HOLD_MS, HeldTokens } from "./held-tokens.ts";

const T0 = Date.UTC(2026, 10, 20, 18, 0, 0);

describe("HeldTokens", () => {
  it("keeps a token until the refresh margin before its expiry", () => {
    const held = new HeldTokens();
    held.hold("pcn_a", "tok", new Date(T0 + 5 * 60_000), T0);
    expect(held.get("pcn_a", T0 + 5 * 60_000 - TOKEN_MARGIN_MS - 1)).toBe("tok");
    expect(held.get("pcn_a", T0 + 5 * 60_000 - TOKEN_MARGIN_MS)).toBeNull();
  });

  it("keeps a long-lived token at most HOLD_MS, so a missed change is noticed", () => {
    const held = new HeldTokens();
    held.hold("pcn_a", "tok", null, T0);
    expect(held.get("pcn_a", T0 + HOLD_MS - 1)).toBe("tok");
    expect(held.get("pcn_a", T0 + HOLD_MS)).toBeNull();
  });

  it("does not keep a token already inside the margin, and forgets on request", () => {
    const held = new HeldTokens();
    held.hold("pcn_a", "tok", new Date(T0 + TOKEN_MARGIN_MS / 2), T0);
    expect(held.get("pcn_a", T0)).toBeNull();
    held.hold("pcn_b", "other", null, T0);
    held.forget("pcn_b");
    expect(held.get("pcn_b", T0)).toBeNull();
  });
});
