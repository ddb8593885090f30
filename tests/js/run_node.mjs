// node run_node.mjs ENGINE.js CASES.json: runs the cases under Node, prints the results (JSON).
// fetch() of file: URLs reads the file, so the engine loads the shipped exports from disk.
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

const networkFetch = globalThis.fetch;
globalThis.fetch = async (address) => {
  const url = new URL(address);
  if (url.protocol !== "file:") return networkFetch(address);
  try {
    return new Response(await readFile(fileURLToPath(url)));
  } catch {
    return new Response(null, { status: 404 });
  }
};

const [enginePath, casesPath] = process.argv.slice(2);
const engine = await import(pathToFileURL(enginePath).href);
const { runCases } = await import("./engine_harness.mjs");
const cases = JSON.parse(await readFile(casesPath, "utf8"));
process.stdout.write(JSON.stringify(await runCases(engine, cases)));
