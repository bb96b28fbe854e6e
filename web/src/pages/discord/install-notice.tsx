// Why an "Add to server" did not link the server, from the callback's ?error= code, in words a user can act on.
const REASONS: Record<string, string> = {
  install_state: "The link expired or was already used. Press Add to server again.",
  install_user: "The install was started by another account. Press Add to server again while signed in as yourself.",
  install_denied: "The bot was not added: the request was cancelled on Discord.",
  install_forbidden: "Your role in this tenant no longer allows adding servers.",
  install_bot_missing: "Discord did not add the bot to that server. Try again and keep the bot's permissions.",
  install_not_manager: "The Discord account that approved can't manage that server (it needs Manage Server).",
  install_conflict: "That server is already linked to another tenant.",
  install_failed: "Discord did not finish the install. Try again in a moment.",
};

export function InstallNotice(props: { error: string }) {
  return (
    <div class="notice notice-warning" role="alert" data-testid="discord-install-error" data-code={props.error}>
      {REASONS[props.error] ?? REASONS.install_failed}
    </div>
  );
}
