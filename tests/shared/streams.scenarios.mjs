// The stream matrix: every wire format rig-wasm speaks, delivered the ways
// real networks deliver it, and the complete sequence of parts checked each
// time (types in order, ids, text, tool calls and results, usage).
//
// Network shapes: one event per read with pauses between them (as providers
// send tokens); reads of 1–7 bytes that cut UTF-8 characters and `data:`
// lines; CRLF line endings cut the same way; SSE comments and keep-alive
// lines between events. Scenarios: non-ASCII text; a tool call as the first
// turn; two parallel calls of the same tool; an error event mid-stream.
// Runs in Node and Chromium.

import { RigError } from "rig-wasm";
import { addTool, assert, defineScenarios, recorded, script, session, tinyReads } from "./harness.mjs";
import { PROVIDERS, chatOptions } from "./providers.scenarios.mjs";

const WIRES = [
  ["openai", undefined],
  ["openai", "chat"],
  ["anthropic", undefined],
  ["gemini", undefined],
  ["cohere", undefined],
  ["ollama", undefined],
  ["deepseek", undefined],
  ["mistral", undefined],
  ["zai", "messages"],
].map(([id, api]) => PROVIDERS.find((p) => p.id === id && p.api === api));

const SHAPES = {
  "one event per read, paced": { directives: "pace=15" },
  "reads of 1-7 bytes": { tiny: true },
  "CRLF in reads of 1-7 bytes": { directives: "crlf", tiny: true },
  "comments and keep-alive lines": { directives: "comments,pace=2" },
};

const TEXT = "Zürich — 東京 🚀 naïve café, «ok».";


/** Every part of a stream, and the error it ended with (if any). */
async function drain(stream) {
  const parts = [];
  try {
    for await (const part of stream) parts.push(part);
    return { parts, error: undefined };
  } catch (error) {
    return { parts, error };
  }
}

/** The part types in order, runs of one type collapsed. */
function kinds(parts, skip = []) {
  const out = [];
  for (const part of parts) {
    if (skip.includes(part.type)) continue;
    if (out[out.length - 1] !== part.type) out.push(part.type);
  }
  return out;
}

/** Parts of one block share an id; ids of different blocks differ; deltas never come after their end. */
function checkIds(parts) {
  const open = new Map();
  const ended = new Set();
  for (const part of parts) {
    const kind = part.type.replace(/(Start|Delta|End)$/, "");
    if (!/(Start|Delta|End)$/.test(part.type)) continue;
    assert.ok(typeof part.id === "string" && part.id.length > 0, `${part.type} has an id`);
    assert.ok(!ended.has(part.id), `${part.type} ${part.id} after its block ended`);
    if (part.type.endsWith("Start")) {
      assert.ok(!open.has(part.id), `block ${part.id} started twice`);
      open.set(part.id, kind);
    } else {
      assert.equal(open.get(part.id), kind, `${part.type} ${part.id} belongs to an open ${kind} block`);
      if (part.type.endsWith("End")) {
        open.delete(part.id);
        ended.add(part.id);
      }
    }
  }
  assert.equal(open.size, 0, "every block that started ended");
}

function checkFinish(parts, output) {
  const finish = parts[parts.length - 1];
  assert.equal(finish.type, "finish", "the last part is finish");
  assert.equal(finish.text, null);
  assert.equal(finish.output, output, "finish carries the whole answer");
  assert.ok(finish.usage.inputTokens > 0 && finish.usage.outputTokens > 0, "finish carries the usage");
  assert.equal(finish.usage.totalTokens, finish.usage.inputTokens + finish.usage.outputTokens);
  for (const part of parts) if (part.type !== "textDelta") assert.equal(part.text, null, `${part.type} has text: null`);
  const steps = parts.filter((p) => p.type === "stepFinish");
  assert.deepEqual(
    steps.map((p) => p.step),
    steps.map((_, i) => i),
    "one stepFinish per model call, in order",
  );
  return finish;
}

