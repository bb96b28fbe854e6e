// The secrets key ring: AES-256-GCM under versioned keys, bound to its purpose by the associated data, and
// rotation that keeps old secrets readable while new ones go under the current key.
import { describe, expect, it } from "vitest";
import { createKeyRing, generateKeyEntry, parseEncryptionKeys } from "./secret-box.ts";

const V1 = generateKeyEntry("v1");
const V2 = generateKeyEntry("v2");
const AAD = "tenant_1:discord.bot_token";

function b64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromB64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

describe("seal and open", () => {
  it("opens what it sealed, and never puts the plaintext in the sealed value", async () => {
    const ring = await createKeyRing(V1);
    const sealed = await ring.seal("bot-token ✓ 1234", AAD);
    expect(sealed.keyVersion).toBe("v1");
    expect(sealed.ciphertext).not.toContain("bot-token");
    expect(await ring.open(sealed, AAD)).toBe("bot-token ✓ 1234");
  });

  it("seals the same plaintext differently each time (fresh IV)", async () => {
    const ring = await createKeyRing(V1);
    const [a, b] = await Promise.all([ring.seal("same", AAD), ring.seal("same", AAD)]);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it("refuses to open a secret moved to another purpose (associated data differs)", async () => {
    const ring = await createKeyRing(V1);
    const sealed = await ring.seal("bot-token", AAD);
    await expect(ring.open(sealed, "tenant_2:discord.bot_token")).rejects.toThrow();
  });

  it("refuses a tampered ciphertext", async () => {
    const ring = await createKeyRing(V1);
    const sealed = await ring.seal("bot-token", AAD);
    const bytes = fromB64(sealed.ciphertext);
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0x01;
    await expect(ring.open({ ...sealed, ciphertext: b64(bytes) }, AAD)).rejects.toThrow();
    // A swapped IV (first 12 bytes) fails the same way.
    const iv = fromB64(sealed.ciphertext);
    iv[0] = (iv[0] ?? 0) ^ 0xff;
    await expect(ring.open({ ...sealed, ciphertext: b64(iv) }, AAD)).rejects.toThrow();
  });

  it("refuses a secret sealed under another key with the same version name", async () => {
    const sealed = await (await createKeyRing(V1)).seal("bot-token", AAD);
    const impostor = await createKeyRing(generateKeyEntry("v1"));
    await expect(impostor.open(sealed, AAD)).rejects.toThrow();
  });
});

describe("rotation", () => {
  it("opens a v1 secret under the ring v2,v1 and reseals it under v2", async () => {
    const sealedV1 = await (await createKeyRing(V1)).seal("bot-token", AAD);
    const rotated = await createKeyRing(`${V2},${V1}`);
    expect(rotated.current).toBe("v2");
    expect(rotated.versions).toEqual(["v2", "v1"]);
    expect(await rotated.open(sealedV1, AAD)).toBe("bot-token");

    const resealed = await rotated.seal(await rotated.open(sealedV1, AAD), AAD);
    expect(resealed.keyVersion).toBe("v2");
    expect(await (await createKeyRing(V2)).open(resealed, AAD)).toBe("bot-token");
  });

  it("names the version when a secret was sealed under a key the ring no longer has", async () => {
    const sealedV2 = await (await createKeyRing(V2)).seal("bot-token", AAD);
    await expect((await createKeyRing(V1)).open(sealedV2, AAD)).rejects.toThrow("secret sealed with unknown key version v2");
  });
});

describe("parseEncryptionKeys", () => {
  it("reads versions in order, the first being current", () => {
    const { keys, problems } = parseEncryptionKeys(` ${V2} , ${V1} `);
    expect(problems).toEqual([]);
    expect([...keys.keys()]).toEqual(["v2", "v1"]);
    expect(keys.get("v1")).toHaveLength(32);
  });

  it("names each bad entry, by position or version, without echoing key material", () => {
    const short = `v3:${b64(new Uint8Array(16))}`;
    const raw = [V1, "garbage", short, V1.replace(/:.*/, `:${b64(new Uint8Array(32).fill(7))}`), "v4:abcde", "v5:"].join(",");
    const { problems } = parseEncryptionKeys(raw);
    expect(problems).toEqual([
      "entry 2 is not <version>:<base64> (version like v1)",
      "key v3 is 16 bytes; AES-256 needs 32",
      "key v1 appears twice",
      "key v4 is not valid base64",
      "entry 6 is not <version>:<base64> (version like v1)",
    ]);
    for (const secret of [V1.slice(3), short.slice(3), "abcde"]) expect(problems.join("\n")).not.toContain(secret);
  });

  it("asks for a key when none is given", () => {
    expect(parseEncryptionKeys(" , ").problems).toEqual(["no keys given; expected v1:<base64 of 32 bytes>"]);
  });

  it("makes createKeyRing fail with every problem named", async () => {
    await expect(createKeyRing(`garbage,v2:${b64(new Uint8Array(8))}`)).rejects.toThrow(
      "ENCRYPTION_KEYS: entry 1 is not <version>:<base64> (version like v1); key v2 is 8 bytes; AES-256 needs 32",
    );
  });
});
