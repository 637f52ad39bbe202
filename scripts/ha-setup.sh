#!/usr/bin/env bash
# Builds the cached Home Assistant installs that test/e2e runs (DESIGN.md "Testing").
#
#   scripts/ha-setup.sh all|2024.3.3|2026.11.0|chromium
#
# Cache: ${XDG_CACHE_HOME:-$HOME/.cache}/energy-insights
#   ha-2024.3.3/venv                        HA on the machine's python3.11
#   sid-chroot/                             Debian sid (python3.14) made by debootstrap
#   sid-chroot/opt/ha-2026.11.0/venv        HA inside that chroot
# A directory counts as built only when its `.ready` stamp (written last) holds the expected recipe;
# anything else is wiped and rebuilt. Keep paths in sync with dev/harness/ha.ts.
set -euo pipefail
shopt -s inherit_errexit

readonly CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/energy-insights"
readonly SID_ROOT="$CACHE_ROOT/sid-chroot"
readonly SID_MIRROR="http://deb.debian.org/debian"
readonly SID_PACKAGES="python3.14,python3.14-venv,python3.14-dev,gcc,g++,libc6-dev,ca-certificates"
readonly CHROOT_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
readonly WARMUP_TIMEOUT_S=1800
readonly SELF="$(readlink -f "${BASH_SOURCE[0]}")"
START_S=$SECONDS
trap 'exit 130' INT
trap 'exit 143' TERM

