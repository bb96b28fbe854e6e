// The generic inbox webhook's HMAC mode: `X-Nebula-Signature: sha256=<HMAC-SHA256 of "<timestamp>.<body>">` with
// `X-Nebula-Timestamp` in unix seconds. Valid → accepted; a tampered body or timestamp, another secret, a missing
// timestamp, and a timestamp more than 10 minutes off → 401 in the one error model saying why; a repeated event id
// → acknowledged as a duplicate. Bearer mode stays as it was (it carries the secret, so it has no replay bound).
import type { api } from "@nebula/schema";
import { describe, expect, it } from "vitest";
import { apiCall, call, inboxPath, seedInboxTenant } from "./inbox-harness.ts";

async function hmac(secret: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return [...new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data)))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const seconds = (ms: number) => String(Math.floor(ms / 1000));

async function signed(secret: string, body: string, timestamp = seconds(Date.now())): Promise<Record<string, string>> {
  return { "x-nebula-timestamp": timestamp, "x-nebula-signature": `sha256=${await hmac(secret, `${timestamp}.${body}`)}` };
}

async function webhook() {
  const tenant = await seedInboxTenant("Inbox signature lab");
  const hook = await apiCall<api.InboxWebhookWithSecret>(tenant.members.admin, "POST", inboxPath(tenant.tenantId, "/webhooks"), { name: "Signed tips" }, 201);
  const post = (body: string, headers: Record<string, string>) => call(`/webhooks/inbox/${hook.id}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { hook, post };
}

async function expectUnauthorized(res: Response, message: RegExp) {
  expect(res.status).toBe(401);
  const body = await res.json<{ error: { code: string; message: string; requestId: string } }>();
  expect(body.error).toMatchObject({ code: "UNAUTHORIZED", requestId: expect.any(String) });
  expect(body.error.message).toMatch(message);
}

const tip = (id: string) => JSON.stringify({ id, type: "donation", actor: { name: "Signer" }, amount: 3, currency: "USD" });

describe("inbox webhook HMAC with a signed timestamp", () => {
  it("valid → 202; the same event id again (even freshly signed) → duplicate", async () => {
    const { hook, post } = await webhook();
    const res = await post(tip("sig-1"), await signed(hook.secret, tip("sig-1")));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "accepted" });
    const again = await post(tip("sig-1"), await signed(hook.secret, tip("sig-1"), seconds(Date.now() + 1000)));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: "duplicate" });
  });

  it("tampered body, tampered timestamp, wrong secret → 401 Invalid signature", async () => {
    const { hook, post } = await webhook();
    const headers = await signed(hook.secret, tip("sig-2"));
    await expectUnauthorized(await post(tip("sig-2").replace("Signer", "Hijack"), headers), /Invalid secret or signature/);
    await expectUnauthorized(await post(tip("sig-2"), { ...headers, "x-nebula-timestamp": seconds(Date.now() + 60_000) }), /Invalid secret or signature/);
    await expectUnauthorized(await post(tip("sig-2"), await signed("nis_not-the-secret", tip("sig-2"))), /Invalid secret or signature/);
    // Signed the old way (body only): no longer accepted.
    await expectUnauthorized(await post(tip("sig-2"), { ...headers, "x-nebula-signature": `sha256=${await hmac(hook.secret, tip("sig-2"))}` }), /Invalid secret or signature/);
    // Nothing was recorded by the refusals: the genuine delivery still goes through.
    expect((await post(tip("sig-2"), headers)).status).toBe(202);
  });

  it("a timestamp more than 10 minutes off either way, or none, is refused with a clear reason", async () => {
    const { hook, post } = await webhook();
    await expectUnauthorized(await post(tip("sig-3"), await signed(hook.secret, tip("sig-3"), seconds(Date.now() - 11 * 60_000))), /more than 10 minutes.*replay/);
    await expectUnauthorized(await post(tip("sig-3"), await signed(hook.secret, tip("sig-3"), seconds(Date.now() + 11 * 60_000))), /more than 10 minutes.*replay/);
    const { "x-nebula-timestamp": _t, ...withoutTimestamp } = await signed(hook.secret, tip("sig-3"));
    await expectUnauthorized(await post(tip("sig-3"), withoutTimestamp), /X-Nebula-Timestamp .* is required/);
    expect((await post(tip("sig-3"), await signed(hook.secret, tip("sig-3"), seconds(Date.now() - 9 * 60_000)))).status).toBe(202);
  });

  it("bearer mode still works without a timestamp", async () => {
    const { hook, post } = await webhook();
    expect((await post(tip("sig-4"), { authorization: `Bearer ${hook.secret}` })).status).toBe(202);
    await expectUnauthorized(await post(tip("sig-5"), { authorization: "Bearer nis_wrong" }), /Invalid secret or signature/);
  });
});
