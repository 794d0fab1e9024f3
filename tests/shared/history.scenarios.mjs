// A conversation continues from any response: for every provider family, the
// `messages` of a run that reasoned and called a tool (from `generate` and
// from a stream's `finish` part) go back as history, and the next request
// carries those turns on the wire as the provider sent them (reasoning with
// its signature or item id, the call, the result). Runs in Node and Chromium.

import { addTool, assert, defineScenarios, recorded, script, session } from "./harness.mjs";
import { PROVIDERS, chatOptions } from "./providers.scenarios.mjs";

const FIRST = "I should add.";
const SECOND = "Now I can answer.";

/** What each family's next request must carry, read from its raw body. */
const WIRE_CHECKS = {
  responses(body) {
    const kinds = body.input.map((item) => item.type ?? "message");
    const reasoning = body.input.filter((item) => item.type === "reasoning");
    assert.ok(reasoning.length >= 1, "reasoning items go back");
    assert.match(reasoning[0].id, /^rs_/, "with their item id");
    assert.ok(reasoning[0].encrypted_content, "and their encrypted content");
    assert.equal(reasoning[0].summary[0].text, FIRST);
    assert.ok(kinds.includes("function_call") && kinds.includes("function_call_output"), "the call and its output go back");
  },
  chat(body) {
    const assistant = body.messages.filter((m) => m.role === "assistant");
    assert.equal(assistant[0].reasoning_content, FIRST, "reasoning goes back in the field it came in");
    assert.equal(assistant[0].tool_calls[0].id, "call_1");
    assert.equal(body.messages.find((m) => m.role === "tool").tool_call_id, "call_1");
  },
  messages(body) {
    const assistant = body.messages.filter((m) => m.role === "assistant");
    const thinking = assistant[0].content.find((b) => b.type === "thinking");
    assert.equal(thinking?.thinking, FIRST, "thinking goes back");
    assert.ok(thinking.signature, "with its signature");
    assert.ok(assistant[0].content.some((b) => b.type === "tool_use" && b.id === "call_1"), "the call goes back");
    assert.ok(body.messages.some((m) => m.role === "user" && Array.isArray(m.content) && m.content.some((b) => b.type === "tool_result" && b.tool_use_id === "call_1")));
  },
  gemini(body) {
    const model = body.contents.filter((c) => c.role === "model");
    const thought = model[0].parts.find((part) => part.thought === true);
    assert.equal(thought?.text, FIRST, "the thought goes back");
    assert.ok(thought.thoughtSignature, "with its signature");
    assert.ok(model[0].parts.some((part) => part.functionCall?.name === "add"));
    assert.ok(body.contents.some((c) => c.parts.some((part) => part.functionResponse?.name === "add")));
  },
  cohere(body) {
    const assistant = body.messages.filter((m) => m.role === "assistant");
    assert.ok(assistant[0].content.some((part) => part.type === "thinking" && part.thinking === FIRST), "thinking goes back");
    assert.equal(assistant[0].tool_calls[0].id, "call_1");
    assert.ok(body.messages.some((m) => m.role === "tool" && m.tool_call_id === "call_1"));
  },
  ollama(body) {
    const assistant = body.messages.filter((m) => m.role === "assistant");
    assert.equal(assistant[0].thinking, FIRST, "thinking goes back");
    assert.equal(assistant[0].tool_calls[0].function.name, "add");
    assert.ok(body.messages.some((m) => m.role === "tool"));
  },
};

const FAMILIES = [
  ["openai", undefined, "responses"],
  ["openai", "chat", "chat"],
  ["deepseek", undefined, "chat"],
  ["mistral", undefined, "chat"],
  ["anthropic", undefined, "messages"],
  ["zai", "messages", "messages"],
  ["gemini", undefined, "gemini"],
  ["cohere", undefined, "cohere"],
  ["ollama", undefined, "ollama"],
];


/** The reasoning texts of a list of messages, in order. */
const reasoningOf = (messages) => messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((part) => part.type === "reasoning").map((part) => part.text);

export default defineScenarios((scenario) => {
  for (const [id, api, family] of FAMILIES) {
    const p = PROVIDERS.find((x) => x.id === id && x.api === api);
    const label = p.label ?? p.id;
    for (const how of ["generate", "promptStream"]) {
      scenario(`${label}: the messages of a reasoning, tool-calling run (${how}) continue the conversation`, async (env) => {
        const { Agent } = await import(`rig-wasm/${p.id}`);
        const sid = session(`history-${p.id}`);
        await script(
          env.mockUrl,
          sid,
          { turn: { reasoning: FIRST, toolCalls: [{ id: "call_1", name: "add", arguments: { a: 2, b: 3 } }] } },
          { turn: { reasoning: SECOND, text: "The sum is 5." } },
          { turn: { text: "You are welcome." } },
        );
        const agent = new Agent(chatOptions(p, env.mockUrl, sid, { tools: [await addTool()] }));
        let messages;
        if (how === "generate") {
          const response = await agent.generate("Add 2 and 3");
          assert.equal(response.text, "The sum is 5.");
          messages = response.messages;
        } else {
          let finish;
          for await (const part of await agent.promptStream("Add 2 and 3")) if (part.type === "finish") finish = part;
          assert.equal(finish.output, "The sum is 5.");
          messages = finish.messages;
        }
        // The reasoning is there, with its text (Cohere adds its tool plan).
        const reasoning = reasoningOf(messages).filter((text) => text !== "I will use the tools.");
        assert.deepEqual(reasoning, [FIRST, SECOND], "reasoning parts carry their text");
        assert.deepEqual(
          messages.map((m) => m.role),
          ["user", "assistant", "user", "assistant"],
          "the prompt, the call, the result, the answer",
        );
        // Exactly what came back goes back.
        assert.equal(await agent.chat("Thanks!", messages), "You are welcome.");
        const requests = await recorded(env.mockUrl, sid);
        assert.equal(requests.length, 3);
        WIRE_CHECKS[family](requests[2].body);
        assert.deepEqual(requests[2].conversation.messages.map((m) => m.role).slice(-1), ["user"], "the new prompt comes last");
      });
    }
  }
});
