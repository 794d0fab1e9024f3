#!/usr/bin/env bash
# The demo: set up, build, and talk to an agent. With OPENAI_API_KEY set it
# uses OpenAI; without, the project's local OpenAI-compatible server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh >/dev/null
node_modules/.bin/tsc -p examples
echo
node examples/run.mjs demo
