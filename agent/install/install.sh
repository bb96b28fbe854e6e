#!/usr/bin/env bash
# Nebula Command agent installer: served by the edge at /agent/install.sh with the edge's address baked in.
#   curl -fsSL <edge>/agent/install.sh | sudo bash -s -- --enroll <code>
#   curl -fsSL <edge>/agent/install.sh | sudo bash -s -- --uninstall
# Installs Node's bundled agent to /opt/nebula-agent, its token to /etc/nebula-agent/env (0600) and a hardened
# systemd unit running as the system user nebula-agent. Its few root actions (NAS remount, GPU reset and release) are
# template units run by systemd, which a polkit rule lets nebula-agent start and nothing more; reboot goes through the
# same rule. Editing /etc/nebula-agent/env restarts the agent with its new settings (nebula-agent-paths.path).
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
readonly UNIT_DIR=/etc/systemd/system
readonly DROPIN_DIR=/etc/systemd/system/nebula-agent.service.d
readonly HELPER="${APP_DIR}/nebula-agent-privileged"
readonly POLKIT_RULE=/etc/polkit-1/rules.d/50-nebula-agent.rules
# name:what it does:its argument (%f: the unescaped mount point, %i: the PCI address as it is)
readonly ROOT_UNITS=("remount:remount the network share at %f:%f" "gpu-reset:PCI remove + rescan of the GPU %i:%i" "gpu-release:end the processes holding the GPU %i:%i")
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
  # Snap's node (/snap/bin/node) is a link to /usr/bin/snap, a setuid launcher: it cannot start under the unit's
  # NoNewPrivileges=yes, and the unit needs the real binary in ExecStart anyway. Checked before anything runs it.
  local resolved
  resolved="$(readlink -f "$NODE_BIN")"
  case "${NODE_BIN}:${resolved}" in
    /snap/* | *:/snap/* | *:*/snap) fail "node is the snap package (${NODE_BIN} -> ${resolved}); the agent's hardened service (NoNewPrivileges=yes) cannot run snap's launcher.
Remove it (sudo snap remove node) and install Node.js ${MIN_NODE_MAJOR} from NodeSource or your distribution's apt, e.g. on Ubuntu:
  curl -fsSL https://deb.nodesource.com/setup_${MIN_NODE_MAJOR}.x | sudo bash - && sudo apt-get install -y nodejs" ;;
  esac
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
# Root-only steps go through the nebula-agent-*@ units below; the env file may say direct (then they fail unprivileged).
Environment=NEBULA_PRIVILEGED=systemd
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
# A stop during a gaming-mode switch waits for its rollback (up to 5 min: JOB_ROLLBACK_GRACE_MS), not systemd's 90 s.
TimeoutStopSec=330
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

# Writes a file under ROOT atomically with the given mode, from stdin.
put() {
  local mode="$1" file="${ROOT}$2"
  # An existing directory keeps its owner and mode (polkit's rules.d is 0700 polkitd on some systems).
  [ -d "${file%/*}" ] || install -d -m 0755 "${file%/*}"
  cat >"${file}.tmp"
  chmod "$mode" "${file}.tmp"
  mv "${file}.tmp" "$file"
}

