// Compact state in a component's custom_id: `prefix:arg:arg`. Discord caps custom_id at 100 characters and gives it
// back verbatim on every click, so small state (a ticket id, a page number) rides in it instead of a lookup.
import { discordWire } from "@nebula/schema";

/** A prefix names one component or modal handler: short, lowercase, no separator. */
export const CUSTOM_ID_PREFIX = /^[a-z0-9][a-z0-9_.-]{0,31}$/;
const SEPARATOR = ":";

export class CustomIdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CustomIdError";
  }
}

// ":" and "%" inside an argument are percent-escaped, so any string round-trips.
const escapeArg = (arg: string) => arg.replace(/%/g, "%25").replace(/:/g, "%3A");
const unescapeArg = (arg: string) => arg.replace(/%3A/gi, ":").replace(/%25/g, "%");

/** Throws (at encode time, where the bug is) when the prefix is malformed or the result exceeds 100 characters. */
export function encodeCustomId(prefix: string, ...args: (string | number | boolean)[]): string {
  if (!CUSTOM_ID_PREFIX.test(prefix)) throw new CustomIdError(`custom_id prefix "${prefix}" must match ${CUSTOM_ID_PREFIX}`);
  const id = [prefix, ...args.map((a) => escapeArg(String(a)))].join(SEPARATOR);
  if (id.length > discordWire.CUSTOM_ID_MAX) {
    throw new CustomIdError(`custom_id "${id.slice(0, 40)}…" is ${id.length} characters; Discord allows ${discordWire.CUSTOM_ID_MAX}`);
  }
  return id;
}

export function decodeCustomId(customId: string): { prefix: string; args: string[] } {
  const [prefix = "", ...rest] = customId.split(SEPARATOR);
  return { prefix, args: rest.map(unescapeArg) };
}
