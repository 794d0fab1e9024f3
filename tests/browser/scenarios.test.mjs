// Runs every shared scenario (tests/shared) in headless Chromium. The page
// comes from one localhost port and the mock API from another, so every
// request is a real cross-origin (CORS) request.
import { after, before, test } from "node:test";
import { startMockServer } from "../../mock/server.mjs";
import { chromaServer } from "../chroma-server.mjs";
import { suites } from "../shared/index.mjs";
import { launchChromium } from "./chromium.mjs";
import { startStaticServer } from "./static-server.mjs";

let mock;
let chroma;
let site;
let browser;
let page;
const pageErrors = [];

before(async () => {
  mock = await startMockServer();
  chroma = await chromaServer();
  site = await startStaticServer();
  browser = await launchChromium();
  page = await browser.newPage();
  page.on("pageerror", (error) => pageErrors.push(error));
  page.on("console", (message) => {
    if (message.type() === "error") pageErrors.push(new Error(message.text()));
  });
  await page.goto(`${site.url}/index.html`);
  await page.waitForFunction(() => window.__rigReady === true, null, { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  await site?.close();
  await mock?.close();
  await chroma?.stop();
});

test("the page loads rig-wasm with init() and logs no errors", async () => {
  const initMs = await page.evaluate(() => window.__rig.initMs);
  if (!(initMs > 0)) throw new Error(`init did not run (${initMs})`);
  console.log(`# chromium init: ${initMs.toFixed(1)} ms`);
});

// Every suite is loaded before any test is registered: with a name filter,
// the runner would otherwise finish (and run `after`) between two loads.
const loaded = await Promise.all(Object.entries(suites).map(async ([suite, load]) => [suite, (await load()).default]));
for (const [suite, scenarios] of loaded) {
  for (const s of scenarios) {
    test(`${suite}: ${s.name}`, { timeout: s.timeout + 5_000, skip: s.skip }, async () => {
      const errorsBefore = pageErrors.length;
      const result = await page.evaluate(([suiteName, name, env]) => window.__rig.run(suiteName, name, env), [suite, s.name, { mockUrl: mock.url, chromaUrl: chroma.url }]);
      if (!result.ok) throw new Error(result.error);
      // Failed requests and the deliberate test panics are expected to log.
      const fresh = pageErrors
        .slice(errorsBefore)
        .filter((e) => !/Failed to load resource|deliberate (async )?test panic/.test(e.message));
      if (fresh.length) throw new Error(`the page logged errors: ${fresh.map((e) => e.message).join("; ")}`);
    });
  }
}
