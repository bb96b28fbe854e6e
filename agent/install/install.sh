#!/usr/bin/env bash
# Nebula Command agent installer: served by the edge at /agent/install.sh with the edge's address baked in.
#   curl -fsSL <edge>/agent/install.sh | sudo bash -s -- --enroll <code>
#   curl -fsSL <edge>/agent/install.sh | sudo bash -s -- --uninstall
# Installs Node's bundled agent to /opt/nebula-agent, its token to /etc/nebula-agent/env (0600) and a hardened
# systemd unit running as the system user nebula-agent.
set -euo pipefail

# Replaced by the edge when it serves this file; NEBULA_EDGE_URL overrides it.
EDGE_URL="${NEBULA_EDGE_URL:-__NEBULA_EDGE_URL__}"
EDGE_URL="${EDGE_URL%/}"

# For tests and image builds: install under another root, and leave users, ownership and systemd alone.
ROOT="${NEBULA_INSTALL_ROOT:-/}"
ROOT="${ROOT%/}"
SKIP_SYSTEM="${NEBULA_INSTALL_SKIP_SYSTEM:-0}"

readonly SERVICE=nebula-agent
readonly SERVICE_USER=nebula-agent
readonly APP_DIR=/opt/nebula-agent
readonly CONFIG_DIR=/etc/nebula-agent
readonly STATE_DIR=/var/lib/nebula-agent
readonly UNIT_PATH=/etc/systemd/system/nebula-agent.service
readonly MIN_NODE_MAJOR=22
# The agent exits 78 (EX_CONFIG) on bad configuration; systemd then stops retrying (RestartPreventExitStatus).

say() { printf '==> %s\n' "$*"; }
fail() {
  printf 'nebula-agent install: %s\n' "$*" >&2
  exit 1
}
warn() { printf 'nebula-agent install: warning: %s\n' "$*" >&2; }

usage() {
  cat <<USAGE
Usage: install.sh --enroll <code>   install the agent and enroll it with a code from the dashboard
       install.sh --uninstall       stop the agent, revoke its credential on the edge, remove its files, unit and user
USAGE
}

system() { [ "$SKIP_SYSTEM" != "1" ]; }

require_root() {
  if system && [ "$(id -u)" -ne 0 ]; then
    fail "run as root, e.g.: curl -fsSL ${EDGE_URL}/agent/install.sh | sudo bash -s -- --enroll <code>"
  fi
}

