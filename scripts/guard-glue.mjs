// Post-process wasm-bindgen's glue (rig_wasm.js) so that a trap inside an
// async task cannot escape as an uncaught exception.
//
// wasm-bindgen-futures polls every Rust future from a `queueMicrotask`
// callback. With `panic = "abort"`, a panic there traps, and the trap would
// leave the microtask uncaught (fatal in Node.js) while the call's Promise
// never settles. The guard catches `WebAssembly.RuntimeError` in those
// callbacks and hands it to the handler the TypeScript layer registers
// (`__rigOnTrap`), which rejects the calls in flight with a RigError
// (code `internal`) and starts a fresh instance.
//
// Stale callbacks of a replaced instance are made no-ops (see below).
//
// The substitutions are checked: if wasm-bindgen's output changes shape, the
// build fails here instead of shipping an unguarded module.
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2];
let source = readFileSync(file, "utf8");
const call = "queueMicrotask(arg0);";
const count = source.split(call).length - 1;
if (count !== 1) {
  console.error(`guard-glue: expected exactly one \`${call}\` in ${file}, found ${count}`);
  process.exit(1);
}
source = source.replace(call, "queueMicrotask(__rigGuard(arg0));");

// After a reset, callbacks the old instance handed out (a pending fetch's
// promise reactions, a queued task) may still fire. wasm-bindgen makes them
// throw, which would surface as an uncaught error or an unhandled rejection;
// the work they belonged to is gone, so they become no-ops.
const stale = "throw new Error('Cannot invoke closure from previous WASM instance');";
const staleCount = source.split(stale).length - 1;
if (staleCount < 1) {
  console.error(`guard-glue: expected wasm-bindgen's stale-closure check in ${file}, found none`);
  process.exit(1);
}
source = source.split(stale).join("return; // rig-wasm: a callback of a replaced instance does nothing");
source += `
let __rigTrapHandler;
/** Register the handler for traps inside async tasks (rig-wasm's wasm.ts). */
export function __rigOnTrap(handler) {
    __rigTrapHandler = handler;
}
function __rigGuard(task) {
    return (...args) => {
        try {
            return task(...args);
        } catch (error) {
            if (error instanceof WebAssembly.RuntimeError && __rigTrapHandler) __rigTrapHandler(error);
            else throw error;
        }
    };
}
`;
if (!source.includes("export function __wbg_reset_state") && !/export \{[^}]*__wbg_reset_state/.test(source)) {
  console.error("guard-glue: the glue has no __wbg_reset_state export (wasm-bindgen --experimental-reset-state-function missing?)");
  process.exit(1);
}
writeFileSync(file, source);

const types = file.replace(/\.js$/, ".d.ts");
const declarations = readFileSync(types, "utf8");
if (!declarations.includes("__rigOnTrap")) {
  writeFileSync(
    types,
    `${declarations}\n/** Register the handler for traps inside async tasks (added by scripts/guard-glue.mjs). */\nexport function __rigOnTrap(handler: (error: WebAssembly.RuntimeError) => void): void;\n`,
  );
}