export default defineScenarios((scenario) => {
  for (const p of WIRES) {
    const label = p.label ?? p.id;
    for (const [shapeName, shape] of Object.entries(SHAPES)) {
      if (shape.directives?.includes("comments") && p.id === "ollama") continue; // NDJSON has no comments
      const agentFor = async (env, id, extra = {}) => {
        const { Agent } = await import(`rig-wasm/${p.id}`);
        return new Agent(chatOptions(p, env.mockUrl, id, { ...(shape.tiny ? { fetch: tinyReads() } : {}), ...extra }));
      };
      const item = (turn, directives) => ({ turn, directives: [shape.directives, directives].filter(Boolean).join(",") });

      scenario(`${label}, ${shapeName}: non-ASCII text arrives whole, in order, then finish with usage`, async (env) => {
        const id = session(`stream-${p.id}`);
        await script(env.mockUrl, id, item({ text: TEXT }));
        const agent = await agentFor(env, id);
        const { parts, error } = await drain(await agent.promptStream("Say something"));
        assert.equal(error, undefined, `no error (${error?.message})`);
        assert.deepEqual(kinds(parts), ["textStart", "textDelta", "textEnd", "stepFinish", "finish"]);
        checkIds(parts);
        const deltas = parts.filter((part) => part.type === "textDelta");
        assert.equal(new Set(deltas.map((d) => d.id)).size, 1, "one text block");
        assert.equal(deltas.map((d) => d.text).join(""), TEXT, "the text, every character whole");
        const finish = checkFinish(parts, TEXT);
        assert.equal(parts.find((part) => part.type === "stepFinish").finishReason, "stop");
        assert.equal(finish.messages[finish.messages.length - 1].role, "assistant");
      });

      scenario(`${label}, ${shapeName}: a tool call as the first turn, then the answer`, async (env) => {
        const id = session(`stream-tool-${p.id}`);
        await script(env.mockUrl, id, item({ toolCalls: [{ id: "call_first", name: "add", arguments: { a: 2, b: 3 } }] }), item({ text: "The sum is 5." }));
        const agent = await agentFor(env, id, { tools: [await addTool()] });
        const { parts, error } = await drain(await agent.promptStream("Add 2 and 3"));
        assert.equal(error, undefined, `no error (${error?.message})`);
        // Cohere sends its tool plan first, which Rig reports as reasoning.
        assert.deepEqual(kinds(parts, ["toolCallDelta", "reasoningStart", "reasoningDelta", "reasoningEnd"]), [
          "toolCallStart",
          "toolCallEnd",
          "stepFinish",
          "toolResult",
          "textStart",
          "textDelta",
          "textEnd",
          "stepFinish",
          "finish",
        ]);
        checkIds(parts);
        const end = parts.find((part) => part.type === "toolCallEnd");
        assert.equal(end.toolName, "add");
        assert.deepEqual(end.arguments, { a: 2, b: 3 });
        const deltas = parts.filter((part) => part.type === "toolCallDelta");
        if (deltas.length > 0) assert.deepEqual(JSON.parse(deltas.map((d) => d.delta).join("")), { a: 2, b: 3 }, "the argument deltas join to the arguments");
        const result = parts.find((part) => part.type === "toolResult");
        assert.equal(result.callId, end.callId, "the result answers the call");
        assert.equal(result.toolName, "add");
        assert.equal(result.result, "5");
        assert.equal(result.isError, false);
        assert.equal(parts.find((part) => part.type === "stepFinish").finishReason, "toolCalls");
        checkFinish(parts, "The sum is 5.");
        const requests = await recorded(env.mockUrl, id);
        assert.equal(requests.length, 2, "one request per model call");
      });

      scenario(`${label}, ${shapeName}: two parallel calls of the same tool are told apart`, async (env) => {
        const id = session(`stream-par-${p.id}`);
        await script(
          env.mockUrl,
          id,
          item({
            toolCalls: [
              { id: "call_a", name: "add", arguments: { a: 1, b: 2 } },
              { id: "call_b", name: "add", arguments: { a: 30, b: 40 } },
            ],
          }),
          item({ text: "3 and 70." }),
        );
        const agent = await agentFor(env, id, { tools: [await addTool()] });
        const { parts, error } = await drain(await agent.promptStream("Add both"));
        assert.equal(error, undefined, `no error (${error?.message})`);
        checkIds(parts);
        const ends = parts.filter((part) => part.type === "toolCallEnd");
        assert.equal(ends.length, 2, "two calls");
        assert.ok(ends[0].id !== ends[1].id, "two blocks");
        assert.ok(ends[0].callId !== ends[1].callId, "two call ids");
        for (const end of ends) {
          const deltas = parts.filter((part) => part.type === "toolCallDelta" && part.id === end.id);
          if (deltas.length > 0) assert.deepEqual(JSON.parse(deltas.map((d) => d.delta).join("")), end.arguments, `call ${end.id}'s deltas are its own`);
          assert.equal(parts.find((part) => part.type === "toolCallStart" && part.id === end.id)?.toolName, "add");
        }
        const results = parts.filter((part) => part.type === "toolResult");
        assert.equal(results.length, 2);
        const sum = (args) => String(args.a + args.b);
        for (const end of ends) assert.equal(results.find((r) => r.callId === end.callId)?.result, sum(end.arguments), `the result of ${end.callId}`);
        assert.deepEqual(ends.map((e) => e.arguments).sort((x, y) => x.a - y.a), [{ a: 1, b: 2 }, { a: 30, b: 40 }]);
        checkFinish(parts, "3 and 70.");
      });

      scenario(`${label}, ${shapeName}: an error event mid-stream is an error part, then the stream errors`, async (env) => {
        const id = session(`stream-err-${p.id}`);
        await script(env.mockUrl, id, item({ text: "One two three four five six seven eight nine ten eleven twelve." }, "error-event"));
        const agent = await agentFor(env, id, { maxRetries: 0 });
        const { parts, error } = await drain(await agent.promptStream("Count"));
        assert.ok(parts.some((part) => part.type === "textDelta"), "the text before the error arrived");
        assert.ok(!parts.some((part) => part.type === "finish"), "no finish");
        const last = parts[parts.length - 1];
        assert.equal(last.type, "error", "the last part is the error");
        assert.equal(last.text, null);
        assert.ok(error instanceof RigError, `the stream errors with a RigError, got ${error?.name}: ${error?.message}`);
        assert.equal(error.code, last.error.code, "the same error");
        assert.ok(error.code !== "internal", `a provider error, not a bug (${error.code}: ${error.message})`);
      });
    }
  }
});
