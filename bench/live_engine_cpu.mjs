// The browser engine's work per frame in CPU time, under Node (python -m bench live-engine).
// node bench/live_engine_cpu.mjs [ENGINE.js] [REPEATS]: prints JSON, microseconds of CPU time
// (process.cpuUsage: user + system of this process) per call, so a machine whose cores are
// shared by other work still gives the engine's own cost, where wall-clock p95 does not
// (contention still costs some CPU time through caches: the fastest round is the floor).
// The drawing is a Z with a round 20-pixel brush on a 280x280 canvas, at 12 stages of the
// stroke, as the Chromium benchmark (bench/live_engine.mjs) draws it.
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = new URL(".", import.meta.url);
const [enginePath = fileURLToPath(new URL("../app/static/live/engine.js", here)), repeatsText = "400"] =
  process.argv.slice(2);
const repeats = Number(repeatsText);
const engine = await import(pathToFileURL(enginePath).href);

globalThis.fetch = async (address) => new Response(await readFile(fileURLToPath(address)));
const network = (folder) => engine.loadNetwork(new URL(`../pretrained/${folder}/weights.json`, here).href);

/** White RGBA pixels within brush/2 of the polyline's first `length` pixels of path. */
function zCanvas(fraction, side = 280, brush = 20) {
  const corners = [[50, 50], [230, 50], [50, 230], [230, 230]];
  const rgba = new Uint8ClampedArray(side * side * 4);
  const radius = brush / 2;
  const legs = 3 * fraction;
  for (let leg = 0; leg < Math.ceil(legs); leg++) {
    const [x0, y0] = corners[leg];
    const share = Math.min(1, legs - leg);
    const x1 = x0 + (corners[leg + 1][0] - x0) * share;
    const y1 = y0 + (corners[leg + 1][1] - y0) * share;
    const length2 = (x1 - x0) ** 2 + (y1 - y0) ** 2 || 1;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const t = Math.max(0, Math.min(1, ((x - x0) * (x1 - x0) + (y - y0) * (y1 - y0)) / length2));
        if ((x - x0 - t * (x1 - x0)) ** 2 + (y - y0 - t * (y1 - y0)) ** 2 <= radius * radius) {
          rgba.fill(255, 4 * (y * side + x), 4 * (y * side + x) + 4);
        }
      }
    }
  }
  return { data: rgba, width: side, height: side };
}

const canvases = Array.from({ length: 12 }, (_, i) => zCanvas((i + 1) / 12));
const ink = new Float32Array(280 * 280);
const inputs = canvases.map((canvas) => engine.preprocessInk(engine.canvasInk(canvas), 280, 280).input);

/** CPU microseconds per call of fn(i): `rounds` rounds of repeats / rounds calls each, after a
 * warm-up of 50; the median round and the fastest (the least disturbed by other processes). */
function cpuPerCall(fn, rounds = 10) {
  for (let i = 0; i < 50; i++) fn(i);
  const perRound = Math.max(1, Math.floor(repeats / rounds));
  const cpu = [];
  const wall = [];
  for (let round = 0; round < rounds; round++) {
    const before = process.cpuUsage();
    const wallBefore = performance.now();
    for (let i = 0; i < perRound; i++) fn(i);
    const used = process.cpuUsage(before);
    wall.push((1000 * (performance.now() - wallBefore)) / perRound);
    cpu.push((used.user + used.system) / perRound);
  }
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { cpu_us: median(cpu), cpu_min_us: Math.min(...cpu), wall_us: median(wall) };
}

const modes = ["target", "thesis", "contrast"];
const results = {
  repeats,
  preprocessing: cpuPerCall((i) => {
    const canvas = canvases[i % canvases.length];
    engine.preprocessInk(engine.canvasInk(canvas, ink), canvas.width, canvas.height);
  }),
};
for (const folder of ["2Z", "2Z-cnn", "all8", "all8-cnn"]) {
  const net = await network(folder);
  results[`explain ${folder}`] = cpuPerCall((i) =>
    net.explain(inputs[i % inputs.length], { mode: modes[i % 3] }),
  );
}
process.stdout.write(JSON.stringify(results, null, 1) + "\n");
