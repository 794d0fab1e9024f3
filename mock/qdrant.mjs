// A stand-in for the Qdrant REST routes rig-wasm/qdrant uses, written from
// Qdrant's API reference (no registry ships the server): collections
// (get, create with cosine distance, delete) and points (upsert with
// `wait=true`, query by vector with a limit, a score threshold, a payload
// filter; delete by ids or filter; count). Ids are unsigned integers or
// UUIDs; vectors must have the collection's size; replies use Qdrant's
// envelope (`{result, status, time}`, errors as `{status: {error}}`).
// Mounted by mock/server.mjs under /qdrant.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function cosine(a, b) {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function valueAt(payload, key) {
  return key.split(".").reduce((v, k) => (v === undefined || v === null ? undefined : v[k]), payload);
}

/** Whether a point matches a Qdrant filter (must / should / must_not; match, range, has_id). */
function matches(point, filter) {
  if (!filter) return true;
  const test = (condition) => {
    if (condition.must || condition.should || condition.must_not) return matches(point, condition);
    if (condition.has_id) return condition.has_id.map(String).includes(String(point.id));
    const value = valueAt(point.payload ?? {}, condition.key);
    if (condition.match) {
      if ("value" in condition.match) return Array.isArray(value) ? value.includes(condition.match.value) : value === condition.match.value;
      if ("any" in condition.match) return condition.match.any.includes(value);
    }
    if (condition.range) {
      const r = condition.range;
      return typeof value === "number" && (r.gt === undefined || value > r.gt) && (r.gte === undefined || value >= r.gte) && (r.lt === undefined || value < r.lt) && (r.lte === undefined || value <= r.lte);
    }
    return false;
  };
  if (filter.must && !filter.must.every(test)) return false;
  if (filter.should && filter.should.length > 0 && !filter.should.some(test)) return false;
  if (filter.must_not && filter.must_not.some(test)) return false;
  return true;
}

export function qdrantStandIn() {
  const collections = new Map();
  const started = Date.now();
  const reply = (status, result) => ({ status, body: { result, status: "ok", time: (Date.now() - started) / 1e6 } });
  const error = (status, message) => ({ status, body: { status: { error: message }, time: 0 } });

  /** Handle `method path` (below /qdrant) with `body`; `{status, body}`. */
  function handle(method, path, query, body) {
    const m = path.match(/^\/collections\/([^/]+)(\/points(?:\/(query|delete|count))?)?$/);
    if (!m) return error(404, `Not found: ${path}`);
    const name = decodeURIComponent(m[1]);
    const collection = collections.get(name);
    const action = m[2] ? m[3] ?? "upsert" : "collection";
    if (action === "collection") {
      if (method === "GET") {
        if (!collection) return error(404, `Not found: Collection \`${name}\` doesn't exist!`);
        return reply(200, { status: "green", points_count: collection.points.size, config: { params: { vectors: { size: collection.size, distance: collection.distance } } } });
      }
      if (method === "PUT") {
        if (collection) return error(409, `Wrong input: Collection \`${name}\` already exists!`);
        const vectors = body?.vectors;
        if (!vectors || !Number.isInteger(vectors.size) || vectors.size < 1) return error(400, "Bad request: vectors.size is required");
        if (!["Cosine", "Dot", "Euclid", "Manhattan"].includes(vectors.distance)) return error(400, `Bad request: unknown distance ${vectors.distance}`);
        collections.set(name, { size: vectors.size, distance: vectors.distance, points: new Map() });
        return reply(200, true);
      }
      if (method === "DELETE") return reply(200, collections.delete(name));
      return error(405, "Method not allowed");
    }
    if (!collection) return error(404, `Not found: Collection \`${name}\` doesn't exist!`);
    if (action === "upsert") {
      if (method !== "PUT") return error(405, "Method not allowed");
      if (query.get("wait") !== "true") return error(400, "the stand-in expects wait=true");
      for (const [i, point] of (body?.points ?? []).entries()) {
        const id = point.id;
        if (!((Number.isSafeInteger(id) && id >= 0) || (typeof id === "string" && UUID.test(id)))) {
          return error(400, `Format error in JSON body: points[${i}].id: value ${JSON.stringify(id)} is not a valid point ID, valid values are either an unsigned integer or a UUID`);
        }
        if (!Array.isArray(point.vector) || point.vector.length !== collection.size) {
          return error(400, `Wrong input: Vector dimension error: expected dim: ${collection.size}, got ${point.vector?.length}`);
        }
      }
      for (const point of body.points) collection.points.set(String(point.id), { id: point.id, vector: point.vector, payload: point.payload ?? {} });
      return reply(200, { operation_id: 1, status: "completed" });
    }
    if (method !== "POST") return error(405, "Method not allowed");
    if (action === "query") {
      const vector = body?.query;
      if (!Array.isArray(vector) || vector.length !== collection.size) return error(400, `Wrong input: Vector dimension error: expected dim: ${collection.size}, got ${vector?.length}`);
      const limit = body.limit ?? 10;
      const points = [...collection.points.values()]
        .filter((p) => matches(p, body.filter))
        .map((p) => ({ id: p.id, version: 0, score: cosine(vector, p.vector), ...(body.with_payload ? { payload: p.payload } : {}) }))
        .filter((p) => body.score_threshold === undefined || p.score >= body.score_threshold)
        .sort((a, b) => b.score - a.score)
        .slice(0, limit);
      return reply(200, { points });
    }
    if (action === "delete") {
      if (query.get("wait") !== "true") return error(400, "the stand-in expects wait=true");
      if (Array.isArray(body?.points)) {
        for (const id of body.points) collection.points.delete(String(id));
      } else if (body?.filter) {
        for (const [key, p] of collection.points) if (matches(p, body.filter)) collection.points.delete(key);
      } else {
        return error(400, "Bad request: points or filter is required");
      }
      return reply(200, { operation_id: 2, status: "completed" });
    }
    if (action === "count") {
      return reply(200, { count: [...collection.points.values()].filter((p) => matches(p, body?.filter)).length });
    }
    return error(404, "Not found");
  }

  return { handle, collections };
}
