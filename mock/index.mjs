// Run the mock server on its own: `node mock/index.mjs [port]`.
import { startMockServer } from "./server.mjs";

const port = Number(process.argv[2] ?? process.env.MOCK_PORT ?? 0);
const server = await startMockServer({ port, log: true });
console.log(`mock LLM server listening on ${server.url} (OpenAI-compatible base: ${server.url}/v1)`);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close().then(() => process.exit(0)));