log() { printf '[ha-setup +%ss] %s\n' "$((SECONDS - START_S))" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# Runs a long step so that it ends with this script: bash runs the INT/TERM traps only between
# foreground commands, but at once during `wait`; PDEATHSIG then stops the step.
run() {
  setpriv --pdeathsig KILL -- "$@" &
  wait $!
}

usage() {
  echo "usage: $0 all|2024.3.3|2026.11.0|chromium" >&2
  exit 2
}

# --- stamps ------------------------------------------------------------------------------------

is_ready() { [[ -f "$1/.ready" && "$(cat "$1/.ready")" == "$2" ]]; }

mark_ready() { printf '%s' "$2" >"$1/.ready.tmp" && mv "$1/.ready.tmp" "$1/.ready"; }

# Removes an unfinished build. Refuses when something is mounted below it: rm -rf would follow
# a bind mount into the host's /dev or /proc.
wipe() {
  local dir=$1
  if awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    die "$dir has mounts below it; unmount them first (see /proc/self/mountinfo)"
  fi
  rm -rf "$dir"
}

# --- apt ---------------------------------------------------------------------------------------

APT_UPDATED=0
apt_install() {
  if [[ $APT_UPDATED == 0 ]]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

# curl talks to HA during the first start; setpriv, unshare and flock come with util-linux.
check_tools() {
  command -v curl >/dev/null || apt_install curl
  local tool
  for tool in setpriv unshare flock chroot; do
    command -v "$tool" >/dev/null || die "$tool not found (util-linux/coreutils)"
  done
}

setup_chromium() {
  if [[ -x /usr/bin/chromium ]]; then
    log "chromium: present ($(/usr/bin/chromium --version 2>/dev/null || echo unknown version))"
    return
  fi
  apt_install chromium
  [[ -x /usr/bin/chromium ]] || die "chromium: /usr/bin/chromium still missing after apt-get install"
  log "chromium: installed"
}

# --- the first start of Home Assistant ---------------------------------------------------------

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The harness's own configuration.yaml, so the first start installs every requirement that the
# tests' --skip-pip starts will import.
write_warmup_config() {
  sed -e 's/@NAME@/Warm-up/' -e "s/@PORT@/$2/" "$(dirname "$SELF")/../dev/harness/configuration.yaml" >"$1/configuration.yaml"
}

# Starts HA once without --skip-pip, so that it installs home-assistant-frontend and the
# integrations' requirements into the venv, onboards it like the harness does, then stops it.
# Fails if any setup failed, so that a venv missing a requirement is never stamped. If this script
# dies first, PDEATHSIG kills HA.
#   warm_up <label> <host config dir> <command...>
warm_up() {
  local label=$1 config=$2
  shift 2
  local port log_file pid token
  port=$(free_port)
  log_file="$config/warmup.log"
  write_warmup_config "$config" "$port"
  log "$label: first start on port $port (installs frontend and requirements; log: $log_file)"
  setpriv --pdeathsig KILL -- "$@" >"$log_file" 2>&1 &
  pid=$!
  wait_for "$label" "$pid" "$log_file" curl -fsS -o /dev/null "http://127.0.0.1:$port/api/onboarding"
  log "$label: HTTP up; onboarding"
  token=$(onboard "http://127.0.0.1:$port")
  wait_for "$label" "$pid" "$log_file" is_running "http://127.0.0.1:$port" "$token"
  log "$label: running; stopping"
  stop_warmup "$label" "$pid" "$log_file"
  if grep -E "Setup failed for|Unable to install package|Requirements for .* not found" "$log_file" >&2; then
    die "$label: some setups failed during the first start (see $log_file)"
  fi
}

#   wait_for <label> <pid> <log file> <probe command...>
wait_for() {
  local label=$1 pid=$2 log_file=$3 deadline=$((SECONDS + WARMUP_TIMEOUT_S))
  shift 3
  until "$@" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { tail -n 40 "$log_file" >&2; die "$label: HA exited during its first start"; }
    ((SECONDS < deadline)) || { tail -n 40 "$log_file" >&2; die "$label: HA not ready after ${WARMUP_TIMEOUT_S}s"; }
    sleep 2
  done
}

# ha-api.md §5.2, as the harness does it; prints the access token. The core_config step sets up
# integrations of its own (met, radio_browser, ...), whose requirements get installed here.
onboard() {
  local url=$1 client="$1/" code token
  code=$(post_json "$url/api/onboarding/users" "" \
    "{\"client_id\":\"$client\",\"name\":\"Warm-up\",\"username\":\"warmup\",\"password\":\"warm-up-password\",\"language\":\"en\"}" |
    json_field auth_code)
  token=$(curl -sS --fail-with-body --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
    --data-urlencode "client_id=$client" "$url/auth/token" | json_field access_token)
  post_json "$url/api/onboarding/core_config" "$token" '{}' >/dev/null
  post_json "$url/api/onboarding/analytics" "$token" '{}' >/dev/null
  post_json "$url/api/onboarding/integration" "$token" "{\"client_id\":\"$client\",\"redirect_uri\":\"$client\"}" >/dev/null
  echo "$token"
}

# Startup finished (HA 2026 logs only warnings by default, so the log cannot tell).
is_running() {
  [[ "$(curl -fsS -H "Authorization: Bearer $2" "$1/api/config" | json_field state)" == RUNNING ]]
}

#   post_json <url> <bearer token or ""> <body>
post_json() {
  local -a auth=()
  [[ -z "$2" ]] || auth=(-H "Authorization: Bearer $2")
  curl -sS --fail-with-body -X POST -H "Content-Type: application/json" "${auth[@]}" -d "$3" "$1"
}

json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

stop_warmup() {
  local label=$1 pid=$2 log_file=$3 waited=0
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= 120)); then
      kill -KILL "$pid" 2>/dev/null || true
      die "$label: HA did not stop within 120s of SIGTERM (see $log_file)"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  wait "$pid" 2>/dev/null || true
  log "$label: stopped after ${waited}s"
}

# --- HA 2024.3.3 on the host's python3.11 ------------------------------------------------------

# Caches built before numpy was added get it here (an added package, so no rebuild is needed).
ensure_numpy_2024() {
  "$1/venv/bin/python" -c 'import numpy' 2>/dev/null && return
  log "2024.3.3: adding numpy==1.26.0 to $1/venv"
  run "$1/venv/bin/pip" install -q "numpy==1.26.0"
}

