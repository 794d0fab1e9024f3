import { startMockServer } from "./mock/server.mjs";
import { Agent } from "rig-wasm/openai";
import { InMemoryVectorStore } from "rig-wasm";
import * as glue from "./packages/rig-wasm/wasm/rig_wasm.js";
const server = await startMockServer();
const agent = new Agent({ apiKey: "sk", model: "gpt-4o", baseURL: `${server.url}/v1`, api: "chat" });
const store = new InMemoryVectorStore(); store.add("a", {}, [1, 0]);
console.log("before:", await agent.prompt("What is the capital of France?"));
try { glue.__rigTestPanic(); } catch (e) { console.log("raw sync trap:", e.constructor.name); }