NODE_BIN=""
require_node() {
  local hint="Install Node.js ${MIN_NODE_MAJOR} system-wide, e.g. on Ubuntu:
  curl -fsSL https://deb.nodesource.com/setup_${MIN_NODE_MAJOR}.x | sudo bash - && sudo apt-get install -y nodejs"
  NODE_BIN="$(command -v node || true)"
  [ -n "$NODE_BIN" ] || fail "Node.js >= ${MIN_NODE_MAJOR} is required but 'node' is not on PATH.
${hint}"
  if ! "$NODE_BIN" -e "process.exit(Number(process.versions.node.split('.')[0]) >= ${MIN_NODE_MAJOR} ? 0 : 1)"; then
    fail "Node.js >= ${MIN_NODE_MAJOR} is required, found $("$NODE_BIN" --version).
${hint}"
  fi
  NODE_BIN="$(readlink -f "$NODE_BIN")"
  # ProtectHome=yes hides /home and /root from the service, so a Node from nvm there would not start.
  case "$NODE_BIN" in
    /home/* | /root/*) system && fail "node resolves to ${NODE_BIN}, inside a home directory the service cannot see.
${hint}" ;;
  esac
  return 0
}

check_edge_url() {
  case "$EDGE_URL" in
    https://* | http://*) ;;
    *) fail "this script has no edge address; download it from your Nebula Command: <edge>/agent/install.sh" ;;
  esac
}

WORK=""
cleanup() { [ -z "$WORK" ] || rm -rf "$WORK"; }

# Extra groups the agent needs only where they exist: docker (the Engine API socket), libvirt (virsh).
supplementary_groups() {
  local found=() group
  for group in docker libvirt; do
    if getent group "$group" >/dev/null 2>&1; then found+=("$group"); fi
  done
  printf '%s' "${found[*]:-}"
}

write_unit() {
  local extra_groups="$1"
  {
    cat <<UNIT
# Nebula Command agent, installed by ${EDGE_URL}/agent/install.sh
[Unit]
Description=Nebula Command agent
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=${SERVICE_USER}
Group=${SERVICE_USER}
UNIT
    if [ -n "$extra_groups" ]; then printf 'SupplementaryGroups=%s\n' "$extra_groups"; fi
    cat <<UNIT
EnvironmentFile=${CONFIG_DIR}/env
Environment=NEBULA_SPOOL_DIR=${STATE_DIR}/spool
# glibc hands freed blocks of 16 KiB and more back at once: V8's start-up parse and compile scratch would otherwise
# stay in the process for good (~3.5 MB at rest; a few more mmap calls while jobs run).
Environment=MALLOC_MMAP_THRESHOLD_=16384 MALLOC_TRIM_THRESHOLD_=65536
# A small young generation and no optimizing compiler: ~20 MB less memory at rest for a few ms more CPU an hour.
ExecStart=${NODE_BIN} --max-semi-space-size=1 --lite-mode ${APP_DIR}/nebula-agent.mjs
WorkingDirectory=${STATE_DIR}
StateDirectory=${SERVICE}
Restart=always
RestartSec=5
RestartPreventExitStatus=78
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
ReadWritePaths=${STATE_DIR}

[Install]
WantedBy=multi-user.target
UNIT
  } >"${ROOT}${UNIT_PATH}.tmp"
  chmod 0644 "${ROOT}${UNIT_PATH}.tmp"
  mv "${ROOT}${UNIT_PATH}.tmp" "${ROOT}${UNIT_PATH}"
}

# Trades the code for the agent's token. Node builds and reads the JSON, so nothing typed by hand is spliced into it.
enroll() {
  local code="$1" status
  status="$(
    NEBULA_CODE="$code" "$NODE_BIN" -e '
      const os = require("node:os");
      process.stdout.write(JSON.stringify({ code: process.env.NEBULA_CODE, hostname: os.hostname(), os: process.platform, arch: process.arch }));
    ' | curl -sS --proto '=https,http' --max-time 30 -X POST -H 'content-type: application/json' --data-binary @- \
      -o "${WORK}/enrolled.json" -w '%{http_code}' "${EDGE_URL}/agent/enroll"
  )" || fail "could not reach ${EDGE_URL}/agent/enroll"
  if [ "$status" != "201" ]; then
    local message
    message="$("$NODE_BIN" -e '
      try { const b = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")); process.stdout.write(String(b.error?.message ?? "")); } catch {}
    ' "${WORK}/enrolled.json")"
    fail "enrollment refused (HTTP ${status}): ${message:-no details}. Create a new code in the dashboard (Agents) and run this again."
  fi
  # The env file, written in the work dir (0700) first; only a well-formed token gets this far.
  # shellcheck disable=SC2016 # JavaScript, with its own ${...}
  "$NODE_BIN" -e '
    const fs = require("node:fs");
    const body = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    if (!/^nca_[A-Za-z0-9_-]{43}$/.test(String(body.token)) || !/^https?:\/\/[A-Za-z0-9.:\[\]-]+$/.test(String(body.edgeUrl))) {
      console.error("unexpected answer from the edge"); process.exit(1);
    }
    fs.writeFileSync(process.argv[2], `# Nebula Command agent ${body.agentId}: written by install.sh. Holds the agent token: keep it 0600.\nNEBULA_EDGE_URL=${body.edgeUrl}\nNEBULA_AGENT_TOKEN=${body.token}\n`, { mode: 0o600 });
    console.log(body.agentId);
  ' "${WORK}/enrolled.json" "${WORK}/env" >"${WORK}/agent-id" || fail "the edge's answer to the enrollment was not understood"
}

install_agent() {
  local code="$1"
  [ -n "$code" ] || fail "--enroll needs a code (create one in the dashboard under Agents)"
  require_root
  check_edge_url
  require_node
  command -v curl >/dev/null || fail "curl is required"

  WORK="$(mktemp -d)"
  trap cleanup EXIT

  # Download and check the agent before spending the single-use code: a failure here leaves everything untouched.
  say "Downloading the agent from ${EDGE_URL}"
  curl -fsS --proto '=https,http' --max-time 120 -o "${WORK}/nebula-agent.mjs" "${EDGE_URL}/agent/nebula-agent.mjs" ||
    fail "could not download ${EDGE_URL}/agent/nebula-agent.mjs"
  "$NODE_BIN" --check "${WORK}/nebula-agent.mjs" 2>/dev/null || fail "the downloaded agent is not valid JavaScript (is the edge's web build current?)"

  say "Enrolling this host"
  enroll "$code"

  if system && ! getent passwd "$SERVICE_USER" >/dev/null; then
    say "Creating system user ${SERVICE_USER}"
    useradd --system --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin --user-group "$SERVICE_USER"
  fi

  say "Installing to ${APP_DIR}"
  install -d -m 0755 "${ROOT}${APP_DIR}" "${ROOT}/etc/systemd/system"
  install -d -m 0750 "${ROOT}${CONFIG_DIR}"
  install -d -m 0750 "${ROOT}${STATE_DIR}"
  install -m 0644 "${WORK}/nebula-agent.mjs" "${ROOT}${APP_DIR}/nebula-agent.mjs"
  install -m 0600 "${WORK}/env" "${ROOT}${CONFIG_DIR}/env"
  if system; then
    chown root:"$SERVICE_USER" "${ROOT}${CONFIG_DIR}" "${ROOT}${CONFIG_DIR}/env"
    chown "$SERVICE_USER":"$SERVICE_USER" "${ROOT}${STATE_DIR}"
  fi
  write_unit "$(supplementary_groups)"

  local agent_id
  agent_id="$(cat "${WORK}/agent-id")"
  if system; then
    say "Starting ${SERVICE}"
    systemctl daemon-reload
    systemctl enable --now "$SERVICE"
    systemctl --no-pager --lines=5 status "$SERVICE" || true
  fi
  say "Installed agent ${agent_id}. Logs: journalctl -u ${SERVICE} -f"
}

# Gives the agent's token back to the edge (POST /agent/revoke, authenticated by the token itself), so an uninstalled
# host leaves no usable credential behind. Best effort: an unreachable edge never stops the uninstall. Returns 1 when
# the credential may still be valid. The token reaches curl on stdin (-K -), never in its arguments, where ps shows them.
revoke_credential() {
  local env_file="${ROOT}${CONFIG_DIR}/env" token edge status
  # The same address shape renderInstallScript accepts (IPv6 literals in brackets included).
  local token_re='^nca_[A-Za-z0-9_-]{43}$' edge_re='^https?://[][A-Za-z0-9.:-]+$'
  if [ ! -f "$env_file" ]; then
    say "No agent credential on this host (${CONFIG_DIR}/env); nothing to revoke"
    return 0
  fi
  token="$(sed -n 's/^NEBULA_AGENT_TOKEN=//p' "$env_file" | tail -n 1)"
  edge="$(sed -n 's/^NEBULA_EDGE_URL=//p' "$env_file" | tail -n 1)"
  edge="${edge:-$EDGE_URL}"
  edge="${edge%/}"
  if ! [[ "$token" =~ $token_re ]] || ! [[ "$edge" =~ $edge_re ]]; then
    warn "${CONFIG_DIR}/env holds no well-formed token and edge address; the credential was not revoked."
    return 1
  fi
  command -v curl >/dev/null || {
    warn "curl is not installed; the credential was not revoked."
    return 1
  }
  say "Revoking this agent's credential on ${edge}"
  status="$(printf 'header = "Authorization: Bearer %s"\n' "$token" |
    curl -sS --proto '=https,http' --max-time 15 -X POST -o /dev/null -w '%{http_code}' -K - "${edge}/agent/revoke" 2>/dev/null)" || true
  case "$status" in
    204) say "Revoked: the edge closed this agent's connection and will refuse its token" ;;
    # Unknown or already revoked: either way this token opens nothing any more.
    401) say "The edge no longer accepts this credential (already revoked or removed)" ;;
    000 | "") warn "could not reach ${edge} to revoke the credential."; return 1 ;;
    *) warn "the edge answered HTTP ${status} to the revocation."; return 1 ;;
  esac
}

uninstall_agent() {
  require_root
  if system; then
    say "Stopping ${SERVICE}"
    systemctl disable --now "$SERVICE" 2>/dev/null || true
  fi
  local revoked=1
  revoke_credential || revoked=0
  rm -f "${ROOT}${UNIT_PATH}"
  if system; then systemctl daemon-reload || true; fi
  # The env file holds the token: it goes with everything else.
  rm -rf "${ROOT}${APP_DIR}" "${ROOT}${CONFIG_DIR}" "${ROOT}${STATE_DIR}"
  if system && getent passwd "$SERVICE_USER" >/dev/null; then
    say "Removing user ${SERVICE_USER}"
    userdel "$SERVICE_USER" || true
  fi
  if [ "$revoked" = 1 ]; then
    say "Removed."
  else
    warn "files removed, but the agent's credential may still be valid: remove this host in the dashboard (Agents) so its token can never be used again."
  fi
}

main() {
  local action="" code=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --enroll)
        [ $# -ge 2 ] || fail "--enroll needs a code"
        action=install
        code="$2"
        shift 2
        ;;
      --enroll=*)
        action=install
        code="${1#--enroll=}"
        shift
        ;;
      --uninstall)
        action=uninstall
        shift
        ;;
      -h | --help)
        usage
        exit 0
        ;;
      *)
        usage >&2
        fail "unknown argument: $1"
        ;;
    esac
  done
  case "$action" in
    install) install_agent "$code" ;;
    uninstall) uninstall_agent ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
