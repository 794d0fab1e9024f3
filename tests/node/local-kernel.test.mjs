// The local model's wasm SIMD kernel against its scalar twin, inside the
// built rig_wasm_local.wasm (the same V8 SIMD code as in Chromium): rounding
// ties, NaN, ±0, tiny and huge activation blocks, and matrices whose row
// counts leave a padded group or an odd number of groups. The model tests
// cover the shapes real models have; this covers the corners.
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import assert from "node:assert/strict";

test("local kernel: SIMD matches the scalar kernel on corner cases", async () => {
  const wasm = new URL("../../packages/rig-wasm/wasm/", import.meta.url);
  const glue = await import(new URL("rig_wasm_local.js", wasm));
  glue.initSync({ module: await readFile(new URL("rig_wasm_local_bg.wasm", wasm)) });
  const report = glue.kernelSelfCheck();
  assert.equal(report, "71 activation blocks quantized identically; 60 matrix–vector products agree");
});
