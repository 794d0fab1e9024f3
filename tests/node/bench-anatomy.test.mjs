// The benchmark's breakdowns (bench/anatomy.mjs) are evidence in RESULTS.md:
// check they attribute what they claim to.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { crateOf, sections, timeAnatomy } from "../../bench/anatomy.mjs";

test("functions count for the first crate named that is not the standard library", () => {
  assert.equal(crateOf("rig_core::providers::internal::wire::scan::h01379992a0016dae"), "rig_core");
  assert.equal(crateOf("core::ptr::drop_in_place<rig_agent::run::AgentRun>::h2b776d7c0902d54b"), "rig_agent");
  assert.equal(crateOf("<&mut serde_json::de::Deserializer<R> as serde_core::de::Deserializer>::deserialize_any::hff4"), "serde_json");
  assert.equal(crateOf("<alloc[3ca501edff3f0c7c]::string::String as core[c5930c85a12de822]::clone::Clone>::clone"), "alloc");
  assert.equal(crateOf("core[c5930c85a12de822]::num::flt2dec::strategy::dragon::format_shortest"), "core");
  assert.equal(crateOf("<dlmalloc[e24a27700634d609]::dlmalloc::Dlmalloc<dlmalloc[e24a27700634d609]::sys::System>>::malloc"), "dlmalloc");
  assert.equal(crateOf("rig_wasm::wasm::transport::header_map::hc99864a1b8f3aaa5"), "rig_wasm");
});

test("the shipped .wasm's sections cover the whole file, code and data included", () => {
  const bytes = readFileSync(new URL("../../packages/rig-wasm/wasm/rig_wasm_bg.wasm", import.meta.url));
  const list = sections(bytes);
  const last = list.at(-1);
  assert.equal(last.start + last.size, bytes.length);
  assert.ok(list.find((s) => s.name === "code").size > 100_000);
  assert.ok(list.find((s) => s.name === "data").size > 10_000);
  assert.equal(list.find((s) => s.name === 'custom "name"'), undefined, "the shipped .wasm has no name section");
});

test("CPU samples count for the innermost frame with an owner", () => {
  const frame = (functionName, url) => ({ functionName, url, lineNumber: 0, columnNumber: 0, scriptId: "0" });
  const wasm = "wasm://wasm/rig_wasm.wasm-0001";
  // root → dist prompt → glue → rig_core decode → serde_json → dlmalloc
  //                                            → rig_wasm push → serde_json
  const nodes = [
    { id: 1, callFrame: frame("(root)", ""), children: [2, 8] },
    { id: 2, callFrame: frame("prompt", "file:///x/node_modules/rig-wasm/dist/provider.js"), children: [3] },
    { id: 3, callFrame: frame("__wbg_send", "file:///x/rig-wasm/wasm/rig_wasm.js"), children: [4, 6] },
    { id: 4, callFrame: frame("rig_core::wire::decode::h1", wasm), children: [5] },
    { id: 5, callFrame: frame("serde_json::de::from_str::h2", wasm), children: [9] },
    { id: 6, callFrame: frame("rig_wasm::wasm::stream::AgentStream::push::h3", wasm), children: [7] },
    { id: 7, callFrame: frame("serde_json::ser::to_string::h4", wasm), children: [] },
    { id: 8, callFrame: frame("(idle)", ""), children: [] },
    { id: 9, callFrame: frame("<dlmalloc::dlmalloc::Dlmalloc<A>>::malloc", wasm), children: [] },
  ];
  const profile = { nodes, samples: [5, 9, 7, 2, 8, 4], timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000] };
  const owners = Object.fromEntries(timeAnatomy(profile).map((o) => [o.owner, o.ms]));
  assert.deepEqual(owners, {
    "Rig (agent loop, provider wire format, decoding)": 3,
    "this binding (Rust side, wasm-bindgen glue)": 1,
    "this package's JavaScript (dist/)": 1,
    "idle, waiting on the network": 1,
  });
});
