// The project's own local LLM server: every provider wire format rig-wasm
// speaks, served from one HTTP server on 127.0.0.1, answering with the
// deterministic mock model in brain.mjs. Tests, examples, the browser
// harness, the benchmarks and the demo all use it.
//
// Behaviour can be steered per request with an `x-mock` header (or the
// model name `mock:<directives>`), comma-separated:
//   status=401          always answer with this HTTP status (provider-shaped error body)
//   fail=500:2          fail the first 2 requests of the session with 500, then answer
//   retry-after=1       add `Retry-After: 1` to failures (retry-after-ms=50 likewise)
//   session=abc         the key for `fail` counters (default: the header value itself)
//   delay=100           wait before answering (ms)
//   hang                never answer
//   invalid-json        answer 200 with a body that is not JSON
//   truncate            end a stream half way (cleanly), before its terminal event
//   reset               destroy the connection instead of answering
//   reset-mid           destroy the connection half way through a stream
//   stall-mid           stop sending half way through a stream, connection left open
//   crlf                end every line of a stream with CR LF instead of LF
//   comments            an SSE comment and a blank keep-alive line before every event (SSE wires)
//   error-event         send a provider error event in the middle of a stream
//   big-line=1048576    put a text delta of that many bytes in the stream
//   deltas=100000       stream that many text deltas ("x ") instead of the answer
//   chunk=256           write the stream in network chunks of this many bytes
//   pace=20             wait this many ms between stream events
// Under /qdrant: a stand-in for Qdrant's REST routes (mock/qdrant.mjs).
// Requests carrying `x-mock-session: <id>` are recorded under that session, and
// a session can be scripted with exact turns, in process (`server.enqueue`)
// or over HTTP, so the same test code runs in Node and in a browser:
//   POST /__mock/script   {session, items: [{turn: {text} | {toolCalls}} | {status, body?, headers?} | {directives}], clear?}
//   GET  /__mock/requests?session=<id>   the recorded requests, oldest first

import http from "node:http";
import { respond, tokens, words } from "./brain.mjs";
import { wires as openaiWires } from "./wires.mjs";
import { nativeWires } from "./wires-native.mjs";
import { qdrantStandIn } from "./qdrant.mjs";

const wires = [...nativeWires, ...openaiWires];

function parseDirectives(text) {
  const out = {};
  if (!text) return out;
  for (const part of String(text).split(",")) {
    const [key, value] = part.split("=");
    if (key.trim()) out[key.trim()] = value === undefined ? true : value.trim();
  }
  return out;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "*",
  "access-control-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
  "access-control-expose-headers": "*",
};

/** A writer that sends text in fixed-size network chunks (or as written). */
function chunkedWriter(res, chunkSize) {
  let pending = "";
  return {
    write(text) {
      if (!chunkSize) {
        res.write(text);
        return;
      }
      pending += text;
      while (pending.length >= chunkSize) {
        res.write(pending.slice(0, chunkSize));
        pending = pending.slice(chunkSize);
      }
    },
    flush() {
      if (pending) res.write(pending);
      pending = "";
    },
  };
}

/**
 * Start the server. Resolves to `{ url, port, requests, enqueue, reset, close }`.
 * `url` has no trailing slash; each wire lives under its provider's path.
 */
