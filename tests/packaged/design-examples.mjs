// The design's TypeScript examples (examples/design/, copied verbatim), run
// and type-checked unchanged against the package as users install it:
//
//   1. `npm pack` packages/rig-wasm (as built; run scripts/build.sh first),
//   2. a fresh app outside the repo installs the tarball, typescript and
//      @types/node, nothing else,
//   3. `tsc --strict` (module/moduleResolution NodeNext, DOM lib, library
//      types checked too) compiles the examples,
//   4. each runs under Node with OPENAI_API_KEY set and a preload that points
//      the hosts the examples name (api.openai.com, Qdrant at 127.0.0.1:6333)
//      at the project's mock server; its output is checked line by line.
//
// The examples catch their own errors and print them, so a run passes only
// when it printed what it should and nothing on stderr.
//
//   node tests/packaged/design-examples.mjs [--keep] [--package <dir>]   (default packages/rig-wasm)
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startMockServer } from "../../mock/server.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const designDir = join(root, "examples/design");
const keep = process.argv.includes("--keep");
const packageDir = process.argv.includes("--package") ? process.argv[process.argv.indexOf("--package") + 1] : join(root, "packages/rig-wasm");

// What each example must print (stdout), in this order.
const EXPECTED = {
  "00-import": [],
  "01-basic-agent": [/^Prompt: Please write the first 100 words of Lorem Ipsum\.$/, /^Response: Lorem ipsum dolor sit amet/],
  "02-tool-agent": [/^Prompt: Please increment the counter/, /^Response: Here is what I found: counter gave 5325\./],
  "03-streaming": [/^Prompt: Write a short story about a robot learning to paint\.$/, /^Unit 7 had never held a brush\./, /^Complete story: Unit 7 had never held a brush\..*circuits\./],
  "04-embeddings-qdrant": [/^Embedding length: 1536$/, /^Embedded text: hello world!$/, /^Generated 3 embeddings$/, /^Document successfully inserted$/],
  "05-multi-turn-chat": [/^First prompt: Hello! I'm learning Rust/, /^First response: Of course!/, /^Second prompt: What are the basic concepts/, /^Second response: Start with ownership/],
  "06-custom-tools": [/^Prompt: What's 15 \* 23\?/, /^Response: Here is what I found: calculator gave 345; and the weather in Tokyo is (Sunny|Cloudy|Rainy|Snowy) at \d+°C\./],
  "07-vector-store-rag": [/^Prompt: What can you tell me about Rust and WebAssembly\?$/, /^Response: According to the documents \(doc_\d, doc_\d, doc_\d\)/],
  "08-retry": [/^Prompt: Write a short poem about resilience\.$/, /^Response: Bent by the storm/],
};

const log = (...a) => console.log("#", ...a);
const sh = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

// The copies must be the design's blocks, byte for byte (checked where the design is at hand).
const designFile = (() => {
  const dir = join(root, "../shared/design");
  if (!existsSync(dir)) return undefined;
  const f = readdirSync(dir).find((n) => n.endsWith(".txt"));
  return f && join(dir, f);
})();
const examples = readdirSync(designDir).filter((f) => f.endsWith(".ts")).sort();
if (designFile) {
  const blocks = [...readFileSync(designFile, "utf8").matchAll(/^```typescript\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  if (blocks.length !== examples.length) throw new Error(`the design has ${blocks.length} TypeScript blocks, examples/design has ${examples.length} files`);
  blocks.forEach((block, i) => {
    if (readFileSync(join(designDir, examples[i]), "utf8") !== block) throw new Error(`examples/design/${examples[i]} differs from the design's TypeScript block ${i + 1}`);
  });
  log(`examples/design matches the design's ${blocks.length} TypeScript blocks`);
}
for (const name of examples) if (!(name.replace(/\.ts$/, "") in EXPECTED)) throw new Error(`no expected output for examples/design/${name}`);

// 1. Pack.
const started = performance.now();
const packDir = mkdtempSync(join(tmpdir(), "rig-wasm-pack-"));
const packed = JSON.parse(sh("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", packDir], packageDir));
const tarball = join(packDir, packed[0].filename);
log(`packed ${packed[0].filename}: ${(packed[0].size / 1024).toFixed(0)} KB, ${packed[0].entryCount} files`);

// 2. A fresh app.
const app = mkdtempSync(join(tmpdir(), "rig-wasm-app-"));
const dev = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies;
writeFileSync(
  join(app, "package.json"),
  JSON.stringify({ name: "design-examples", private: true, type: "module", dependencies: { "rig-wasm": `file:${tarball}`, typescript: dev.typescript, "@types/node": dev["@types/node"] } }, null, 2),
);
writeFileSync(
  join(app, "tsconfig.json"),
  JSON.stringify(
    {
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022", "DOM"], types: ["node"], strict: true, outDir: "out", rootDir: "src" },
      include: ["src/*.ts"],
    },
    null,
    2,
  ),
);
mkdirSync(join(app, "src"));
for (const name of examples) copyFileSync(join(designDir, name), join(app, "src", name));
sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], app);
if (!existsSync(join(app, "node_modules/rig-wasm/wasm/rig_wasm_bg.wasm"))) throw new Error("the installed package has no wasm/rig_wasm_bg.wasm");
log(`fresh app installed in ${app}`);

