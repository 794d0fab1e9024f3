/**
 * Values cross into wasm as JSON text made here, never as live objects: a
 * cyclic object, a BigInt or a getter that throws becomes a clear
 * InvalidArgumentError instead of a trap inside the module.
 */
import { InvalidArgumentError } from "./errors.js";

/** Marker the Rust option reader recognises as "not a finite number". */
const NON_FINITE = "__rig_non_finite__:";

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return `${NON_FINITE}${value}`;
  if (typeof value === "bigint") return Number(value);
  return value;
}

/** `JSON.stringify` that names `field` when the value cannot be serialised. */
export function toJson(value: unknown, field: string): string {
  try {
    const json = JSON.stringify(value, replacer);
    return json === undefined ? "null" : json;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const circular = /circular|cyclic/i.test(reason);
    throw new InvalidArgumentError(
      field,
      circular ? "contains a circular reference and cannot be sent" : `cannot be converted to JSON (${reason})`,
      { cause: error },
    );
  }
}

/** JSON for a value a user's code returned (a tool result): never throws. */
export function describeValue(value: unknown): { ok: true; json: string } | { ok: false; reason: string } {
  try {
    const json = JSON.stringify(value, replacer);
    if (json === undefined) return { ok: true, json: "null" };
    return { ok: true, json };
  } catch (error) {
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
