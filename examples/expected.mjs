// What each example must print when run against the project's local server
// (mock/). Used by examples/run.mjs (Node) and tests/browser (Chromium).
export const EXPECTED = {
  // The offline demo: real models, so the checks are about meaning, not exact words.
  "local-demo": [/Loaded SmolLM2-135M-Instruct.Q4_1.gguf \(llama, 30 layers, chatml/, /> What is the capital of France\? .*Paris/, /> What language do people speak there\?.*French/, /\(streamed \d+ tokens: the first after \d+ ms, then [\d.]+ tokens\/s\)/, /retrieved doc_0/, /Quillon/],
  demo: [/The capital of France is Paris\./, /> What are the basic concepts/, /\(streamed; \d+ tokens\)/],
  "basic-agent": [/Response: Lorem ipsum dolor sit amet/],
  "multi-turn-chat": [/First response: Of course!/, /Second response: Start with ownership/],
  streaming: [/Complete story: Unit 7 had never held a brush\..*circuits\./, /Usage: \d+ in, \d+ out/],
  "tools-counter": [/Response: Here is what I found: counter gave 5325\./, /Counter is now 5325/],
  "tools-calculator-weather": [
    /Response: Here is what I found: calculator gave 345; and the weather in Tokyo is (Sunny|Cloudy|Rainy|Snowy) at \d+°C\./,
    /Response: Here is what I found: calculator reported an error \(Error: Division by zero\)/,
  ],
  embeddings: [/Embedding length: 1536/, /Embedded text: hello world!/, /Generated 3 embeddings/, /Closest to "hello world": (greeting|doc_2)/],
  "custom-vector-store-rag": [/Response: According to the documents \(doc_\d, doc_\d, doc_\d\)/],
};