# The root helper: every argument is checked against /etc/nebula-agent/env before anything runs as root.
write_helper() {
  put 0755 "$HELPER" <<'HELPER'
#!/usr/bin/env bash
# Nebula Command agent: the only work the unprivileged agent may have done as root. systemd runs it from fixed template
# units (nebula-agent-<action>@<instance>.service) that polkit lets the nebula-agent user start, and no other verb:
#   remount <mount point>       umount -l + mount of a network share in /etc/fstab (or a restart of its .mount unit)
#   gpu-reset <pci address>     PCI remove (while the device is there) + bus rescan
#   gpu-release <pci address>   SIGTERM, a grace period, then SIGKILL for every process holding the card
#   paths                       the drop-in that lets the agent write its NEBULA_REPOS and read its NEBULA_STACKS
# Each argument must match what the owner configured in /etc/nebula-agent/env (root's file; the agent cannot write it),
# so a compromised agent can remount, reset or release only those, never `umount -l /` or remove the boot disk.
set -euo pipefail

# For tests only: a unit started by PID 1 inherits none of the agent's environment, so the agent cannot set these.
ROOT="${NEBULA_INSTALL_ROOT:-}"
ROOT="${ROOT%/}"
ENV_FILE="${ROOT}/etc/nebula-agent/env"
DROPIN="${ROOT}/etc/systemd/system/nebula-agent.service.d/50-paths.conf"
SYSFS="${SYSFS_ROOT:-/sys}"
PROC="${PROC_ROOT:-/proc}"
readonly PCI_RE='^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$'
readonly NETWORK_FS_RE='^(cifs|smb3|nfs|nfs4|fuse\.sshfs|davfs|glusterfs|ceph)$'
# No spaces, quotes, "%" (a unit specifier) or ":" (BindPaths' separator) in a path spliced into a unit file.
readonly UNIT_PATH_RE='^/[A-Za-z0-9._@+/-]+$'

say() { printf 'nebula-agent-privileged: %s\n' "$*"; }
refuse() {
  printf 'nebula-agent-privileged: refused: %s\n' "$*" >&2
  exit 2
}

# The last NAME=value line of the env file, surrounding quotes removed (systemd's EnvironmentFile reads it the same).
env_value() {
  local value
  value="$(sed -n "s/^[[:space:]]*$1=//p" "$ENV_FILE" 2>/dev/null | tail -n 1)"
  value="${value%\"}"
  value="${value#\"}"
  printf '%s' "$value"
}

# The directories of a name=/dir,name=/dir list, one a line, trailing slashes dropped.
listed_dirs() {
  local entry dir
  local -a entries
  IFS=',' read -ra entries <<<"$(env_value "$1")"
  for entry in "${entries[@]}"; do
    [[ "$entry" == *=* ]] || continue
    dir="${entry#*=}"
    dir="${dir#"${dir%%[![:space:]]*}"}"
    dir="${dir%"${dir##*[![:space:]]}"}"
    while [[ "$dir" == ?*/ ]]; do dir="${dir%/}"; done
    [ -n "$dir" ] && printf '%s\n' "$dir"
  done
  return 0
}

checked_gpu() {
  local address="$1" configured
  [[ "$address" =~ $PCI_RE ]] || refuse "not a PCI address: ${address:0:40}"
  configured="$(env_value GPU_PCI_ADDRESS | tr 'A-F' 'a-f')"
  [ "$address" = "$configured" ] || refuse "${address} is not the configured GPU (GPU_PCI_ADDRESS in ${ENV_FILE})"
}

gpu_reset() {
  local address="$1" dev
  checked_gpu "$address"
  dev="${SYSFS}/bus/pci/devices/${address}"
  # After a remove that no rescan undid, the device is gone: the rescan alone is the retry.
  if [ -e "${dev}/remove" ]; then
    echo 1 >"${dev}/remove"
    say "removed ${address}"
  fi
  echo 1 >"${SYSFS}/bus/pci/rescan"
  say "rescanned the PCI bus"
}

# Everything holding /dev/nvidia* or the card's /dev/vfio/<group>. The agent starts this only while libvirt reports
# the gaming VM as not running, so every holder is stale, that VM's own leftover QEMU included: it is what blocks
# the passthrough, and sparing it would defeat the step.
gpu_release() {
  local address="$1" group="" fd pid grace waited=0
  local -a pids=() alive=()
  checked_gpu "$address"
  if [ -L "${SYSFS}/bus/pci/devices/${address}/iommu_group" ]; then
    group="/dev/vfio/$(basename "$(readlink "${SYSFS}/bus/pci/devices/${address}/iommu_group")")"
  fi
  while IFS= read -r fd; do
    pid="${fd#"${PROC}"/}"
    pid="${pid%%/*}"
    [ "$pid" = "$$" ] || pids+=("$pid")
  done < <(find "$PROC"/[0-9]*/fd -maxdepth 1 \( -lname '/dev/nvidia*' -o -lname "${group:-/nonexistent}" \) -print 2>/dev/null | sort -u)
  mapfile -t pids < <(printf '%s\n' "${pids[@]}" | sed '/^$/d' | sort -un)
  if [ "${#pids[@]}" -eq 0 ]; then
    say "no process holds ${address}"
    return 0
  fi
  for pid in "${pids[@]}"; do
    say "ending ${pid} ($(cat "${PROC}/${pid}/comm" 2>/dev/null || echo '?')) with SIGTERM"
    kill -TERM "$pid" 2>/dev/null || true
  done
  grace="$(env_value GAMING_KILL_GRACE_S)"
  [[ "$grace" =~ ^[0-9]{1,2}$ ]] || grace=5
  alive=("${pids[@]}")
  while [ "${#alive[@]}" -gt 0 ] && [ "$waited" -lt $((grace * 10)) ]; do
    sleep 0.1
    waited=$((waited + 1))
    local -a still=()
    for pid in "${alive[@]}"; do [ ! -d "${PROC}/${pid}" ] || still+=("$pid"); done
    alive=("${still[@]}")
  done
  for pid in "${alive[@]}"; do
    say "ending ${pid} with SIGKILL: still there after ${grace} s"
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# The mount point's fstype in /etc/fstab (octal escapes such as \040 decoded), or nothing.
fstab_type() {
  awk -v point="$1" '$1 !~ /^#/ && NF >= 3 { t = $2; gsub(/\\040/, " ", t); if (length(t) > 1) sub(/\/+$/, "", t); if (t == point) f = $3 } END { print f }' "${ROOT}/etc/fstab" 2>/dev/null || true
}

# Reads /proc/self/mountinfo, never the mount point itself: a stat of a dead share hangs.
is_mounted() {
  awk -v point="$1" '{ t = $5; gsub(/\\040/, " ", t); if (t == point) found = 1 } END { exit !found }' "${PROC}/self/mountinfo"
}

remount() {
  local point="$1" fstype unit
  [[ "$point" == /* && "/${point}/" != */../* ]] || refuse "not an absolute mount point: ${point:0:200}"
  # Not `listed_dirs | grep -q`: under pipefail, grep -q leaving at the first match can SIGPIPE the writer and fail.
  local mounts
  mounts="$(listed_dirs NEBULA_MOUNTS)"
  grep -qxF -- "$point" <<<"$mounts" || refuse "${point} is not in NEBULA_MOUNTS (${ENV_FILE})"
  fstype="$(fstab_type "$point")"
  if [ -n "$fstype" ]; then
    [[ "$fstype" =~ $NETWORK_FS_RE ]] || refuse "${point} is ${fstype} in /etc/fstab, not a network share"
    # Lazy: detaches a hung share at once; a plain umount of a dead NAS blocks until it times out.
    if is_mounted "$point"; then umount -l "$point"; fi
    mount "$point"
    say "remounted ${point} (${fstype}, /etc/fstab)"
    return 0
  fi
  unit="$(systemd-escape --path --suffix=mount "$point")"
  fstype="$(systemctl show -P Type "$unit" 2>/dev/null || true)"
  [[ "$fstype" =~ $NETWORK_FS_RE ]] || refuse "${point} is neither a network share in /etc/fstab nor a network .mount unit"
  systemctl restart "$unit"
  say "restarted ${unit}"
}

# What the agent's sandbox (ProtectSystem=strict, ProtectHome=yes) must let through: its repositories writable
# (git pull), its stack directories readable. Paths under /home, /root or /run/user are bound into an otherwise empty
# ProtectHome=tmpfs; elsewhere ReadWritePaths= suffices. "-": a checkout that does not exist yet is no start failure.
paths() {
  local variable dir had_home=0
  local -a lines=()
  for variable in NEBULA_REPOS NEBULA_STACKS; do
    while IFS= read -r dir; do
      if ! [[ "$dir" =~ $UNIT_PATH_RE && "/${dir}/" != */../* ]]; then
        printf 'nebula-agent-privileged: skipped %s path %q: only letters, digits and ._@+-/ can go into a unit file\n' "$variable" "$dir" >&2
        continue
      fi
      case "${variable}:${dir}" in
        NEBULA_REPOS:/home/* | NEBULA_REPOS:/root/* | NEBULA_REPOS:/run/user/*) lines+=("BindPaths=-${dir}") had_home=1 ;;
        NEBULA_STACKS:/home/* | NEBULA_STACKS:/root/* | NEBULA_STACKS:/run/user/*) lines+=("BindReadOnlyPaths=-${dir}") had_home=1 ;;
        NEBULA_REPOS:*) lines+=("ReadWritePaths=-${dir}") ;;
        *) ;; # a stack directory outside the home trees is readable under ProtectSystem=strict already
      esac
    done < <(listed_dirs "$variable")
  done
  mkdir -p "${DROPIN%/*}"
  {
    printf '# Written by nebula-agent-privileged paths from NEBULA_REPOS and NEBULA_STACKS in /etc/nebula-agent/env.\n'
    printf '[Service]\n'
    if [ "$had_home" = 1 ]; then printf 'ProtectHome=tmpfs\n'; fi
    if [ "${#lines[@]}" -gt 0 ]; then printf '%s\n' "${lines[@]}"; fi
  } >"${DROPIN}.tmp"
  chmod 0644 "${DROPIN}.tmp"
  mv "${DROPIN}.tmp" "$DROPIN"
  say "wrote ${DROPIN#"${ROOT}"} (${#lines[@]} path(s))"
}

main() {
  [ $# -ge 1 ] || refuse "usage: nebula-agent-privileged remount|gpu-reset|gpu-release <instance> | paths [--apply]"
  case "$1" in
    remount) [ $# -eq 2 ] || refuse "remount takes one mount point"; remount "$2" ;;
    gpu-reset) [ $# -eq 2 ] || refuse "gpu-reset takes one PCI address"; gpu_reset "$2" ;;
    gpu-release) [ $# -eq 2 ] || refuse "gpu-release takes one PCI address"; gpu_release "$2" ;;
    paths)
      paths
      # From nebula-agent-paths.service (the env file changed): load the drop-in and restart the agent on its new settings.
      if [ "${2:-}" = "--apply" ]; then
        systemctl daemon-reload
        systemctl try-restart nebula-agent.service
      fi
      ;;
    *) refuse "unknown action: ${1:0:40}" ;;
  esac
}

main "$@"
HELPER
}

write_root_units() {
  local spec name what arg
  for spec in "${ROOT_UNITS[@]}"; do
    IFS=: read -r name what arg <<<"$spec"
    put 0644 "${UNIT_DIR}/${SERVICE}-${name}@.service" <<UNIT
# Nebula Command agent: a root action the agent starts (polkit: ${POLKIT_RULE}). Installed by install.sh.
[Unit]
Description=Nebula Command agent: ${what}

[Service]
Type=oneshot
ExecStart=${HELPER} ${name} ${arg}
TimeoutStartSec=120
CollectMode=inactive-or-failed
UNIT
  done
  # The env file is root's: when the owner edits it, refresh the sandbox paths and restart the agent on it.
  put 0644 "${UNIT_DIR}/${SERVICE}-paths.path" <<UNIT
# Nebula Command agent: watches ${CONFIG_DIR}/env. Installed by install.sh.
[Unit]
Description=Nebula Command agent: settings changed

[Path]
PathChanged=${CONFIG_DIR}/env

[Install]
WantedBy=multi-user.target
UNIT
  put 0644 "${UNIT_DIR}/${SERVICE}-paths.service" <<UNIT
# Nebula Command agent: rewrites ${DROPIN_DIR}/50-paths.conf from ${CONFIG_DIR}/env and restarts the agent.
[Unit]
Description=Nebula Command agent: apply changed settings

[Service]
Type=oneshot
ExecStart=${HELPER} paths --apply
UNIT
}

# polkit: nebula-agent may start exactly these template units (verb "start", nothing else) and reboot the host.
# Everything else falls through to polkit's other rules and defaults (NOT_HANDLED).
write_polkit_rule() {
  put 0644 "$POLKIT_RULE" <<'RULES'
// Nebula Command agent (install.sh): what the unprivileged nebula-agent user may ask systemd and logind for.
polkit.addRule(function (action, subject) {
  if (subject.user !== "nebula-agent") return polkit.Result.NOT_HANDLED;
  if (action.id === "org.freedesktop.systemd1.manage-units") {
    var unit = String(action.lookup("unit") || "");
    var allowed =
      /^nebula-agent-remount@[A-Za-z0-9:_.\\-]{1,200}\.service$/.test(unit) ||
      /^nebula-agent-gpu-(reset|release)@[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]\.service$/.test(unit);
    if (action.lookup("verb") === "start" && allowed) return polkit.Result.YES;
    return polkit.Result.NOT_HANDLED;
  }
  if (action.id === "org.freedesktop.login1.reboot" || action.id === "org.freedesktop.login1.reboot-multiple-sessions") {
    return polkit.Result.YES;
  }
  return polkit.Result.NOT_HANDLED;
});
RULES
  # polkit before 0.106 (Ubuntu 22.04's policykit-1 0.105) reads no JavaScript rules at all.
  if system && command -v pkaction >/dev/null && pkaction --version 2>/dev/null | grep -E 'version 0\.(10[0-5]|[0-9]{1,2})$' >/dev/null; then
    warn "polkit $(pkaction --version | awk '{print $NF}') ignores ${POLKIT_RULE}: NAS remount, GPU recovery and reboot will be refused until polkit >= 0.106 is installed."
  fi
}

write_privileged() {
  write_helper
  write_root_units
  write_polkit_rule
  NEBULA_INSTALL_ROOT="$ROOT" "${ROOT}${HELPER}" paths >/dev/null
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
  write_privileged

  local agent_id
  agent_id="$(cat "${WORK}/agent-id")"
  if system; then
    say "Starting ${SERVICE}"
    systemctl daemon-reload
    systemctl enable --now "$SERVICE" "${SERVICE}-paths.path"
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
    systemctl disable --now "$SERVICE" "${SERVICE}-paths.path" 2>/dev/null || true
  fi
  local revoked=1
  revoke_credential || revoked=0
  rm -f "${ROOT}${UNIT_PATH}" "${ROOT}${UNIT_DIR}/${SERVICE}-paths.path" "${ROOT}${UNIT_DIR}/${SERVICE}-paths.service" "${ROOT}${POLKIT_RULE}"
  local spec
  for spec in "${ROOT_UNITS[@]}"; do rm -f "${ROOT}${UNIT_DIR}/${SERVICE}-${spec%%:*}@.service"; done
  rm -rf "${ROOT}${DROPIN_DIR}"
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
