// The local model in a real page: it runs in a Web Worker, the answer is
// streamed token by token into a page element, and the page's main thread
// stays responsive the whole time (a 10 ms timer never waits long).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchChromium } from "./chromium.mjs";
import { startStaticServer } from "./static-server.mjs";

let site;
let browser;

before(async () => {
  site = await startStaticServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
});

test("a Web Worker streams the local model's tokens into the page; the page stays responsive", { timeout: 180_000 }, async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  try {
    await page.goto(`${site.url}/index.html?script=/tests/browser/local-page.mjs`);
    await page.waitForFunction(() => window.__local !== undefined, null, { timeout: 170_000 });
    const r = await page.evaluate(() => window.__local);
    if (!r.ok) throw new Error(r.error);
    console.log(`# chromium worker: load ${Math.round(r.loadMs)} ms, ${r.tokensPerSecond.toFixed(1)} tokens/s, longest main-thread gap ${Math.round(r.maxGapMs)} ms over ${r.ticks} ticks`);
    assert.ok(r.text.length > 20, `answer: ${JSON.stringify(r.text)}`);
    assert.match(r.text, /sea|ocean|water|wave/i);
    assert.equal(r.shown, r.text, "the page shows exactly the streamed answer");
    assert.ok(r.usage.completionTokens > 5);
    // Streamed: the element grew many times, not once at the end.
    const growing = r.updates.filter((u, i) => i > 0 && u.length > r.updates[i - 1].length);
    assert.ok(growing.length >= 5, `the page was updated ${growing.length} times`);
    assert.ok(r.updates.at(-1).at - r.updates[1].at > 100, "updates are spread over the generation");
    // Responsive: the model never blocked the main thread for long.
    assert.ok(r.maxGapMs < 250, `the main thread was blocked for ${Math.round(r.maxGapMs)} ms`);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
