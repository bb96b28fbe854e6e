// AES-256-GCM envelope encryption under versioned keys from ENCRYPTION_KEYS ("v2:<b64>,v1:<b64>", first is current).
// The associated data binds a ciphertext to its purpose (tenant + name), so a sealed value moved to another row fails to open.

export interface SealedSecret {
  keyVersion: string;
  /** base64(iv || ciphertext+tag) */
  ciphertext: string;
}

export interface KeyRing {
  current: string;
  versions: string[];
  seal(plaintext: string, aad: string): Promise<SealedSecret>;
  open(sealed: SealedSecret, aad: string): Promise<string>;
}

const KEY_ENTRY = /^(v\d+):([A-Za-z0-9+/]+={0,2})$/;

function b64decode(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function b64encode(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Parses ENCRYPTION_KEYS; returns a list of problems instead of throwing so config validation can name them all. */
export function parseEncryptionKeys(raw: string): { keys: Map<string, Uint8Array<ArrayBuffer>>; problems: string[] } {
  const keys = new Map<string, Uint8Array<ArrayBuffer>>();
  const problems: string[] = [];
  const entries = raw.split(",").map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) problems.push("no keys given; expected v1:<base64 of 32 bytes>");
  for (const entry of entries) {
    const m = KEY_ENTRY.exec(entry);
    if (!m) {
      problems.push(`entry ${keys.size + problems.length + 1} is not <version>:<base64> (version like v1)`);
      continue;
    }
    const [, version, b64] = m as unknown as [string, string, string];
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = b64decode(b64);
    } catch {
      // atob refuses a length that is not base64 (e.g. one character too many): a problem to name, not a crash.
      problems.push(`key ${version} is not valid base64`);
      continue;
    }
    if (bytes.length !== 32) problems.push(`key ${version} is ${bytes.length} bytes; AES-256 needs 32`);
    else if (keys.has(version)) problems.push(`key ${version} appears twice`);
    else keys.set(version, bytes);
  }
  return { keys, problems };
}

export function generateKeyEntry(version: string): string {
  return `${version}:${b64encode(crypto.getRandomValues(new Uint8Array(32)))}`;
}

export async function createKeyRing(raw: string): Promise<KeyRing> {
  const { keys, problems } = parseEncryptionKeys(raw);
  if (problems.length) throw new Error(`ENCRYPTION_KEYS: ${problems.join("; ")}`);
  const imported = new Map<string, CryptoKey>();
  for (const [version, bytes] of keys) {
    imported.set(version, await crypto.subtle.importKey("raw", bytes, "AES-GCM", false, ["encrypt", "decrypt"]));
  }
  const versions = [...keys.keys()];
  const current = versions[0] as string;
  const enc = new TextEncoder();

  return {
    current,
    versions,
    async seal(plaintext, aad) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const key = imported.get(current) as CryptoKey;
      const ct = new Uint8Array(
        await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: enc.encode(aad) }, key, enc.encode(plaintext)),
      );
      const packed = new Uint8Array(iv.length + ct.length);
      packed.set(iv);
      packed.set(ct, iv.length);
      return { keyVersion: current, ciphertext: b64encode(packed) };
    },
    async open(sealed, aad) {
      const key = imported.get(sealed.keyVersion);
      if (!key) throw new Error(`secret sealed with unknown key version ${sealed.keyVersion}`);
      const packed = b64decode(sealed.ciphertext);
      const pt = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: packed.slice(0, 12), additionalData: enc.encode(aad) },
        key,
        packed.slice(12),
      );
      return new TextDecoder().decode(pt);
    },
  };
}
