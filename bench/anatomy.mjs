// What the .wasm is made of, and where a benchmark's time goes: the evidence
// behind each missed target, printed by `npm run bench` beside the figures.
//
//   node bench/anatomy.mjs          size breakdown of the built .wasm
//
// Size: the shipped .wasm has no name section, so the same cargo output is run
// through wasm-bindgen once more with names kept; its code section is checked
// byte-identical to the shipped one, so every figure is about the shipped
// binary. A function's bytes go to the first crate its name mentions that is
// not Rust's standard library (`drop_in_place<rig_core::…>` counts as Rig).
//
// Time: a Node CPU profile of one benchmark run (bench/worker.mjs with
// BENCH_WASM pointing at that named .wasm). Each sample goes to the innermost
// frame on its stack that has an owner: Rig (rig_core, rig_agent, rig_http),
// the binding (rig_wasm, wasm-bindgen), the package's JavaScript (dist/), or
// Node itself (fetch, sockets, web streams). Frames without an owner (serde,
// the allocator, hashing, core) count for whoever called them.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const root = new URL("..", import.meta.url).pathname;
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

const SECTION_NAMES = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "data count"];

/** The module's sections: id, name, start and length of the payload. */
export function sections(bytes) {
  const out = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = leb(bytes, at + 1);
    let name = SECTION_NAMES[id] ?? `section ${id}`;
    if (id === 0) {
      const [length, from] = leb(bytes, start);
      name = `custom "${new TextDecoder().decode(bytes.subarray(from, from + length))}"`;
    }
    out.push({ id, name, start, size });
    at = start + size;
  }
  return out;
}

/** Function bodies (index → byte length), and their names from the name section. */
function functions(bytes) {
  const all = sections(bytes);
  let imported = 0;
  const importSection = all.find((s) => s.id === 2);
  if (importSection) {
    let [count, at] = leb(bytes, importSection.start);
    for (; count > 0; count--) {
      let length;
      [length, at] = leb(bytes, at);
      at += length; // module
      [length, at] = leb(bytes, at);
      at += length; // name
      const kind = bytes[at++];
      if (kind === 0) {
        imported++;
        [, at] = leb(bytes, at);
      } else if (kind === 1) {
        at += 1; // reftype
        const flags = bytes[at++];
        [, at] = leb(bytes, at);
        if (flags & 1) [, at] = leb(bytes, at);
      } else if (kind === 2) {
        const flags = bytes[at++];
        [, at] = leb(bytes, at);
        if (flags & 1) [, at] = leb(bytes, at);
      } else if (kind === 3) at += 2; // valtype, mutability
      else if (kind === 4) [, at] = leb(bytes, at + 1); // tag: attribute, type index
      else throw new Error(`import kind ${kind} not understood`);
    }
  }
  const sizes = new Map();
  const code = all.find((s) => s.id === 10);
  let [count, at] = leb(bytes, code.start);
  for (let index = imported; count > 0; count--, index++) {
    const [size, body] = leb(bytes, at);
    sizes.set(index, size + (body - at));
    at = body + size;
  }
  const names = new Map();
  const nameSection = all.find((s) => s.name === 'custom "name"');
  if (nameSection) {
    const end = nameSection.start + nameSection.size;
    let [length, at2] = leb(bytes, nameSection.start);
    at2 += length;
    while (at2 < end) {
      const kind = bytes[at2];
      const [size, start] = leb(bytes, at2 + 1);
      if (kind === 1) {
        let [n, p] = leb(bytes, start);
        for (; n > 0; n--) {
          let index;
          let len;
          [index, p] = leb(bytes, p);
          [len, p] = leb(bytes, p);
          names.set(index, new TextDecoder().decode(bytes.subarray(p, p + len)));
          p += len;
        }
      }
      at2 = start + size;
    }
  }
  return { sizes, names };
}

const STD = new Set(["core", "alloc", "std", "compiler_builtins", "dlmalloc", "panic_abort"]);
const GROUPS = [
  ["Rig (rig_core, rig_agent, rig_http)", /^rig_(core|agent|http|derive)$/],
  ["this binding (rig_wasm, its vector index)", /^rig_wasm(_vector)?$/],
  ["wasm-bindgen, js-sys", /^(wasm_bindgen|wasm_bindgen_futures|js_sys|serde_wasm_bindgen)$/],
  ["serde, serde_json", /^(serde|serde_core|serde_json|serde_derive)$/],
  ["hash maps (hashbrown, indexmap)", /^(hashbrown|indexmap)$/],
  ["futures, async-stream", /^(futures|futures_util|futures_core|futures_channel|async_stream)$/],
  ["http, url, idna, mime, base64, bytes", /^(http|url|idna|mime|base64|bytes|percent_encoding|form_urlencoded)$/],
  ["Rust standard library", /^(core|alloc|std|compiler_builtins|dlmalloc|panic_abort)$/],
];

