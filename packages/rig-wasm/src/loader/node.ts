/**
 * Node.js: read the `.wasm` next to the package, synchronously, the first
 * time anything needs it. Chosen by the `node` condition of `#loader`.
 */
import { readFileSync } from "node:fs";
import { registerLazyLoader } from "../wasm.js";

registerLazyLoader(() => readFileSync(new URL("../../wasm/rig_wasm_bg.wasm", import.meta.url)));
