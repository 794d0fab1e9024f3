// The browser side of the test runner: loads rig-wasm the way an app would
// (`await init()`), then runs scenarios on request from the Node side.
import { init } from "rig-wasm";
// The package's test hooks: by the URL the import map gives the package, so
// they reach the same module instance.
import { testing } from "/pkg/dist/testing.js";
import { suites } from "../shared/index.mjs";

const started = performance.now();
await init();
const initMs = performance.now() - started;

window.__rig = {
  initMs,
  async run(suite, name, env) {
    const { default: scenarios } = await suites[suite]();
    const s = scenarios.find((x) => x.name === name);
    if (!s) return { ok: false, error: `no scenario ${suite}: ${name}` };
    try {
      await s.fn({ ...env, testing, runtime: "browser" });
      return { ok: true };
    } catch (error) {
      return { ok: false, error: `${error?.name}: ${error?.message}\n${error?.stack ?? ""}` };
    }
  },
};
document.getElementById("log").textContent = `ready in ${initMs.toFixed(1)} ms`;
window.__rigReady = true;
