// A page that chats with the local model the way an app would: the model
// runs in a Web Worker (the default in a page), tokens are streamed into a
// page element, and a timer on the main thread measures how long the page
// was ever blocked while the model loaded and generated.
import { LocalModel } from "rig-wasm/local";

const out = document.getElementById("log");
const gaps = [];
let last = performance.now();
const timer = setInterval(() => {
  const now = performance.now();
  gaps.push(now - last);
  last = now;
}, 10);
const updates = [];
new MutationObserver(() => updates.push({ at: performance.now(), length: out.textContent.length })).observe(out, {
  childList: true,
  characterData: true,
  subtree: true,
});

try {
  const started = performance.now();
  const model = await LocalModel.load("/.cache/models/SmolLM2-135M-Instruct.Q4_1.gguf");
  const loadMs = performance.now() - started;
  out.textContent = "";
  const stream = model.stream([{ role: "user", content: "Write two sentences about the sea." }], { maxTokens: 40, temperature: 0 });
  for await (const piece of stream) out.append(piece);
  const result = await stream.result;
  clearInterval(timer);
  window.__local = {
    ok: true,
    loadMs,
    text: result.text,
    shown: out.textContent,
    usage: result.usage,
    tokensPerSecond: result.timings.tokensPerSecond,
    updates,
    ticks: gaps.length,
    maxGapMs: Math.max(...gaps),
  };
  model.free();
} catch (error) {
  clearInterval(timer);
  window.__local = { ok: false, error: `${error?.name}: ${error?.message}\n${error?.stack ?? ""}` };
}
