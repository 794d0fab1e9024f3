#!/usr/bin/env bash
# Everything CI checks, from a fresh clone: set up, build, lint, then every
# test layer (Rust unit tests, Node integration tests, headless Chromium
# tests, the examples). Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache/test-logs

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
summary=()
count() { # count <label> <log>: record "label: N passed" from node --test / cargo output
  local n
  n=$( (grep -E '^# pass [0-9]+' "$2" || true) | tail -1 | awk '{print $3}')
  if [ -z "$n" ]; then n=$( (grep -E '^test result: ok\. [0-9]+ passed' "$2" || true) | awk '{s+=$4} END {print s}'); fi
  summary+=("$1: ${n:-?} passed")
}

step "setup"
bash scripts/setup.sh --browser --chroma
source .cache/toolchain.env

step "build (as shipped), its API report and its exports"
bash scripts/build.sh
node scripts/check-shipped.mjs
node scripts/api-report.mjs

step "the design's examples, unchanged, against the packed package"
node tests/packaged/design-examples.mjs | tee .cache/test-logs/design.log
summary+=("design examples (packed): $(grep -c '^ok' .cache/test-logs/design.log) passed")

step "build with the test hooks (the tests' panics and kernel probe)"
TEST_HOOKS=1 bash scripts/build.sh

step "lint: rustfmt, clippy (native and wasm32), tsc"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy --workspace --target wasm32-unknown-unknown --quiet -- -D warnings
node_modules/.bin/tsc -p packages/rig-wasm --noEmit
node_modules/.bin/tsc -p examples

step "Rust unit tests (native)"
cargo test --workspace --exclude rig-wasm-local --quiet 2>&1 | tee .cache/test-logs/rust.log
count "Rust unit tests" .cache/test-logs/rust.log
# The local models against real weights: optimised (debug candle is ~50x slower).
cargo test --profile local-native -p rig-wasm-local --quiet 2>&1 | tee .cache/test-logs/rust-local.log
count "Rust local-model tests" .cache/test-logs/rust-local.log

step "a real Chroma server for the store tests (Node and Chromium)"
chroma_env=$(bash scripts/chroma.sh start)
export "${chroma_env?}"
trap 'bash scripts/chroma.sh stop' EXIT
echo "$chroma_env"

step "Node.js integration tests"
node --test --test-timeout=60000 --test-reporter=tap tests/node/ 2>&1 | tee .cache/test-logs/node.log | grep -E '^(not )?ok|^# (pass|fail)' || true
grep -qE '^# fail 0$' .cache/test-logs/node.log || { echo "Node tests failed (see .cache/test-logs/node.log)" >&2; exit 1; }
count "Node tests" .cache/test-logs/node.log

step "headless Chromium tests"
node --test --test-timeout=120000 --test-reporter=tap tests/browser/ 2>&1 | tee .cache/test-logs/browser.log | grep -E '^(not )?ok|^# (pass|fail)|chromium init' || true
grep -qE '^# fail 0$' .cache/test-logs/browser.log || { echo "browser tests failed (see .cache/test-logs/browser.log)" >&2; exit 1; }
count "Chromium tests" .cache/test-logs/browser.log

step "examples"
node examples/run.mjs --check | tee .cache/test-logs/examples.log
summary+=("examples: $(grep -c '^ok' .cache/test-logs/examples.log) passed")

step "all passed"
printf '  %s\n' "${summary[@]}"
