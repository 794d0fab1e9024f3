// A deterministic stand-in for a language model, shared by every mock
// provider server. It reads a provider-neutral conversation and decides the
// next assistant turn: text, or tool calls. Tests can also script turns
// exactly (see `session.script`); without a script it follows a few plain
// rules so the design's examples and the demo read sensibly:
//
// - tool results in the last turn  -> an answer that reports them (errors too)
// - a prompt that asks for a tool  -> calls to it (several at once when the
//   prompt asks for several), with arguments read from the prompt
// - documents in the prompt        -> an answer that cites their ids
// - anything else                  -> a short reply that shows what it saw
//
// Conversation shape (what each wire adapter produces):
//   { system: string, messages: [{ role: "user" | "assistant" | "tool",
//     text, toolCalls?: [{id, name, arguments}], toolResults?: [{id, name?, content}] }],
//     tools: [{ name, description, parameters }], documents: [{ id, text }] }

const LOREM =
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.";

const FACTS = [
  [/capital of france/i, "The capital of France is Paris."],
  [/capital of (japan|tokyo)/i, "The capital of Japan is Tokyo."],
  [/lorem ipsum/i, LOREM],
  [/learning rust|help me.*rust|i'?m learning rust/i, "Of course! Rust is a great choice. I'm happy to help you learn it step by step."],
  [/basic concepts|start with/i, "Start with ownership and borrowing, then structs, enums and pattern matching, and finally traits and error handling with Result."],
  [/robot learning to paint|short story/i, "Unit 7 had never held a brush. It studied the sunrise for a thousand mornings, mixing orange and violet until, one dawn, its canvas glowed warmer than its circuits."],
  [/poem about resilience/i, "Bent by the storm, the reed still stands; / roots hold fast in shifting sands."],
];

const OPERATORS = { "*": "multiply", x: "multiply", "×": "multiply", "+": "add", "-": "subtract", "/": "divide", "÷": "divide" };

/** Words of a text, for streaming deltas. */
export function words(text) {
  return text.match(/\S+\s*/g) ?? [];
}

/** A rough token count, as providers report usage. */
export function tokens(text) {
  return Math.max(1, Math.ceil(String(text).length / 4));
}

function lastUser(conversation) {
  for (let i = conversation.messages.length - 1; i >= 0; i--) {
    const message = conversation.messages[i];
    if (message.role === "user" && message.text) return message.text;
  }
  return "";
}

/** Arguments for `tool` read from `text`, following its JSON schema. */
function argumentsFor(tool, text) {
  const properties = tool.parameters?.properties ?? {};
  const args = {};
  const numbers = [...text.matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
  const expression = text.match(/(-?\d+(?:\.\d+)?)\s*([*x×+\-/÷])\s*(-?\d+(?:\.\d+)?)/);
  let numberIndex = 0;
  for (const [name, schema] of Object.entries(properties)) {
    if (schema.type === "number" || schema.type === "integer") {
      if (expression && numberIndex < 2) {
        args[name] = Number(expression[numberIndex === 0 ? 1 : 3]);
      } else if (numberIndex < numbers.length) {
        args[name] = numbers[numberIndex];
      }
      numberIndex++;
    } else if (Array.isArray(schema.enum)) {
      const operator = expression ? OPERATORS[expression[2]] : undefined;
      const named = schema.enum.find((value) => new RegExp(`\\b${value}`, "i").test(text));
      args[name] = schema.enum.includes(operator) ? operator : (named ?? schema.enum[0]);
    } else if (schema.type === "string") {
      const place = text.match(/\b(?:in|for|at)\s+([A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)/);
      const quoted = text.match(/"([^"]+)"/);
      args[name] = place?.[1] ?? quoted?.[1] ?? text;
    }
  }
  return args;
}

/** Whether the prompt asks for `tool`. */
function wants(tool, text) {
  const name = tool.name.toLowerCase();
  const lower = text.toLowerCase();
  if (lower.includes(name)) return true;
  if (/calc|math|arith/.test(name) && /-?\d+(?:\.\d+)?\s*[*x×+\-/÷]\s*-?\d+/.test(text)) return true;
  if (/weather/.test(name) && /weather|temperature|forecast/.test(lower)) return true;
  if (/count/.test(name) && /increment|count/.test(lower)) return true;
  if (/search|lookup|retriev/.test(name) && /search|look up|find/.test(lower)) return true;
  return false;
}

let callCounter = 0;
function callId() {
  callCounter += 1;
  return `call_${String(callCounter).padStart(4, "0")}`;
}

function describeResult(result) {
  const content = String(result.content ?? "");
  const name = result.name ?? "the tool";
  if (/error|failed|cannot|invalid/i.test(content) && !/^\{/.test(content.trim())) {
    return `${name} reported an error (${content.trim()}), so I could not complete that part`;
  }
  try {
    const value = JSON.parse(content);
    if (value && typeof value === "object" && "result" in value) return `${name} gave ${JSON.stringify(value.result)}`;
    if (value && typeof value === "object" && "temperature" in value) {
      return `the weather in ${value.location ?? "that place"} is ${value.condition ?? "unknown"} at ${value.temperature}°C`;
    }
  } catch {
    // plain text result
  }
  return `${name} returned ${content.trim()}`;
}

/**
 * The next assistant turn for `conversation`:
 * `{ text }` or `{ toolCalls: [{ id, name, arguments }] , text? }`.
 */
export function respond(conversation, model = "mock") {
  const last = conversation.messages[conversation.messages.length - 1];
  const prompt = lastUser(conversation);

  if (last && last.toolResults && last.toolResults.length > 0) {
    const parts = last.toolResults.map(describeResult);
    const sentence = parts.join("; and ");
    return { text: `Here is what I found: ${sentence}.` };
  }

  const tools = conversation.tools ?? [];
  if (tools.length > 0 && last?.role === "user") {
    const calls = tools.filter((tool) => wants(tool, prompt)).map((tool) => ({
      id: callId(),
      name: tool.name,
      arguments: argumentsFor(tool, prompt),
    }));
    if (calls.length > 0) return { toolCalls: calls };
  }

  const docs = conversation.documents ?? [];
  if (docs.length > 0) {
    const cited = docs.map((doc) => doc.id).join(", ");
    const first = documentText(docs[0].text).split(/(?<=\.)\s/)[0];
    return { text: `According to the documents (${cited}): ${first}` };
  }

  for (const [pattern, answer] of FACTS) {
    if (pattern.test(prompt)) return { text: answer };
  }

  const earlier = conversation.messages.filter((m) => m.role === "user" && m.text).slice(0, -1);
  if (earlier.length > 0) {
    return { text: `Earlier you said "${earlier[earlier.length - 1].text}". Now you ask: "${prompt}".` };
  }
  const system = conversation.system ? ` (instructions: ${conversation.system})` : "";
  return { text: `You said: "${prompt}".${system} [${model}]` };
}

/** The readable text of a document: Rig renders stored JSON documents as JSON. */
function documentText(text) {
  try {
    const value = JSON.parse(text);
    if (typeof value === "string") return value;
    if (value && typeof value.text === "string") return value.text;
  } catch {
    // plain text
  }
  return text;
}

/** Documents Rig renders into a prompt as `<file id: …>` blocks. */
export function extractDocuments(text) {
  const docs = [];
  for (const match of String(text).matchAll(/<file id: ([^>]+)>\n([\s\S]*?)\n<\/file>/g)) {
    docs.push({ id: match[1], text: match[2] });
  }
  return docs;
}

/** Text with `<file>` blocks removed. */
export function withoutDocuments(text) {
  return String(text).replace(/<file id: [^>]+>\n[\s\S]*?\n<\/file>\n?/g, "").trim();
}
