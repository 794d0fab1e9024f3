/**
 * JavaScript tools for Rig's agent loop.
 *
 * Two shapes are accepted:
 * - a tool object: `name()`, `definition(prompt)` (sync or async) and
 *   `call(args)` (value or Promise), with state kept on the object (`this`);
 * - the short form: `{name, description, parameters, execute(args)}`, which
 *   `tool()` types.
 *
 * Whatever a tool does — throw, reject with a non-Error, return something
 * JSON cannot hold — becomes the text of a failed tool result that goes back
 * to the model, so the model can recover. Nothing reaches the wasm side but
 * strings.
 */
import type { JsonSchema, ToolDefinition } from "./completion.js";
import { InvalidArgumentError } from "./errors.js";
import { describeThrown, describeValue, typeName } from "./json.js";

/** A tool object: its name, its definition for a prompt, and the call. */
export interface ToolObject {
  name(): string;
  definition(prompt: string): ToolDefinition | Promise<ToolDefinition>;
  call(args: any): unknown;
  [state: string]: unknown;
}

/** The short form, typed by `tool()`. */
export interface SimpleTool<Args = any, Result = unknown> {
  name: string;
  description: string;
  parameters: JsonSchema;
  execute(args: Args): Result | Promise<Result>;
}

export type Tool = ToolObject | SimpleTool;

/** Define a tool in the short form, with typed arguments and result. */
export function tool<Args = Record<string, unknown>, Result = unknown>(
  definition: SimpleTool<Args, Result>,
): SimpleTool<Args, Result> {
  return definition;
}

type Entry =
  | { kind: "simple"; tool: SimpleTool; definition: ToolDefinition }
  | { kind: "object"; tool: ToolObject; name: string };

/** The bridge the wasm side calls: resolves to the output text, rejects with the failure text. */
export type Invoker = (name: string, argumentsJson: string) => Promise<string>;

export class ToolBox {
  readonly #entries: Entry[];
  readonly #byName = new Map<string, Entry>();
  /** The definitions JSON last sent to the wasm side. */
  #sent: string | undefined;

