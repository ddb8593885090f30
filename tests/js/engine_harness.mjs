// Runs the cases of tests/live_engine_cases.py through engine.js; shared by the Node and the
// Chromium tests, so both check the same thing. Arrays travel as base64 (float32 or bytes).

function bytesOf(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
const floatsOf = (base64) => new Float32Array(bytesOf(base64).buffer);

export async function runCases(engine, cases) {
  const inputs = cases.inputs.map(floatsOf);
  const networks = [];
  for (const { url, requests } of cases.networks) {
    const network = await engine.loadNetwork(url);
    const again = await engine.loadNetwork(url);
    const results = [];
    for (const { input, ...options } of requests) {
      const found = network.explain(inputs[input], options);
      results.push({
        probabilities: Array.from(found.probabilities),
        forward: Array.from(network.forward(inputs[input])),
        map: Array.from(found.map),
        target: found.target,
        contrast: found.contrast,
      });
    }
    const { name, kind, labels } = network;
    networks.push({ name, kind, labels, cached: again === network, results });
  }
  const preprocessed = cases.inks.map(({ ink, width, height }) =>
    summary(engine.preprocessInk(floatsOf(ink), width, height)),
  );
  const canvases = cases.canvases.map(({ rgba, width, height }) => {
    const ink = engine.canvasInk({ data: bytesOf(rgba), width, height });
    return { ink: Array.from(ink), ...summary(engine.preprocessInk(ink, width, height)) };
  });
  const digest = engine.sha256HexPlain(new TextEncoder().encode(cases.digestText));
  return { networks, preprocessed, canvases, digest };
}

function summary(result) {
  return result.input ? { input: Array.from(result.input) } : result;
}
