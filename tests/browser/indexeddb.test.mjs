// IndexedDB in real Chromium, across a page reload and into a Web Worker:
// a page fills an IndexedDBVectorStore and an IndexedDBResponseCache; a
// worker searches the same store and adds to it; after a reload the page
// finds everything, and the cached answer makes no request.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { startMockServer } from "../../mock/server.mjs";
import { launchChromium } from "./chromium.mjs";
import { startStaticServer } from "./static-server.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
let mock;
let site;
let browser;

before(async () => {
  mkdirSync(`${root}.cache/browser-tests`, { recursive: true });
  await build({
    entryPoints: [`${root}tests/browser/idb-worker.mjs`],
    bundle: true,
    format: "esm",
    platform: "browser",
    outfile: `${root}.cache/browser-tests/idb-worker.js`,
    logLevel: "error",
  });
  mock = await startMockServer();
  site = await startStaticServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await mock?.close();
});

const ready = (page) => page.waitForFunction(() => window.__idbReady === true, null, { timeout: 30_000 });

test("IndexedDB: a store and a cache survive a page reload; a Web Worker shares the store", { timeout: 90_000 }, async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const env = { mockUrl: mock.url, name: `idb-reload-${Date.now()}`, session: `idb-${Date.now()}`, workerUrl: "/.cache/browser-tests/idb-worker.js" };
  try {
    await page.goto(`${site.url}/index.html?script=/tests/browser/idb-page.mjs`);
    await ready(page);
    const filled = await page.evaluate((e) => window.__idb.fill(e), env);
    assert.deepEqual(filled.hits.map(([, id]) => id).sort(), ["doc_1", "doc_4"]);
    assert.equal(filled.answer, "The capital of France is Paris.");

    const worker = await page.evaluate((e) => window.__idb.inWorker(e), env);
    assert.ok(worker.ok, worker.error);
    assert.equal(worker.count, 5, "the worker sees the page's entries");
    assert.deepEqual(worker.hits, filled.hits, "and finds the same best matches");

    await page.reload();
    await ready(page);
    const after = await page.evaluate((e) => window.__idb.check(e), env);
    assert.equal(after.count, 6);
    assert.deepEqual(after.ids, ["doc_0", "doc_1", "doc_2", "doc_3", "doc_4", "from-worker"]);
    assert.deepEqual(after.fromWorker, { text: "Bananas ripen faster beside apples." });
    assert.deepEqual(after.hits, filled.hits);
    assert.equal(after.answer, filled.answer);
    const requests = await (await fetch(`${mock.url}/__mock/requests?session=${env.session}`)).json();
    assert.equal(requests.length, 1, "after the reload the answer came from the IndexedDB cache");
    await page.evaluate((e) => window.__idb.drop(e), env);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
