// The clients compared in the benchmarks, each reduced to the same three
// operations against an OpenAI Chat Completions endpoint (the local mock):
// one prompt, one stream (counting text deltas), and nothing else.
//
//   raw     : fetch + JSON.parse / a hand-written SSE reader (the floor)
//   rig     : rig-wasm's Agent (api: "chat")
//   ai      : the Vercel AI SDK (generateText / streamText with @ai-sdk/openai's chat model)
//   openai  : the official openai client (chat.completions.create)

export const LIBRARIES = ["raw", "rig", "ai", "openai"];

export async function makeClient(lib, baseURL, headers = {}) {
  const apiKey = "sk-bench";
  const model = "gpt-4o-mini";
  if (lib === "raw") {
    const url = `${baseURL}/chat/completions`;
    const post = (body) =>
      fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}`, ...headers }, body: JSON.stringify(body) });
    return {
      async prompt(text) {
        const response = await post({ model, messages: [{ role: "user", content: text }] });
        const json = await response.json();
        return json.choices[0].message.content;
      },
      async stream(text) {
        const response = await post({ model, messages: [{ role: "user", content: text }], stream: true });
        const decoder = new TextDecoder();
        let buffer = "";
        let deltas = 0;
        for await (const bytes of response.body) {
          buffer += decoder.decode(bytes, { stream: true });
          let end = buffer.indexOf("\n\n");
          while (end >= 0) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = event.startsWith("data: ") ? event.slice(6) : "";
            if (data && data !== "[DONE]") {
              const chunk = JSON.parse(data);
              if (chunk.choices?.[0]?.delta?.content) deltas++;
            }
            end = buffer.indexOf("\n\n");
          }
        }
        return deltas;
      },
    };
  }
  if (lib === "rig") {
    const { Agent } = await import("rig-wasm/openai");
    const agent = new Agent({ apiKey, model, baseURL, api: "chat", headers, maxRetries: 0 });
    return {
      prompt: (text) => agent.prompt(text),
      async stream(text) {
        let deltas = 0;
        for await (const chunk of await agent.promptStream(text)) if (chunk.type === "textDelta") deltas++;
        return deltas;
      },
    };
  }
  if (lib === "ai") {
    const { generateText, streamText } = await import("ai");
    const { createOpenAI } = await import("@ai-sdk/openai");
    const provider = createOpenAI({ apiKey, baseURL, headers });
    const chat = provider.chat(model);
    return {
      async prompt(text) {
        return (await generateText({ model: chat, prompt: text, maxRetries: 0 })).text;
      },
      async stream(text) {
        const result = streamText({ model: chat, prompt: text, maxRetries: 0 });
        let deltas = 0;
        for await (const _ of result.textStream) deltas++;
        return deltas;
      },
    };
  }
  if (lib === "openai") {
    const { default: OpenAI } = await import("openai");
    const client = new OpenAI({ apiKey, baseURL, defaultHeaders: headers, maxRetries: 0 });
    return {
      async prompt(text) {
        const completion = await client.chat.completions.create({ model, messages: [{ role: "user", content: text }] });
        return completion.choices[0].message.content;
      },
      async stream(text) {
        const stream = await client.chat.completions.create({ model, messages: [{ role: "user", content: text }], stream: true });
        let deltas = 0;
        for await (const chunk of stream) if (chunk.choices[0]?.delta?.content) deltas++;
        return deltas;
      },
    };
  }
  throw new Error(`unknown library ${lib}`);
}
