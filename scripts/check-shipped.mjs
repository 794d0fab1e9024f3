// What ships has no test hooks: the built .wasm files export none of the
// hooks and probes the test suites use (they come only with TEST_HOOKS=1).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../packages/rig-wasm/wasm/", import.meta.url));
const HOOKS = /^__rigTest|^kernelSelfCheck$/;
let bad = 0;
for (const file of ["rig_wasm_bg.wasm", "rig_wasm_local_bg.wasm"]) {
  const module = new WebAssembly.Module(readFileSync(dir + file));
  const hooks = WebAssembly.Module.exports(module).map((e) => e.name).filter((name) => HOOKS.test(name));
  if (hooks.length > 0) {
    console.error(`${file} exports test hooks: ${hooks.join(", ")} (build without TEST_HOOKS to ship)`);
    bad++;
  } else {
    console.log(`${file}: no test hooks`);
  }
}
process.exit(bad ? 1 : 0);
