// Run examples (compiled to .cache/examples by `tsc -p examples`).
//
//   node examples/run.mjs demo                 run one example
//   node examples/run.mjs --check              run all, check each printed what it should
//
// With OPENAI_API_KEY set, examples talk to OpenAI. Without it, this starts
// the project's local OpenAI-compatible server (mock/) and points the
// examples at it with OPENAI_BASE_URL, so they run offline and in CI.
// local-demo runs real models in WebAssembly and needs neither.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startMockServer } from "../mock/server.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const compiled = (name) => `${root}.cache/examples/${name}.js`;

import { EXPECTED } from "./expected.mjs";

const args = process.argv.slice(2);
const check = args.includes("--check");
const names = args.filter((a) => !a.startsWith("--"));
const selected = names.length ? names : Object.keys(EXPECTED);

// Examples on the local model (rig-wasm/local) need no server and no key.
const LOCAL = new Set(["local-demo"]);
let server;
const env = { ...process.env };
if (!env.OPENAI_API_KEY && selected.some((name) => !LOCAL.has(name))) {
  server = await startMockServer();
  env.OPENAI_API_KEY = "sk-local-mock";
  env.OPENAI_BASE_URL = `${server.url}/v1`;
  if (!check) console.log(`(no OPENAI_API_KEY: using the project's local OpenAI-compatible server at ${env.OPENAI_BASE_URL})\n`);
}

function run(name) {
  return new Promise((resolve) => {
    const file = compiled(name);
    if (!existsSync(file)) return resolve({ code: 1, output: `missing ${file}: run \`tsc -p examples\` first` });
    const child = spawn(process.execPath, [file], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.stdout.on("data", (d) => {
      output += d;
      if (!check) process.stdout.write(d);
    });
    child.stderr.on("data", (d) => {
      output += d;
      process.stderr.write(d);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

let failed = 0;
for (const name of selected) {
  const { code, output } = await run(name);
  if (!check) {
    if (code !== 0) failed++;
    continue;
  }
  const missing = (EXPECTED[name] ?? []).filter((re) => !re.test(output.replace(/\n/g, " ")));
  const ok = code === 0 && missing.length === 0;
  if (!ok) failed++;
  console.log(`${ok ? "ok" : "FAIL"} - example ${name}${missing.length ? ` (missing ${missing.join(", ")})` : ""}${code ? ` (exit ${code})` : ""}`);
  if (!ok) console.log(output.replace(/^/gm, "    "));
}
await server?.close();
process.exitCode = failed ? 1 : 0;
