#!/usr/bin/env bash
# Build rig-wasm: the release .wasm, its wasm-bindgen glue, and the
# TypeScript package (packages/rig-wasm/dist, with .d.ts files).
#
#   scripts/build.sh                                   full build (every provider)
#   FEATURES=none OUT=dir CARGO_TARGET_DIR=dir scripts/build.sh   OpenAI + compatible only
#   FEATURES="anthropic gemini" …                      a chosen set of provider families
#   LOCAL=0 scripts/build.sh                           skip the local-model .wasm (rig_wasm_local)
#   TEST_HOOKS=1 scripts/build.sh                      with the test suite's hooks (never shipped)
#
# Run scripts/setup.sh first (the test and demo scripts do).
set -euo pipefail
cd "$(dirname "$0")/.."
source .cache/toolchain.env

OUT=${OUT:-packages/rig-wasm/wasm}
# A build with the test hooks gets its own target directory: cargo names a
# cdylib the same whatever its features, so builds with and without them in
# one directory would overwrite each other's .wasm and both look fresh.
default_target=target
[ "${TEST_HOOKS:-0}" = 1 ] && default_target=target/test-hooks
TARGET_DIR=${CARGO_TARGET_DIR:-$default_target}
cargo_args=(build --release --target wasm32-unknown-unknown -p rig-wasm --target-dir "$TARGET_DIR")
features=()
[ "${TEST_HOOKS:-0}" = 1 ] && features+=(test-hooks)
if [ "${FEATURES:-}" = none ]; then
  cargo_args+=(--no-default-features)
elif [ -n "${FEATURES:-}" ]; then
  cargo_args+=(--no-default-features)
  features+=($FEATURES)
fi
[ ${#features[@]} -gt 0 ] && cargo_args+=(--features "${features[*]}")
local_args=(build --release --target wasm32-unknown-unknown -p rig-wasm-local --target-dir "$TARGET_DIR")
[ "${TEST_HOOKS:-0}" = 1 ] && local_args+=(--features test-hooks)

log() { printf '\033[1m[build]\033[0m %s\n' "$*"; }
wasm_cargo() {
  RUSTC="$WASM_RUSTC" "$WASM_CARGO" "$@"
}
start=$(date +%s)
wasm_cargo "${cargo_args[@]}"
log "wasm compiled in $(( $(date +%s) - start ))s"

mkdir -p "$OUT"
# --experimental-reset-state-function: a fresh instance after a trap, with
# stale objects refused and their finalizers skipped (see packages/rig-wasm/src/wasm.ts).
wasm-bindgen --target web --remove-name-section --experimental-reset-state-function --out-dir "$OUT" \
  "$TARGET_DIR/wasm32-unknown-unknown/release/rig_wasm.wasm"
node scripts/guard-glue.mjs "$OUT/rig_wasm.js"
raw=$(wc -c < "$OUT/rig_wasm_bg.wasm")
gz=$(gzip -9 -c "$OUT/rig_wasm_bg.wasm" | wc -c)
log "rig_wasm_bg.wasm: $raw bytes, $gz gzip -9"

# The local models (candle): a separate .wasm, loaded only by rig-wasm/local.
# Built on its own (not in the same cargo invocation) so its dependencies'
# features do not leak into rig_wasm.wasm.
if [ "${LOCAL:-1}" = 1 ] && [ "${FEATURES:-}" != none ]; then
  start=$(date +%s)
  wasm_cargo "${local_args[@]}"
  log "local wasm compiled in $(( $(date +%s) - start ))s"
  wasm-bindgen --target web --remove-name-section --experimental-reset-state-function --out-dir "$OUT" \
    "$TARGET_DIR/wasm32-unknown-unknown/release/rig_wasm_local.wasm"
  raw=$(wc -c < "$OUT/rig_wasm_local_bg.wasm")
  gz=$(gzip -9 -c "$OUT/rig_wasm_local_bg.wasm" | wc -c)
  log "rig_wasm_local_bg.wasm: $raw bytes, $gz gzip -9"
fi

if [ "$OUT" = packages/rig-wasm/wasm ]; then
  node_modules/.bin/tsc -p packages/rig-wasm
  log "TypeScript built to packages/rig-wasm/dist"
fi
