// An invite opened while signed out survives the Discord sign-in round trip in sessionStorage (this tab only),
// so the app can come back to /invite/:token and finish joining.
const KEY = "nebula.pendingInvite";

export function rememberInvite(token: string): void {
  try {
    sessionStorage.setItem(KEY, token);
  } catch {
    // Storage disabled (private mode): the user can reopen the link after signing in.
  }
}

export function pendingInvite(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function forgetInvite(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
}
