// The browser engine's per-frame compute, measured in the page (python -m bench live-engine).
// Each frame draws one more segment of a Z on a 280x280 canvas (not timed), then times what a
// live frame computes: read the pixels, canvasInk, preprocessInk, and explain on every network.
import * as engine from "/app/static/live/engine.js";

function zPath(steps) {
  const corners = [[50, 50], [230, 50], [50, 230], [230, 230]];
  const points = [];
  for (let leg = 0; leg < 3; leg++) {
    const [x0, y0] = corners[leg];
    const [x1, y1] = corners[leg + 1];
    for (let i = 0; i < steps; i++) points.push([x0 + ((x1 - x0) * i) / steps, y0 + ((y1 - y0) * i) / steps]);
  }
  points.push(corners[3]);
  return points;
}

export async function measure({ urls, frames, brush = 20, warmup = 20 }) {
  const networks = await Promise.all(urls.map((url) => engine.loadNetwork(url)));
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 280;
  document.body.append(canvas);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  Object.assign(context, { strokeStyle: "#fff", lineWidth: brush, lineCap: "round", lineJoin: "round" });
  const path = zPath(40);
  const modes = ["target", "thesis", "contrast"];
  const total = [];
  const preprocessing = [];
  let ink = null;
  let skipped = 0;
  for (let frame = 0; frame < frames + warmup; frame++) {
    const step = frame % path.length;
    if (step === 0) context.clearRect(0, 0, 280, 280);
    else {
      context.beginPath();
      context.moveTo(...path[step - 1]);
      context.lineTo(...path[step]);
      context.stroke();
    }
    const start = performance.now();
    const pixels = context.getImageData(0, 0, 280, 280);
    ink = engine.canvasInk(pixels, ink);
    const prepared = engine.preprocessInk(ink, 280, 280);
    const prepared_at = performance.now();
    if (!prepared.input) {
      skipped++;
      continue;
    }
    for (const network of networks) network.explain(prepared.input, { mode: modes[frame % 3] });
    const end = performance.now();
    if (frame >= warmup) {
      total.push(end - start);
      preprocessing.push(prepared_at - start);
    }
  }
  canvas.remove();
  return { total, preprocessing, skipped, frames_run: frames + warmup };
}
