/**
 * Values cross into wasm as JSON text made here, never as live objects: a
 * cyclic object, a BigInt or a getter that throws becomes a clear
 * InvalidArgumentError instead of a trap inside the module.
 *
 * JSON has no `NaN`, `Infinity` or BigInt, and `JSON.stringify` would turn the
 * first two into `null` and throw on the third. Neither is sent: the value is
 * rejected with the path of the offending number (`history[2].content`,
 * `additionalParams.top_p`, `result.items[0].score`).
 */
import { InvalidArgumentError } from "./errors.js";

/** A value JSON cannot carry, at `path`. */
class NotJson extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** A replacer that throws `NotJson` for non-finite numbers and BigInts, naming their path under `root` ("" for bare keys). */
function checking(root: string): (this: unknown, key: string, value: unknown) => unknown {
  const paths = new WeakMap<object, string>();
  return function (this: unknown, key: string, value: unknown): unknown {
    const parent = typeof this === "object" && this !== null ? paths.get(this) : undefined;
    let path: string;
    if (parent === undefined) path = key === "" ? root : root === "" ? key : `${root}.${key}`;
    else path = Array.isArray(this) ? `${parent}[${key}]` : parent === "" ? key : `${parent}.${key}`;
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new NotJson(path || "value", `must be a finite number, got ${value} (JSON cannot carry it)`);
    }
    if (typeof value === "bigint") {
      throw new NotJson(path || "value", `is a BigInt, which JSON cannot carry exactly: convert it to a number or a string`);
    }
    if (typeof value === "object" && value !== null) paths.set(value, path);
    return value;
  };
}

/**
 * `JSON.stringify` that names the field at fault when the value cannot be
 * sent. Paths start at `field`; with `bare`, an object's keys are named on
 * their own (an options object: `temperature`, not `options.temperature`).
 */
export function toJson(value: unknown, field: string, bare = false): string {
  try {
    const json = JSON.stringify(value, checking(bare ? "" : field));
    return json === undefined ? "null" : json;
  } catch (error) {
    if (error instanceof NotJson) throw new InvalidArgumentError(error.path, error.reason);
    const reason = error instanceof Error ? error.message : String(error);
    const circular = /circular|cyclic/i.test(reason);
    throw new InvalidArgumentError(
      field,
      circular ? "contains a circular reference and cannot be sent" : `cannot be converted to JSON (${reason})`,
      { cause: error },
    );
  }
}

/** JSON for a value a user's code returned (a tool or store result), paths under `root`: never throws. */
export function describeValue(value: unknown, root = "result"): { ok: true; json: string } | { ok: false; reason: string } {
  try {
    const json = JSON.stringify(value, checking(root));
    if (json === undefined) return { ok: true, json: "null" };
    return { ok: true, json };
  } catch (error) {
    if (error instanceof NotJson) return { ok: false, reason: error.message };
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, reason };
  }
}

/** The text of anything thrown, for a model or a log. */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return `${thrown.name}: ${thrown.message}`;
  if (typeof thrown === "string") return thrown;
  if (thrown === undefined) return "undefined";
  const described = describeValue(thrown);
  if (described.ok) return described.json;
  try {
    return String(thrown);
  } catch {
    return Object.prototype.toString.call(thrown);
  }
}

/** A plain object, not an array, a class instance or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `typeof`, with `null` and `array` told apart. */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
