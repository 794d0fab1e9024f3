#!/usr/bin/env bash
# The demo: set up, build, and talk to an agent. With OPENAI_API_KEY set it
# uses OpenAI (examples/demo.ts); without, a real small model running inside
# WebAssembly on this machine, no key and no network (examples/local-demo.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh >/dev/null
node_modules/.bin/tsc -p examples
echo
if [ -n "${OPENAI_API_KEY:-}" ]; then
  node examples/run.mjs demo
else
  echo "(no OPENAI_API_KEY: running the local model, offline)"
  echo
  node examples/run.mjs local-demo
fi
