// Reference tokens and logits from llama.cpp (@wllama/wllama 2.3.7, Node.js)
// for the GGUF models rig-wasm runs. Writes llamacpp.json next to this file.
//
//   node crates/local-model/tests/reference/llamacpp_wllama.mjs .cache/models
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadWllama, wllamaVersion } from "../../../../bench/wllama-node.mjs";

const dir = process.argv[2] ?? ".cache/models";
const TEXT = "Hello world! 你好 😀 <|im_start|> <start_of_turn>";
const PROMPT = "The capital of France is";
const out = { wllama: wllamaVersion, text: TEXT, prompt: PROMPT, models: {} };

for (const file of ["SmolLM2-135M-Instruct.Q4_1.gguf", "gemma-3-270m-q4_k_m.gguf"]) {
  const w = await loadWllama(path.join(dir, file));
  const bos = w.mustAddBosToken() ? [w.getBOS()] : [];
  const prompt = [...bos, ...(await w.tokenize(PROMPT, true))];
  await w.kvClear();
  await w.samplingInit({ temp: 0 });
  await w.decode(prompt, {});
  // getLogits gives softmax probabilities of the top k.
  const top = (await w.getLogits(10)).map(({ token, p }) => ({ token, p }));
  const greedy = [];
  // At each greedy step, llama.cpp's top 3 (how decisive its choice is).
  const steps = [];
  for (let i = 0; i < 16; i++) {
    steps.push((await w.getLogits(3)).map(({ token, p }) => ({ token, p })));
    const { token } = await w.samplingSample();
    if (w.isTokenEOG(token)) break;
    greedy.push(token);
    await w.samplingAccept([token]);
    await w.decode([token], {});
  }
  out.models[file] = {
    addBos: w.mustAddBosToken(),
    special: [...bos, ...(await w.tokenize(TEXT, true))],
    plain: [...bos, ...(await w.tokenize(TEXT, false))],
    promptIds: prompt,
    top,
    greedy,
    steps,
    greedyText: await w.detokenize(greedy, true),
  };
  console.log(file, JSON.stringify(out.models[file].top.slice(0, 5)), JSON.stringify(out.models[file].greedyText));
  await w.exit();
}
writeFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "llamacpp.json"), JSON.stringify(out, null, 1) + "\n");
