import { Agent } from "rig-wasm/openai";