// 3. Type-check and compile, unchanged.
try {
  sh(join(app, "node_modules/.bin/tsc"), ["-p", "."], app);
} catch (error) {
  console.log(`not ok - the design's examples type-check (tsc --strict, NodeNext, DOM)\n${String(error.stdout).replace(/^/gm, "    ")}`);
  process.exit(1);
}
console.log("ok - the design's examples type-check (tsc --strict, NodeNext, DOM) against the packed package");

// 4. Run them against the mock.
const server = await startMockServer();
writeFileSync(
  join(app, "redirect.mjs"),
  `// Test setup, not part of the examples: the hosts they name go to the mock server.
const mock = ${JSON.stringify(server.url)};
const real = globalThis.fetch;
const routes = [["https://api.openai.com/", mock + "/"], ["http://127.0.0.1:6333/", mock + "/qdrant/"]];
globalThis.fetch = (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  for (const [from, to] of routes) if (url.startsWith(from)) return real(to + url.slice(from.length), input instanceof Request ? new Request(to + url.slice(from.length), input) : init);
  throw new Error("the example reached for " + url + ", which the test does not serve");
};
`,
);

function run(name) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "./redirect.mjs", `out/${name}.js`], {
      cwd: app,
      env: { PATH: process.env.PATH, OPENAI_API_KEY: "sk-design-example" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let failed = 0;
for (const file of examples) {
  const name = file.replace(/\.ts$/, "");
  const { code, stdout, stderr } = await run(name);
  const lines = stdout.split("\n");
  const problems = [];
  let at = 0;
  for (const pattern of EXPECTED[name]) {
    const found = lines.findIndex((line, i) => i >= at && pattern.test(line));
    if (found < 0) problems.push(`no line matching ${pattern} (in order)`);
    else at = found + 1;
  }
  if (code !== 0) problems.push(`exit code ${code}`);
  if (stderr.trim() !== "") problems.push(`stderr: ${stderr.trim()}`);
  if (problems.length) {
    failed++;
    console.log(`not ok - design example ${name}: ${problems.join("; ")}\n${stdout.replace(/^/gm, "    ")}`);
  } else {
    console.log(`ok - design example ${name} runs unchanged`);
  }
}

// The Qdrant example's point is in the stand-in, with its payload.
const count = await (await fetch(`${server.url}/qdrant/collections/test_collection/points/count`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).json();
if (count?.result?.count !== 1) {
  failed++;
  console.log(`not ok - the Qdrant example stored one point (the stand-in holds ${JSON.stringify(count)})`);
} else console.log("ok - the Qdrant example's point is in the collection");

await server.close();
if (!keep) {
  rmSync(app, { recursive: true, force: true });
  rmSync(packDir, { recursive: true, force: true });
}
log(`design examples: ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exitCode = failed ? 1 : 0;