setup_2024() {
  local version=2024.3.3
  local dir="$CACHE_ROOT/ha-$version"
  if is_ready "$dir" "$version"; then
    ensure_numpy_2024 "$dir"
    log "$version: ready in $dir"
    return
  fi
  local python
  python=$(command -v python3.11 || command -v python3) || die "$version: python3.11 not found"
  "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' ||
    die "$version: needs Python 3.11, $python is $("$python" --version)"
  log "$version: building in $dir with $("$python" --version)"
  wipe "$dir"
  mkdir -p "$dir"
  run "$python" -m venv "$dir/venv"
  log "$version: pip install homeassistant==$version"
  # josepy<2: acme (via hass-nabucasa, imported on every HTTP request) breaks with josepy 2, which
  # HA pinned only in later releases. mutagen, ha-ffmpeg (tts's and ffmpeg's requirements, pinned
  # as in HA's package_constraints.txt): the onboarding core_config step awaits a google_translate
  # flow whose import needs them without HA installing them, and answers 500 when it fails.
  # numpy (HA 2024.3's own pin): the frontend lists services at load, which imports camera → stream
  # → numpy; without it every page stays on "Loading data".
  run "$dir/venv/bin/pip" install -q "homeassistant==$version" "josepy<2" "mutagen==1.47.0" "ha-ffmpeg==3.1.0" "numpy==1.26.0"
  local config
  config=$(mktemp -d "${TMPDIR:-/tmp}/ei-ha-warmup-XXXXXX")
  warm_up "$version" "$config" "$dir/venv/bin/hass" -c "$config" --log-no-color
  rm -rf "$config"
  mark_ready "$dir" "$version"
  log "$version: ready"
}

# --- Debian sid chroot with python3.14 ---------------------------------------------------------

