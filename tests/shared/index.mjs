// Every shared scenario suite, by name. Both runners import this list.
export const suites = {
  openai: () => import("./openai.scenarios.mjs"),
  agents: () => import("./agents.scenarios.mjs"),
  providers: () => import("./providers.scenarios.mjs"),
  streams: () => import("./streams.scenarios.mjs"),
  history: () => import("./history.scenarios.mjs"),
  reliability: () => import("./reliability.scenarios.mjs"),
  local: () => import("./local.scenarios.mjs"),
  stores: () => import("./stores.scenarios.mjs"),
  features: () => import("./features.scenarios.mjs"),
};
