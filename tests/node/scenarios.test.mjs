// Runs every shared scenario (tests/shared) in Node.js against the mock server.
import { after, before, test } from "node:test";
import { startMockServer } from "../../mock/server.mjs";
import { testing } from "../../packages/rig-wasm/dist/testing.js";
import { suites } from "../shared/index.mjs";

let server;
before(async () => {
  server = await startMockServer();
});
after(async () => {
  await server.close();
});

for (const [suite, load] of Object.entries(suites)) {
  const { default: scenarios } = await load();
  for (const s of scenarios) {
    test(`${suite}: ${s.name}`, { timeout: s.timeout, skip: s.skip }, () => s.fn({ mockUrl: server.url, testing, runtime: "node" }));
  }
}
