// Kick's webhook key: fetched once and cached (every webhook needs it); when Kick rotates it, a webhook signed with
// the new key fails against the cached one and is verified again after one fresh fetch; a forged signature still
// fails and cannot make us fetch again within PUBLIC_KEY_REFRESH_MS. Each test uses a key ring of its own in the fake
// Kick (KICK_API_BASE = <origin>/rings/<name>), so rotating it touches no other suite.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KICK, type Signed, fake } from "../go-live/go-live-harness.ts";
import { callWorker, envNamed } from "../support/worker-call.ts";

function kickRing() {
  const name = `ring-${randomUUID()}`;
  const workerEnv = { ...envNamed(), KICK_API_BASE: `${KICK}/rings/${name}` };
  // An event no feature acts on: the test is about the signature, not what follows.
  const sign = (extra: { wrongKey?: boolean } = {}) => fake<Signed>(KICK, "/__control/kick/sign", { eventType: "channel.followed", event: { broadcaster: { user_id: 1 }, follower: { user_id: 2, username: `f${randomUUID()}` } }, ring: name, ...extra });
  const deliver = (signed: Signed) => callWorker("/webhooks/kick", { method: "POST", headers: signed.headers, body: signed.body }, workerEnv);
  const fetches = async () => (await fake<{ publicKeyFetches: number }>(KICK, `/__control/kick/rings/${name}`)).publicKeyFetches;
  const rotate = () => fake(KICK, `/__control/kick/rings/${name}/rotate`, {});
  return { sign, deliver, fetches, rotate };
}

async function expectForbidden(res: Response) {
  expect(res.status).toBe(403);
  expect(await res.json()).toMatchObject({ error: { code: "FORBIDDEN", message: "Invalid signature" } });
}

describe("Kick public key", () => {
  it("many webhooks → Kick's public-key endpoint is asked once", async () => {
    const kick = kickRing();
    for (let i = 0; i < 5; i++) expect((await kick.deliver(await kick.sign())).status).toBe(204);
    expect(await kick.fetches()).toBe(1);
  });

  it("after Kick rotates its key: a webhook with the new key is accepted after one fresh fetch; forgeries stay refused and fetch nothing more", async () => {
    const kick = kickRing();
    expect((await kick.deliver(await kick.sign())).status).toBe(204);
    expect(await kick.fetches()).toBe(1);

    await kick.rotate();
    expect((await kick.deliver(await kick.sign())).status).toBe(204);
    expect(await kick.fetches()).toBe(2);
    expect((await kick.deliver(await kick.sign())).status).toBe(204);
    expect(await kick.fetches()).toBe(2);

    for (let i = 0; i < 4; i++) await expectForbidden(await kick.deliver(await kick.sign({ wrongKey: true })));
    expect(await kick.fetches()).toBe(2);
  });

  it("a forged webhook costs at most one fresh fetch, however many arrive", async () => {
    const kick = kickRing();
    for (let i = 0; i < 5; i++) await expectForbidden(await kick.deliver(await kick.sign({ wrongKey: true })));
    // The first fetch, and one refresh for the first failure; none after.
    expect(await kick.fetches()).toBe(2);
    expect((await kick.deliver(await kick.sign())).status).toBe(204);
    expect(await kick.fetches()).toBe(2);
  });
});
