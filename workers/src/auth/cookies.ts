// The session cookie: HttpOnly, SameSite=Lax, Secure everywhere but plain-http localhost.
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

export const SESSION_COOKIE = "nc_session";

function isSecure(c: Context): boolean {
  const url = new URL(c.req.url);
  const local = url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
  return !(local && url.protocol === "http:");
}

export function setSessionCookie(c: Context, token: string, expires: Date): void {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: "Lax", secure: isSecure(c), path: "/", expires });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: isSecure(c) });
}

export function readSessionCookie(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

/** Short-lived cookies for an OAuth round trip (state, PKCE verifier, where to return). */
export function setFlowCookie(c: Context, name: string, value: string): void {
  setCookie(c, name, value, { httpOnly: true, sameSite: "Lax", secure: isSecure(c), path: "/auth", maxAge: 600 });
}

export function takeFlowCookie(c: Context, name: string): string | undefined {
  const value = getCookie(c, name);
  if (value !== undefined) deleteCookie(c, name, { path: "/auth", secure: isSecure(c) });
  return value;
}
