// Every example, run in headless Chromium against the mock server (a
// different origin than the page), checked like examples/run.mjs checks it.
import { after, before, test } from "node:test";
import { EXPECTED } from "../../examples/expected.mjs";
import { startMockServer } from "../../mock/server.mjs";
import { launchChromium } from "./chromium.mjs";
import { startStaticServer } from "./static-server.mjs";

let mock;
let site;
let browser;

before(async () => {
  mock = await startMockServer();
  site = await startStaticServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await mock?.close();
});

for (const [name, patterns] of Object.entries(EXPECTED)) {
  test(`example ${name} prints the right answers in Chromium`, { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(error.message));
    try {
      const query = new URLSearchParams({ script: "/tests/browser/example-page.mjs", example: name, baseURL: `${mock.url}/v1` });
      await page.goto(`${site.url}/index.html?${query}`);
      await page.waitForFunction(() => window.__example !== undefined, null, { timeout: 45_000 });
      const result = await page.evaluate(() => window.__example);
      if (!result.ok) throw new Error(`${result.error}\n${result.output}`);
      const flat = result.output.replace(/\n/g, " ");
      const missing = patterns.filter((re) => !re.test(flat));
      if (missing.length) throw new Error(`missing ${missing.join(", ")} in:\n${result.output}`);
      if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
    } finally {
      await page.close();
    }
  });
}
