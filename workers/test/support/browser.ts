// A minimal browser for redirect flows inside workerd: one hop at a time (redirect: "manual"), a cookie jar that
// honours host, path, Max-Age and Expires, and a client IP of its own (cf-connecting-ip) so each browser gets its
// own rate-limit budget. Requests to the app go to the Worker's default export; anything else (a fake peer) through fetch.
import { exports } from "cloudflare:workers";
import { ORIGIN } from "./seed.ts";

interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  httpOnly: boolean;
  sameSite: string | null;
}

export interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

/** Parses one Set-Cookie header; attribute names are lower-cased. */
export function parseSetCookie(header: string): SetCookie {
  const [pair = "", ...attrs] = header.split(";");
  const eq = pair.indexOf("=");
  const attributes: Record<string, string | true> = {};
  for (const a of attrs) {
    const i = a.indexOf("=");
    if (i === -1) attributes[a.trim().toLowerCase()] = true;
    else attributes[a.slice(0, i).trim().toLowerCase()] = a.slice(i + 1).trim();
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes };
}

export function setCookies(res: Response): SetCookie[] {
  return res.headers.getSetCookie().map(parseSetCookie);
}

let browsers = 0;

export class Browser {
  private readonly jar = new Map<string, StoredCookie>();
  readonly ip: string;

  constructor(ip?: string) {
    browsers += 1;
    this.ip = ip ?? `198.18.${Math.floor(Math.random() * 250)}.${(browsers % 250) + 1}`;
  }

  /** Sets a cookie by hand (`name=value`), as if that site had set it earlier; replaces one of the same name and path. */
  addCookie(url: string, cookie: string, path = "/"): void {
    const { name, value } = parseSetCookie(cookie);
    const host = new URL(url, ORIGIN).host;
    this.jar.set(`${host};${path};${name}`, { name, value, host, path, httpOnly: false, sameSite: null });
  }

  cookie(url: string, name: string): StoredCookie | undefined {
    const u = new URL(url, ORIGIN);
    return [...this.jar.values()].find((c) => c.name === name && c.host === u.host && pathMatches(u.pathname, c.path));
  }

  /** The Cookie header this browser would send to `url`. */
  cookieHeader(url: string): string {
    const u = new URL(url);
    return [...this.jar.values()]
      .filter((c) => c.host === u.host && pathMatches(u.pathname, c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }

  /** One request, no redirect following; stores what the response sets. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const absolute = new URL(url, ORIGIN).toString();
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(absolute);
    if (cookie) headers.set("cookie", cookie);
    const isApp = new URL(absolute).origin === ORIGIN;
    if (isApp) headers.set("cf-connecting-ip", this.ip);
    const request = { ...init, headers, redirect: "manual" as const };
    const res = isApp ? await exports.default.fetch(absolute, request) : await fetch(absolute, request);
    this.store(absolute, res);
    return res;
  }

  /** Follows the Location of a redirect response (resolved against the URL that answered). */
  follow(res: Response, from: string): Promise<Response> {
    const location = res.headers.get("location");
    if (res.status < 300 || res.status >= 400 || !location) throw new Error(`expected a redirect from ${from}, got ${res.status}`);
    return this.fetch(new URL(location, new URL(from, ORIGIN)).toString());
  }

  private store(url: string, res: Response): void {
    const u = new URL(url);
    for (const c of setCookies(res)) {
      const path = typeof c.attributes.path === "string" ? c.attributes.path : defaultPath(u.pathname);
      const key = `${u.host};${path};${c.name}`;
      const maxAge = c.attributes["max-age"];
      const expires = c.attributes.expires;
      const expired =
        (typeof maxAge === "string" && Number(maxAge) <= 0) || (typeof expires === "string" && Date.parse(expires) <= Date.now());
      if (expired) {
        this.jar.delete(key);
        continue;
      }
      this.jar.set(key, {
        name: c.name,
        value: c.value,
        host: u.host,
        path,
        httpOnly: c.attributes.httponly === true,
        sameSite: typeof c.attributes.samesite === "string" ? c.attributes.samesite : null,
      });
    }
  }
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}

function defaultPath(pathname: string): string {
  const i = pathname.lastIndexOf("/");
  return i <= 0 ? "/" : pathname.slice(0, i);
}
