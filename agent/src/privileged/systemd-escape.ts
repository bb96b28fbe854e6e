// systemd-escape(1) in TypeScript: how an instance argument (a mount point, a PCI address) becomes part of a unit
// name, byte for byte as systemd's unit_name_escape / unit_name_path_escape do it, so `%i`/`%f` give it back.

/** Characters systemd keeps as they are in a unit name; "." only when not leading. Everything else is \xNN. */
const KEPT = /^[A-Za-z0-9:_.]$/;

/** `systemd-escape <text>`: "/" becomes "-", other bytes outside [A-Za-z0-9:_.] (and a leading ".") become \xNN. */
export function systemdEscape(text: string): string {
  let out = "";
  for (const [i, char] of [...text].entries()) {
    if (char === "/") out += "-";
    else if (KEPT.test(char) && !(i === 0 && char === ".")) out += char;
    else for (const byte of Buffer.from(char, "utf8")) out += `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}

/**
 * `systemd-escape --path <path>`: the path simplified (repeated and trailing slashes dropped), its leading "/"
 * removed, then escaped; "/" itself is "-". Like systemd, a relative path or one with "." or ".." is refused.
 */
export function systemdEscapePath(path: string): string {
  if (!path.startsWith("/")) throw new Error(`not an absolute path: ${path.slice(0, 200)}`);
  const parts = path.split("/").filter(Boolean);
  if (parts.some((p) => p === "." || p === "..")) throw new Error(`path is not normalized: ${path.slice(0, 200)}`);
  return parts.length === 0 ? "-" : systemdEscape(parts.join("/"));
}
