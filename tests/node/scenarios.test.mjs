// Runs every shared scenario (tests/shared) in Node.js against the mock server.
import { after, before, test } from "node:test";
import { startMockServer } from "../../mock/server.mjs";
import { chromaServer } from "../chroma-server.mjs";
import { testing } from "../../packages/rig-wasm/dist/testing.js";
import { suites } from "../shared/index.mjs";

let server;
let chroma;
before(async () => {
  server = await startMockServer();
  chroma = await chromaServer();
});
after(async () => {
  await server?.close();
  await chroma?.stop();
});

// Every suite is loaded before any test is registered: with a name filter,
// the runner would otherwise finish (and run `after`) between two loads.
const loaded = await Promise.all(Object.entries(suites).map(async ([suite, load]) => [suite, (await load()).default]));
for (const [suite, scenarios] of loaded) {
  for (const s of scenarios) {
    test(`${suite}: ${s.name}`, { timeout: s.timeout, skip: s.skip }, () => s.fn({ mockUrl: server.url, chromaUrl: chroma.url, testing, runtime: "node" }));
  }
}
