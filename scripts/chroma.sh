#!/usr/bin/env bash
# A real Chroma server for the adapter tests, from PyPI's chromadb wheel
# (its Rust server, without the Python stack): installed once into
# .cache/chroma-venv, started on 127.0.0.1 with CORS (the browser tests call
# it from a page) and a fresh data folder, stopped by its PID.
#
#   scripts/chroma.sh install       install the server (setup.sh does this)
#   scripts/chroma.sh start         start it; prints CHROMA_URL=http://127.0.0.1:<port>
#   scripts/chroma.sh stop          stop it
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.cache/chroma-venv
DIR=.cache/chroma
VERSION=1.5.9

case "${1:-}" in
  install)
    if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import chromadb_rust_bindings' 2>/dev/null; then exit 0; fi
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps "chromadb==$VERSION"
    ;;
  start)
    "$0" stop >/dev/null 2>&1 || true
    rm -rf "$DIR" && mkdir -p "$DIR"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    cat > "$DIR/chroma.yaml" <<YAML
port: $port
listen_address: "127.0.0.1"
persist_path: "$(pwd)/$DIR/data"
cors_allow_origins: ["*"]
allow_reset: true
YAML
    "$VENV/bin/python" -c 'import sys, chromadb_rust_bindings as c; c.cli(["chroma", "run", sys.argv[1]])' "$DIR/chroma.yaml" > "$DIR/server.log" 2>&1 &
    echo $! > "$DIR/pid"
    for _ in $(seq 100); do
      if curl -sf "http://127.0.0.1:$port/api/v2/heartbeat" >/dev/null; then
        echo "CHROMA_URL=http://127.0.0.1:$port"
        exit 0
      fi
      sleep 0.1
    done
    echo "chroma did not start (see $DIR/server.log)" >&2
    exit 1
    ;;
  stop)
    if [ -f "$DIR/pid" ]; then
      kill "$(cat "$DIR/pid")" 2>/dev/null || true
      rm -f "$DIR/pid"
    fi
    ;;
  *)
    echo "usage: scripts/chroma.sh install|start|stop" >&2
    exit 2
    ;;
esac