  constructor(tools: unknown) {
    if (tools === undefined || tools === null) {
      this.#entries = [];
      return;
    }
    if (!Array.isArray(tools)) {
      throw new InvalidArgumentError("tools", `must be an array of tools, got ${typeName(tools)}`);
    }
    this.#entries = tools.map((candidate, index) => entryOf(candidate, `tools[${index}]`));
    // Names are checked (format, uniqueness) by the wasm side with the definitions.
    for (const entry of this.#entries) {
      const name = entry.kind === "simple" ? entry.definition.name : entry.name;
      if (!this.#byName.has(name)) this.#byName.set(name, entry);
    }
  }

  /** The definitions JSON the wasm side has (to re-create it after a restart). */
  lastSent(): string | undefined {
    return this.#sent;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Whether definitions can change per prompt (tool objects). */
  get dynamic(): boolean {
    return this.#entries.some((entry) => entry.kind === "object");
  }

  /**
   * The definitions for `prompt` as JSON, or `undefined` when they are the
   * ones last sent (so the agent is not rebuilt).
   */
  async changedDefinitions(prompt: string): Promise<string | undefined> {
    const definitions = await Promise.all(this.#entries.map((entry, index) => definitionOf(entry, prompt, index)));
    const json = safeDefinitionsJson(definitions);
    if (json === this.#sent) return undefined;
    this.#sent = json;
    return json;
  }

  /** The definitions when every one is known without waiting, else undefined. */
  initialDefinitions(): string | undefined {
    const out: unknown[] = [];
    for (const [index, entry] of this.#entries.entries()) {
      if (entry.kind === "simple") {
        out.push(entry.definition);
        continue;
      }
      let definition: unknown;
      try {
        definition = entry.tool.definition("");
      } catch (error) {
        throw new InvalidArgumentError(`tools[${index}].definition`, `threw: ${describeThrown(error)}`, { cause: error });
      }
      if (definition instanceof Promise || (typeof definition === "object" && definition !== null && typeof (definition as Promise<unknown>).then === "function")) {
        // Resolved before the first call instead.
        (definition as Promise<unknown>).then(undefined, () => undefined);
        return undefined;
      }
      checkName(entry, definition, index);
      out.push(definition);
    }
    const json = safeDefinitionsJson(out);
    this.#sent = json;
    return json;
  }

  /** The bridge handed to the wasm side. */
  readonly invoke: Invoker = async (name, argumentsJson) => {
    const entry = this.#byName.get(name);
    if (entry === undefined) {
      throw `there is no tool named "${name}"; available tools: ${[...this.#byName.keys()].join(", ")}`;
    }
    let args: unknown;
    try {
      args = JSON.parse(argumentsJson);
    } catch {
      throw `the arguments for ${name} were not valid JSON: ${argumentsJson.slice(0, 200)}`;
    }
    let result: unknown;
    try {
      result = entry.kind === "simple" ? await entry.tool.execute(args) : await entry.tool.call(args);
    } catch (error) {
      throw describeThrown(error);
    }
    if (typeof result === "string") return result;
    const described = describeValue(result);
    if (!described.ok) {
      throw `the tool ${name} returned a value that cannot be converted to JSON (${described.reason})`;
    }
    return described.json;
  };
}

function entryOf(candidate: unknown, path: string): Entry {
  if (typeof candidate !== "object" || candidate === null) {
    throw new InvalidArgumentError(path, `must be a tool object, got ${typeName(candidate)}`);
  }
  const value = candidate as Record<string, unknown>;
  if (typeof value.definition === "function" && typeof value.call === "function") {
    let name: unknown;
    try {
      name = typeof value.name === "function" ? (value.name as () => unknown).call(value) : value.name;
    } catch (error) {
      throw new InvalidArgumentError(`${path}.name`, `threw: ${describeThrown(error)}`, { cause: error });
    }
    if (typeof name !== "string" || name.trim() === "") {
      throw new InvalidArgumentError(`${path}.name`, "must be a function returning the tool's name");
    }
    return { kind: "object", tool: value as unknown as ToolObject, name };
  }
  if (typeof value.execute === "function") {
    if (typeof value.name !== "string" || value.name.trim() === "") {
      throw new InvalidArgumentError(`${path}.name`, `must be a non-empty string, got ${typeName(value.name)}`);
    }
    if (value.description !== undefined && typeof value.description !== "string") {
      throw new InvalidArgumentError(`${path}.description`, `must be a string, got ${typeName(value.description)}`);
    }
    const definition: ToolDefinition = {
      name: value.name,
      description: (value.description as string | undefined) ?? "",
      parameters: (value.parameters as JsonSchema | undefined) ?? { type: "object", properties: {} },
    };
    return { kind: "simple", tool: value as unknown as SimpleTool, definition };
  }
  throw new InvalidArgumentError(
    path,
    "must have name(), definition(prompt) and call(args), or name, description, parameters and execute(args)",
  );
}

function checkName(entry: Entry & { kind: "object" }, definition: unknown, index: number): void {
  const defName = (definition as { name?: unknown } | null)?.name;
  if (typeof defName === "string" && defName !== entry.name) {
    throw new InvalidArgumentError(
      `tools[${index}].definition`,
      `returned name "${defName}" but name() returns "${entry.name}"`,
    );
  }
}

async function definitionOf(entry: Entry, prompt: string, index: number): Promise<unknown> {
  if (entry.kind === "simple") return entry.definition;
  let definition: unknown;
  try {
    definition = await entry.tool.definition(prompt);
  } catch (error) {
    throw new InvalidArgumentError(`tools[${index}].definition`, `threw: ${describeThrown(error)}`, { cause: error });
  }
  checkName(entry, definition, index);
  return definition;
}

function safeDefinitionsJson(definitions: unknown[]): string {
  const described = describeValue(definitions);
  if (!described.ok) {
    throw new InvalidArgumentError("tools", `a definition cannot be converted to JSON (${described.reason})`);
  }
  return described.json;
}
