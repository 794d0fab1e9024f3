// Size: what a user ships. For rig-wasm, the .wasm plus the JavaScript a
// bundler emits for a minimal agent; for the peers, the esbuild-minified
// bundle of the same minimal call. Sizes are raw and gzip -9.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

async function bundle(source) {
  const result = await build({
    stdin: { contents: source, resolveDir: root, sourcefile: "entry.mjs", loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    // The peers' optional Node-only paths are not part of a browser bundle.
    external: ["node:*"],
  });
  return result.outputFiles[0].contents;
}

const ENTRIES = {
  rig: `import { Agent } from "rig-wasm/openai";
const agent = new Agent({ apiKey: "sk", model: "gpt-4o-mini" });
console.log(await agent.prompt("hi"));`,
  ai: `import { generateText } from "ai";
import { createOpenAI } from "@ai-sdk/openai";
const { text } = await generateText({ model: createOpenAI({ apiKey: "sk" }).chat("gpt-4o-mini"), prompt: "hi" });
console.log(text);`,
  openai: `import OpenAI from "openai";
const client = new OpenAI({ apiKey: "sk", dangerouslyAllowBrowser: true });
const c = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
console.log(c.choices[0].message.content);`,
};

function files(dir, ext) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path, ext));
    else if (name.endsWith(ext)) out.push(path);
  }
  return out;
}

/** Sizes of the full package and the OpenAI-only build, and the peers' bundles. */
export async function measureSizes({ openaiOnlyWasm } = {}) {
  const wasmDir = join(root, "packages/rig-wasm/wasm");
  const fullWasm = readFileSync(join(wasmDir, "rig_wasm_bg.wasm"));
  const glue = readFileSync(join(wasmDir, "rig_wasm.js"));
  const dist = files(join(root, "packages/rig-wasm/dist"), ".js").map((f) => readFileSync(f));
  const distRaw = dist.reduce((n, b) => n + b.length, 0);
  const distGz = dist.reduce((n, b) => n + gz(b), 0);
  const rigJs = await bundle(ENTRIES.rig);
  const rows = [
    {
      what: "rig-wasm full package (.wasm + glue + all of dist/)",
      rawBytes: fullWasm.length + glue.length + distRaw,
      gzipBytes: gz(fullWasm) + gz(glue) + distGz,
    },
    { what: "rig-wasm .wasm, every provider", rawBytes: fullWasm.length, gzipBytes: gz(fullWasm), target: 600_000 },
    {
      what: "rig-wasm minimal agent, every provider (.wasm + minified JS bundle)",
      rawBytes: fullWasm.length + rigJs.length,
      gzipBytes: gz(fullWasm) + gz(rigJs),
    },
  ];
  if (openaiOnlyWasm) {
    const onlyWasm = readFileSync(openaiOnlyWasm);
    rows.push({
      what: "rig-wasm minimal agent, OpenAI-only build (.wasm + minified JS bundle)",
      rawBytes: onlyWasm.length + rigJs.length,
      gzipBytes: gz(onlyWasm) + gz(rigJs),
      target: 450_000,
    });
  }
  for (const lib of ["ai", "openai"]) {
    const js = await bundle(ENTRIES[lib]);
    rows.push({ what: `${lib === "ai" ? "ai + @ai-sdk/openai generateText" : "openai chat.completions.create"} (minified bundle)`, rawBytes: js.length, gzipBytes: gz(js) });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await measureSizes({ openaiOnlyWasm: process.argv[2] })) console.log(row);
}
