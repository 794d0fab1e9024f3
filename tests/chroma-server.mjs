// The real Chroma server the store scenarios use: the one at CHROMA_URL when
// set (scripts/test.sh starts one for every layer), else one started here
// with scripts/chroma.sh and stopped by `stop()`.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("../scripts/chroma.sh", import.meta.url));

export async function chromaServer() {
  if (process.env.CHROMA_URL) return { url: process.env.CHROMA_URL, stop: async () => {} };
  execFileSync("bash", [script, "install"], { stdio: ["ignore", "ignore", "inherit"] });
  const out = execFileSync("bash", [script, "start"], { encoding: "utf8" });
  const url = out.match(/CHROMA_URL=(\S+)/)?.[1];
  if (!url) throw new Error(`scripts/chroma.sh start printed no CHROMA_URL: ${out}`);
  return { url, stop: async () => execFileSync("bash", [script, "stop"]) };
}
