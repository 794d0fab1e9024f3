// A tiny test vocabulary that runs unchanged in Node.js and in Chromium, so
// every behaviour is written once and checked in both. Scenario files call
// `scenario(name, fn)`; the Node runner (tests/node) and the browser runner
// (tests/browser) each execute the registered scenarios. `fn(env)` receives
// `{ mockUrl, testing, runtime }` (`testing`: the package's test hooks, from
// dist/testing.js) and should throw on failure.

export function defineScenarios(register) {
  const list = [];
  const scenario = (name, fn, options = {}) => list.push({ name, fn, timeout: options.timeout ?? 20_000, skip: options.skip });
  register(scenario);
  return list;
}

class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = "AssertionError";
  }
}

function show(value) {
  try {
    return typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value, (_k, v) => (v instanceof Float32Array ? Array.from(v) : v));
  } catch {
    return String(value);
  }
}

function deepEqual(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual(a[k], b[k]));
}

export const assert = {
  ok(value, message = "expected a truthy value") {
    if (!value) throw new AssertionError(`${message} (got ${show(value)})`);
  },
  equal(actual, expected, message = "") {
    if (!Object.is(actual, expected)) throw new AssertionError(`${message ? `${message}: ` : ""}expected ${show(expected)}, got ${show(actual)}`);
  },
  deepEqual(actual, expected, message = "") {
    if (!deepEqual(actual, expected)) throw new AssertionError(`${message ? `${message}: ` : ""}expected ${show(expected)}, got ${show(actual)}`);
  },
  match(text, pattern, message = "") {
    if (typeof text !== "string" || !pattern.test(text)) throw new AssertionError(`${message ? `${message}: ` : ""}expected ${show(text)} to match ${pattern}`);
  },
  /** Await `promise` (or call `fn`), expect it to fail, check the error, return it. */
  async rejects(work, check = {}) {
    let error;
    try {
      await (typeof work === "function" ? work() : work);
    } catch (e) {
      error = e;
    }
    if (error === undefined) throw new AssertionError(`expected a failure ${show(check)}, but it succeeded`);
    checkError(error, check);
    return error;
  },
  /** Call `fn` synchronously, expect it to throw, check the error, return it. */
  throws(fn, check = {}) {
    let error;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    if (error === undefined) throw new AssertionError(`expected a throw ${show(check)}, but it returned`);
    checkError(error, check);
    return error;
  },
};

function checkError(error, check) {
  if (check.instanceOf && !(error instanceof check.instanceOf)) {
    throw new AssertionError(`expected ${check.instanceOf.name}, got ${error?.name}: ${error?.message}`);
  }
  for (const key of ["name", "code", "statusCode", "provider", "field", "isRetryable"]) {
    if (key in check && error?.[key] !== check[key]) {
      throw new AssertionError(`expected error.${key} = ${show(check[key])}, got ${show(error?.[key])} (${error?.name}: ${error?.message})`);
    }
  }
  if (check.message && !check.message.test(String(error?.message))) {
    throw new AssertionError(`expected error message to match ${check.message}, got ${show(error?.message)}`);
  }
  if (String(error?.message).includes("unreachable") || error instanceof WebAssembly.RuntimeError) {
    throw new AssertionError(`a wasm trap escaped: ${error?.message}`);
  }
}

/** Five documents for retrieval scenarios: two about WebAssembly (1 and 4), two about Rust (0 and 3). */
export const DOCS = [
  "Rust is a systems programming language that runs blazingly fast.",
  "WebAssembly is a binary instruction format for a stack-based virtual machine.",
  "Machine learning is a subset of artificial intelligence.",
  "The Rust programming language is designed for performance and safety.",
  "WebAssembly enables high-performance applications on the web.",
];

/** A fresh session id: scopes mock scripts and recorded requests. */
export function session(prefix = "s") {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}-${Date.now().toString(36)}`;
}

/** Script the mock's next answers for `sessionId`. */
export async function script(mockUrl, sessionId, ...items) {
  const response = await fetch(`${mockUrl}/__mock/script`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ session: sessionId, items }),
  });
  if (!response.ok) throw new Error(`scripting the mock failed: ${response.status}`);
}

/** Drop what is still scripted for `sessionId`. */
export async function clearScript(mockUrl, sessionId) {
  await fetch(`${mockUrl}/__mock/script`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ session: sessionId, items: [], clear: true }),
  });
}

/** The requests the mock recorded for `sessionId`. */
export async function recorded(mockUrl, sessionId) {
  const response = await fetch(`${mockUrl}/__mock/requests?session=${encodeURIComponent(sessionId)}`);
  return response.json();
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A `fetch` that hands every response body over in reads of 1–7 bytes (a
 * seeded sequence), so UTF-8 characters, CRLF pairs and `data:` lines are cut
 * at every possible place, as a slow or congested network cuts them.
 */
export function tinyReads(seed = 7) {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!response.body) return response;
    let state = seed;
    const size = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return (state % 7) + 1;
    };
    const reader = response.body.getReader();
    let pending = new Uint8Array(0);
    const body = new ReadableStream(
      {
        async pull(controller) {
          while (pending.length === 0) {
            const { done, value } = await reader.read();
            if (done) {
              controller.close();
              return;
            }
            pending = value;
          }
          const n = Math.min(size(), pending.length);
          controller.enqueue(pending.slice(0, n));
          pending = pending.subarray(n);
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** An `add(a, b)` tool, for tool-calling scenarios. */
export async function addTool() {
  const { tool } = await import("rig-wasm");
  return tool({
    name: "add",
    description: "Add two numbers",
    parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
    execute: ({ a, b }) => a + b,
  });
}