setup_chroot() {
  local recipe="sid minbase $SID_PACKAGES"
  if is_ready "$SID_ROOT" "$recipe"; then
    log "sid chroot: ready in $SID_ROOT"
    return
  fi
  command -v debootstrap >/dev/null || apt_install debootstrap
  local log_file="$CACHE_ROOT/debootstrap.log"
  log "sid chroot: debootstrap into $SID_ROOT (a few minutes; log: $log_file)"
  wipe "$SID_ROOT"
  mkdir -p "$SID_ROOT"
  # Its own mount namespace: whatever debootstrap mounts disappears with it, even if killed.
  if ! run unshare --mount --propagation private -- \
    debootstrap --variant=minbase --include="$SID_PACKAGES" sid "$SID_ROOT" "$SID_MIRROR" >"$log_file" 2>&1; then
    tail -n 30 "$log_file" >&2
    die "sid chroot: debootstrap failed (see $log_file)"
  fi
  rm -f "$SID_ROOT"/var/cache/apt/archives/*.deb
  mkdir -p "$SID_ROOT/config"
  chroot_exec - /usr/bin/python3.14 --version
  mark_ready "$SID_ROOT" "$recipe"
  log "sid chroot: ready"
}

# Environment for commands inside the chroot: a clean base plus what pip (and uv, which HA uses
# for its runtime installs and which ignores pip's settings) needs to reach the index.
chroot_env() {
  local -a envs=("PATH=$CHROOT_PATH" "HOME=/root" "LANG=C.UTF-8")
  local name
  while IFS= read -r name; do
    envs+=("$name=${!name}")
  done < <(compgen -e | grep -E '^(PIP_|UV_|SSL_CERT_FILE$|REQUESTS_CA_BUNDLE$|(https?|no|all)_proxy$|(HTTPS?|NO|ALL)_PROXY$)')
  [[ -n "${PIP_FIND_LINKS:-}" && -z "${UV_FIND_LINKS:-}" ]] && envs+=("UV_FIND_LINKS=${PIP_FIND_LINKS// /,}")
  [[ -n "${PIP_INDEX_URL:-}" && -z "${UV_INDEX_URL:-}" ]] && envs+=("UV_INDEX_URL=$PIP_INDEX_URL")
  [[ -n "${PIP_EXTRA_INDEX_URL:-}" && -z "${UV_EXTRA_INDEX_URL:-}" ]] && envs+=("UV_EXTRA_INDEX_URL=$PIP_EXTRA_INDEX_URL")
  [[ -n "${PIP_DEFAULT_TIMEOUT:-}" && -z "${UV_HTTP_TIMEOUT:-}" ]] && envs+=("UV_HTTP_TIMEOUT=$PIP_DEFAULT_TIMEOUT")
  [[ -n "${PIP_CERT:-}" && -z "${SSL_CERT_FILE:-}" ]] && envs+=("SSL_CERT_FILE=$PIP_CERT")
  printf '%s\0' "${envs[@]}"
}

# Sets CHROOT_CMD to a command prefix that runs "<config dir or -> <command...>" in the chroot,
# inside a private mount namespace: every mount made there is gone when the command ends, however
# it ends, so nothing can stay mounted on the host. The chain of execs keeps one pid for signals.
chroot_cmd() {
  local -a envs
  mapfile -d '' envs < <(chroot_env)
  CHROOT_CMD=(unshare --mount --propagation private -- env -i "${envs[@]}" "$BASH" "$SELF" __in-namespace "$SID_ROOT")
}

# chroot_exec <host config dir shown as /config, or -> <command...>
chroot_exec() {
  chroot_cmd
  "${CHROOT_CMD[@]}" "$@"
}

# Host files and folders pip needs, bind-mounted at the same paths inside the chroot.
host_paths_for_pip() {
  local path
  for path in /etc/resolv.conf /etc/pip.conf "${PIP_CERT:-}" "${SSL_CERT_FILE:-}" "${REQUESTS_CA_BUNDLE:-}" ${PIP_FIND_LINKS:-}; do
    [[ -e "$path" ]] && echo "$path"
  done | sort -u
}

bind_into_chroot() {
  local root=$1 src=$2 dst="$1$2"
  if [[ -d "$src" ]]; then
    mkdir -p "$dst"
  else
    mkdir -p "$(dirname "$dst")"
    # A dangling symlink (e.g. resolv.conf) cannot be a mount point.
    [[ -L "$dst" ]] && rm -f "$dst"
    [[ -e "$dst" ]] || : >"$dst"
  fi
  mount --bind "$src" "$dst"
}

# Second half of chroot_exec, already in the new mount namespace.
in_namespace() {
  local root=$1 config=$2 path
  shift 2
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount --rbind /sys "$root/sys"
  while IFS= read -r path; do
    bind_into_chroot "$root" "$path"
  done < <(host_paths_for_pip)
  [[ "$config" == - ]] || mount --bind "$config" "$root/config"
  exec chroot "$root" "$@"
}

# --- HA 2026.11.0 inside the chroot ------------------------------------------------------------

setup_2026() {
  local version=2026.11.0
  setup_chroot
  local inner="/opt/ha-$version"
  local dir="$SID_ROOT$inner"
  if is_ready "$dir" "$version"; then
    log "$version: ready in $dir"
    return
  fi
  log "$version: building in $dir with $(chroot_exec - /usr/bin/python3.14 --version)"
  wipe "$dir"
  mkdir -p "$dir"
  chroot_cmd
  run "${CHROOT_CMD[@]}" - /usr/bin/python3.14 -m venv "$inner/venv"
  log "$version: pip install homeassistant==$version"
  run "${CHROOT_CMD[@]}" - "$inner/venv/bin/pip" install -q "homeassistant==$version"
  local config
  config=$(mktemp -d "${TMPDIR:-/tmp}/ei-ha-warmup-XXXXXX")
  warm_up "$version" "$config" "${CHROOT_CMD[@]}" "$config" "$inner/venv/bin/hass" -c /config --log-no-color
  rm -rf "$config" "$SID_ROOT/root/.cache"
  mark_ready "$dir" "$version"
  log "$version: ready"
}

# --- main --------------------------------------------------------------------------------------

# One build of a version at a time (two CI jobs on one machine, or a second terminal).
lock_cache() {
  mkdir -p "$CACHE_ROOT"
  exec {fd}>"$CACHE_ROOT/.lock-$1"
  flock "$fd" || die "cannot lock $CACHE_ROOT/.lock-$1"
}

main() {
  [[ $EUID == 0 ]] || die "must run as root (apt-get, debootstrap, chroot, mount)"
  [[ "${1:-}" == chromium ]] || check_tools
  case "${1:-}" in
    chromium) setup_chromium ;;
    2024.3.3) lock_cache 2024.3.3; setup_2024 ;;
    2026.11.0) lock_cache 2026.11.0; setup_2026 ;;
    all) setup_chromium; lock_cache 2024.3.3; setup_2024; lock_cache 2026.11.0; setup_2026 ;;
    *) usage ;;
  esac
  log "done: $*"
}

if [[ "${1:-}" == __in-namespace ]]; then
  shift
  in_namespace "$@"
else
  main "$@"
fi
