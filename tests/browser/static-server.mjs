// A static file server for the browser tests: serves the built package at
// /pkg/, the test files at /tests/, benchmark pages at /bench/, the examples
// (/examples/, compiled in /.cache/examples/), the model weights (/.cache/models/) and the local
// model's reference data, plus a page whose import map resolves
// `rig-wasm/...` the way a bundler would (from package.json "exports").
// It listens on its own port, so every API call from the page is
// cross-origin, as in a real deployment.
import http from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const PKG = join(ROOT, "packages/rig-wasm");
const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".html": "text/html", ".wasm": "application/wasm", ".json": "application/json", ".css": "text/css" };

/** The import map a no-bundler page needs for the package. */
export async function importMap() {
  const pkg = JSON.parse(await readFile(join(PKG, "package.json"), "utf8"));
  const imports = {};
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const file = typeof target === "string" ? target : target.browser ?? target.default;
    if (!file || !file.endsWith(".js")) continue;
    imports[subpath === "." ? "rig-wasm" : `rig-wasm/${subpath.slice(2)}`] = `/pkg/${file.slice(2)}`;
  }
  const loader = pkg.imports["#loader"];
  imports["#loader"] = `/pkg/${(loader.browser ?? loader.default).slice(2)}`;
  return { imports };
}

function page(map, script) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>rig-wasm browser tests</title>
<script type="importmap">${JSON.stringify(map)}</script></head>
<body><pre id="log"></pre>
<script type="module" src="${script}"></script></body></html>`;
}

export async function startStaticServer({ host = "127.0.0.1" } = {}) {
  const map = await importMap();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://static");
    try {
      if (url.pathname === "/" || url.pathname.endsWith(".html")) {
        const script = url.searchParams.get("script") ?? "/tests/browser/page.mjs";
        res.writeHead(200, { "content-type": "text/html" });
        res.end(page(map, script));
        return;
      }
      let file;
      if (url.pathname.startsWith("/pkg/")) file = normalize(join(PKG, url.pathname.slice(5)));
      else if (url.pathname.startsWith("/tests/") || url.pathname.startsWith("/bench/") || url.pathname.startsWith("/examples/") || url.pathname.startsWith("/.cache/") || url.pathname.startsWith("/crates/local-model/tests/reference/")) file = normalize(join(ROOT, url.pathname));
      if (!file || !file.startsWith(ROOT)) throw Object.assign(new Error("forbidden"), { status: 403 });
      const body = await readFile(file);
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "content-length": body.byteLength,
        "cache-control": "no-store",
      });
      res.end(body);
    } catch (error) {
      res.writeHead(error.status ?? 404, { "content-type": "text/plain" });
      res.end(String(error.message));
    }
  });
  await new Promise((r) => server.listen(0, host, r));
  return { url: `http://${host}:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}
