// Runs one compiled example (/.cache/examples/<name>.js) in the page, the
// way it runs in Node: `process.env` and `process.stdout` are shimmed and
// console output is captured for the runner to check.
import { init } from "rig-wasm";

const params = new URLSearchParams(location.search);
const name = params.get("example");
let output = "";
const capture = (...args) => {
  output += `${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")}\n`;
};
console.log = capture;
globalThis.process = {
  env: { OPENAI_API_KEY: "sk-local-mock", OPENAI_BASE_URL: params.get("baseURL") },
  stdout: { write: (text) => { output += text; return true; } },
};

try {
  await init();
  await import(`/.cache/examples/${name}.js`);
  window.__example = { ok: true, output };
} catch (error) {
  window.__example = { ok: false, output, error: `${error?.name}: ${error?.message}` };
}