export async function startMockServer({ port = 0, host = "127.0.0.1", log = false } = {}) {
  const requests = [];
  const queues = new Map();
  const queueOf = (session) => {
    if (!queues.has(session)) queues.set(session, []);
    return queues.get(session);
  };
  const counters = new Map();
  const sockets = new Set();
  const qdrant = qdrantStandIn();

  const server = http.createServer(async (req, res) => {
    try {
      await handle(req, res);
    } catch (error) {
      if (log) console.error("mock server error", error);
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json", ...CORS });
        res.end(JSON.stringify({ error: { message: `mock server failure: ${error.message}` } }));
      } else {
        res.destroy();
      }
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 60_000;

  async function handle(req, res) {
    if (req.method === "OPTIONS") {
      res.writeHead(204, CORS);
      res.end();
      return;
    }
    const url = new URL(req.url, "http://mock");
    const raw = await readBody(req);
    if (url.pathname.startsWith("/__mock/")) return control(req, res, url, raw);
    if (url.pathname.startsWith("/qdrant/")) {
      let parsed;
      try {
        parsed = raw.length ? JSON.parse(raw.toString("utf8")) : undefined;
      } catch {
        parsed = undefined;
      }
      const out = qdrant.handle(req.method, url.pathname.slice("/qdrant".length), url.searchParams, parsed);
      res.writeHead(out.status, { "content-type": "application/json", ...CORS });
      res.end(JSON.stringify(out.body));
      return;
    }
    let body;
    try {
      body = raw.length ? JSON.parse(raw.toString("utf8")) : {};
    } catch {
      body = { __invalid: raw.toString("utf8") };
    }
    const sessionHeader = req.headers["x-mock-session"];
    const record = {
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      session: typeof sessionHeader === "string" ? sessionHeader : "default",
      // When the request came and when its reply was done (concurrency checks).
      startedAt: performance.now(),
      endedAt: undefined,
    };
    requests.push(record);
    res.on("finish", () => {
      record.endedAt = performance.now();
    });
    // Whether the client went away before the reply was complete (abort, cancel).
    record.closedEarly = false;
    res.on("close", () => {
      if (!res.writableFinished) record.closedEarly = true;
    });

    const wire = wires.find((w) => w.matches(req.method, url.pathname, body, url));
    if (!wire) {
      res.writeHead(404, { "content-type": "application/json", ...CORS });
      res.end(JSON.stringify({ error: { message: `mock server: no route for ${req.method} ${url.pathname}`, type: "not_found" } }));
      return;
    }

    const model = wire.model(body, url) ?? "";
    const modelDirectives = model.startsWith("mock:") ? model.slice(5) : "";
    const header = req.headers["x-mock"] ?? "";
    const d = parseDirectives([modelDirectives, header].filter(Boolean).join(","));
    const session = d.session ?? (record.session !== "default" ? record.session : header || modelDirectives || "default");

    let failure;
    if (d.status) failure = Number(d.status);
    if (d.fail) {
      const [status, times] = String(d.fail).split(":");
      const key = `${session}:${wire.name}`;
      const seen = counters.get(key) ?? 0;
      if (seen < Number(times ?? 1)) {
        counters.set(key, seen + 1);
        failure = Number(status);
      }
    }
    const queue = queueOf(record.session);
    const scripted = queue.length > 0 && (!queue[0].wire || queue[0].wire === wire.name) ? queue.shift() : undefined;
    if (scripted?.status) failure = scripted.status;
    // A scripted item may carry directives for this one request.
    if (scripted?.directives) Object.assign(d, parseDirectives(scripted.directives));

    if (d.delay) await new Promise((r) => setTimeout(r, Number(d.delay)));
    if (d.hang) return; // never answer; the client's timeout or abort ends it
    if (d.reset) {
      req.socket.destroy();
      return;
    }

    if (failure) {
      const headers = { "content-type": "application/json", ...CORS };
      if (d["retry-after"] !== undefined) headers["retry-after"] = String(d["retry-after"]);
      if (d["retry-after-ms"] !== undefined) headers["retry-after-ms"] = String(d["retry-after-ms"]);
      if (scripted?.headers) Object.assign(headers, scripted.headers);
      res.writeHead(failure, headers);
      res.end(JSON.stringify(scripted?.body ?? wire.errorBody(failure)));
      return;
    }

    if (d["invalid-json"]) {
      res.writeHead(200, { "content-type": "application/json", ...CORS });
      res.end("{ this is not json");
      return;
    }

    if (wire.kind === "embeddings") {
      const result = wire.embed(body, url);
      res.writeHead(200, { "content-type": "application/json", ...CORS });
      res.end(JSON.stringify(result));
      return;
    }

    const conversation = wire.conversation(body, url);
    record.conversation = conversation;
    let turn = scripted?.turn ?? respond(conversation, model);
    if (d.deltas) turn = { text: "x ".repeat(Number(d.deltas)), deltas: Number(d.deltas) };
    if (d["big-line"]) turn = { text: "y".repeat(Number(d["big-line"])), single: true };
    const usage = {
      input: tokens(JSON.stringify(body)),
      output: turn.deltas ?? tokens(turn.text ?? JSON.stringify(turn.toolCalls ?? [])),
    };

    if (wire.isStreaming(body, url)) {
      res.writeHead(200, { "content-type": wire.streamContentType ?? "text/event-stream", "cache-control": "no-cache", ...CORS });
      const out = chunkedWriter(res, d.chunk ? Number(d.chunk) : 0);
      const pieces = turn.deltas ? Array.from({ length: turn.deltas }, () => "x ") : turn.single ? [turn.text ?? ""] : words(turn.text ?? "");
      const events = wire.stream({ model, turn, pieces, usage });
      let index = 0;
      const total = events.length;
      for (const event of events) {
        index++;
        if (d["error-event"] && index === Math.max(2, Math.floor(total / 2))) {
          out.write(wire.streamError());
          out.flush();
          res.end();
          return;
        }
        if (d["reset-mid"] && index === Math.max(2, Math.floor(total / 2))) {
          out.flush();
          req.socket.destroy();
          return;
        }
        if (d["stall-mid"] && index === Math.max(2, Math.floor(total / 2))) {
          out.flush();
          return;
        }
        // Cut the stream half way, closing it cleanly: no terminal event ever comes.
        if (d.truncate && index === Math.max(2, Math.floor(total / 2))) break;
        const sseWire = (wire.streamContentType ?? "text/event-stream") === "text/event-stream";
        let text = event.text;
        if (d.comments && sseWire) text = `: keep-alive\n\n${text}`;
        if (d.crlf) text = text.replace(/\r?\n/g, "\r\n");
        out.write(text);
        if (d.pace) await new Promise((r) => setTimeout(r, Number(d.pace)));
        // Yield now and then so a long stream really is incremental.
        else if (!d.chunk && index % 64 === 0) await new Promise((r) => setImmediate(r));
      }
      out.flush();
      res.end();
      return;
    }

    res.writeHead(200, { "content-type": "application/json", "x-request-id": `req_${requests.length}`, ...CORS });
    res.end(JSON.stringify(wire.whole({ model, turn, usage })));
  }

  function control(req, res, url, raw) {
    const json = (status, value) => {
      res.writeHead(status, { "content-type": "application/json", ...CORS });
      res.end(JSON.stringify(value));
    };
    if (req.method === "POST" && url.pathname === "/__mock/script") {
      const { session = "default", items = [], clear = false } = JSON.parse(raw.toString("utf8") || "{}");
      if (clear) queueOf(session).length = 0;
      queueOf(session).push(...items);
      return json(200, { ok: true, queued: queueOf(session).length });
    }
    if (req.method === "GET" && url.pathname === "/__mock/requests") {
      const session = url.searchParams.get("session");
      return json(200, requests.filter((r) => !session || r.session === session));
    }
    return json(404, { error: { message: `unknown control route ${url.pathname}` } });
  }

  await new Promise((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  const base = `http://${host}:${address.port}`;
  return {
    url: base,
    port: address.port,
    requests,
    /** Script the next answer: `{turn: {text} | {toolCalls}}` or `{status, body?, headers?}`; `wire` limits it to one route. */
    enqueue(...items) {
      queueOf("default").push(...items);
    },
    /** Script the next answers of one session. */
    script(session, ...items) {
      queueOf(session).push(...items);
    },
    /** Forget recorded requests, scripts and counters. */
    reset() {
      requests.length = 0;
      queues.clear();
      counters.clear();
    },
    /** The last recorded request (optionally of one path). */
    last(path) {
      for (let i = requests.length - 1; i >= 0; i--) if (!path || requests[i].path === path) return requests[i];
      return undefined;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
