// Enrollment codes: 100 random bits as 20 Crockford base32 characters in groups of four, short enough to type
// from a phone screen into a server console. Reading forgives case, dashes, spaces and the look-alikes I/L/O.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LENGTH = 20;
const NORMALIZED = new RegExp(`^[${ALPHABET}]{${LENGTH}}$`);

/** 5 bits per character from one byte each: 256 is a multiple of 32, so every character is uniform. */
export function newEnrollmentCode(): string {
  const chars = [...crypto.getRandomValues(new Uint8Array(LENGTH))].map((b) => ALPHABET[b & 31]).join("");
  return chars.match(/.{4}/g)?.join("-") ?? chars;
}

/** The canonical form that is hashed, or null when the input cannot be a code at all. */
export function normalizeEnrollmentCode(input: string): string | null {
  const canonical = input.toUpperCase().replace(/[\s-]/g, "").replace(/[IL]/g, "1").replace(/O/g, "0");
  return NORMALIZED.test(canonical) ? canonical : null;
}