/** The crate a function's name belongs to (first non-std crate mentioned). */
export function crateOf(name) {
  const crates = [...name.matchAll(/(?<![:A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/g)].map((m) => m[1]);
  return crates.find((c) => !STD.has(c) && /^[a-z_][a-z0-9_]*$/.test(c)) ?? crates[0] ?? "(unnamed)";
}

function groupOf(crate) {
  return GROUPS.find(([, re]) => re.test(crate))?.[0] ?? "other crates";
}

/** Runs wasm-bindgen on the cargo output with names kept; returns the path. */
export function namedWasm(cargoWasm = `${root}target/wasm32-unknown-unknown/release/rig_wasm.wasm`) {
  const dir = mkdtempSync(join(tmpdir(), "rig-wasm-named-"));
  execFileSync("bash", ["-c", `source .cache/toolchain.env && wasm-bindgen --target web --experimental-reset-state-function --out-dir "${dir}" "${cargoWasm}"`], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
  return { path: join(dir, "rig_wasm_bg.wasm"), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Sections and code by crate of the shipped .wasm, from its named twin. */
export function sizeAnatomy(shipped, named) {
  const shippedSections = sections(shipped);
  const namedSections = sections(named);
  const codeOf = (bytes, list) => {
    const s = list.find((x) => x.id === 10);
    return bytes.subarray(s.start, s.start + s.size);
  };
  const shippedCode = codeOf(shipped, shippedSections);
  if (Buffer.compare(shippedCode, codeOf(named, namedSections)) !== 0) {
    throw new Error("the named build's code differs from the shipped .wasm: rebuild (npm run build) first");
  }
  const sectionRows = [];
  let other = { raw: 0, parts: [] };
  for (const s of shippedSections) {
    const payload = shipped.subarray(s.start, s.start + s.size);
    if (s.id === 10 || s.id === 11) sectionRows.push({ name: s.name, rawBytes: s.size, gzipBytes: gz(payload) });
    else {
      other.raw += s.size;
      other.parts.push(payload);
    }
  }
  sectionRows.push({ name: "everything else (types, imports, exports, tables)", rawBytes: other.raw, gzipBytes: gz(Buffer.concat(other.parts)) });

  // Code by crate and by group.
  const { sizes, names } = functions(named);
  const byCrate = new Map();
  for (const [index, size] of sizes) {
    const crate = crateOf(names.get(index) ?? "");
    byCrate.set(crate, (byCrate.get(crate) ?? 0) + size);
  }
  const total = [...byCrate.values()].reduce((a, b) => a + b, 0);
  const byGroup = new Map();
  for (const [crate, size] of byCrate) byGroup.set(groupOf(crate), (byGroup.get(groupOf(crate)) ?? 0) + size);
  const groups = [...byGroup].map(([group, bytes]) => ({ group, bytes, share: bytes / total })).sort((a, b) => b.bytes - a.bytes);
  const crates = [...byCrate].map(([crate, bytes]) => ({ crate, bytes, share: bytes / total })).sort((a, b) => b.bytes - a.bytes);

  // The largest single text in the data section (Rig's built-in model catalog).
  const data = shippedSections.find((s) => s.id === 11);
  const text = shipped.subarray(data.start, data.start + data.size);
  let best = { start: 0, length: 0 };
  for (let i = 0, run = 0; i <= text.length; i++) {
    const c = text[i];
    if (i < text.length && ((c >= 0x20 && c < 0x7f) || c === 10 || c === 9)) run++;
    else {
      if (run > best.length) best = { start: i - run, length: run };
      run = 0;
    }
  }
  const largest = text.subarray(best.start, best.start + best.length);
  const largestText = {
    rawBytes: largest.length,
    gzipBytes: gz(largest),
    head: new TextDecoder().decode(largest.subarray(0, 60)).replace(/\s+/g, " "),
    isRigModelCatalog: /^\{\s*"[a-z-]+": \{"models"/.test(new TextDecoder().decode(largest.subarray(0, 40))),
  };
  return { sections: sectionRows, codeBytes: total, groups, crates: crates.slice(0, 12), largestText };
}

// --- time ---------------------------------------------------------------------
const OWNERS = [
  ["Rig (agent loop, provider wire format, decoding)", (f) => f.wasm && /^rig_(core|agent|http)$/.test(crateOf(f.name))],
  ["this binding (Rust side, wasm-bindgen glue)", (f) => (f.wasm && /^(rig_wasm|rig_wasm_vector|wasm_bindgen|wasm_bindgen_futures|js_sys)$/.test(crateOf(f.name))) || /\/wasm\/rig_wasm\.js$/.test(f.url)],
  ["this package's JavaScript (dist/)", (f) => /\/rig-wasm\/dist\//.test(f.url)],
  ["Node (fetch, sockets, web streams)", (f) => f.url.startsWith("node:") || (!f.wasm && f.url === "" && !/^\((idle|garbage collector|program|root)\)$/.test(f.name))],
  ["the benchmark harness", (f) => /\/bench\//.test(f.url)],
];

/** Self time of a CPU profile, attributed to owners (see the header). */
export function timeAnatomy(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const ownerOf = new Map();
  const resolve = (id) => {
    if (ownerOf.has(id)) return ownerOf.get(id);
    const n = nodes.get(id);
    const frame = { name: n.callFrame.functionName, url: n.callFrame.url, wasm: n.callFrame.url.startsWith("wasm://") };
    let owner;
    if (/^\((idle|program)\)$/.test(frame.name)) owner = "idle, waiting on the network";
    else if (frame.name === "(garbage collector)") owner = "JavaScript garbage collection";
    else owner = OWNERS.find(([, test]) => test(frame))?.[0];
    if (owner === undefined) owner = parent.has(id) ? resolve(parent.get(id)) : "unattributed";
    ownerOf.set(id, owner);
    return owner;
  };
  const totals = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const t = profile.timeDeltas[i] ?? 0;
    const owner = resolve(profile.samples[i]);
    totals.set(owner, (totals.get(owner) ?? 0) + t);
    total += t;
  }
  return [...totals].map(([owner, us]) => ({ owner, ms: us / 1000, share: us / total })).sort((a, b) => b.ms - a.ms);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const named = namedWasm();
  try {
    const anatomy = sizeAnatomy(readFileSync(`${root}packages/rig-wasm/wasm/rig_wasm_bg.wasm`), readFileSync(named.path));
    console.log(JSON.stringify(anatomy, null, 2));
  } finally {
    named.dispose();
  }
}
