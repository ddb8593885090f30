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
  const unlikely = cases.unlikely ? await runUnlikely(engine, cases.unlikely) : null;
  return { networks, preprocessed, canvases, digest, unlikely };
}

// "Not one of these": every parameter set's verdict on every input, from all8-cnn's logits
// (an infinite score travels as the text "Infinity", which JSON cannot hold as a number)
async function runUnlikely(engine, { judge, parameters, inputs }) {
  const network = await engine.loadNetwork(judge);
  const images = inputs.map(floatsOf);
  const logits = images.map((x) => network.logits(x));
  const results = [];
  for (const url of parameters) {
    const check = await engine.loadUnlikely(url);
    const cached = (await engine.loadUnlikely(url)) === check;
    const verdicts = images.map((x, i) => {
      const { score, threshold, flagged } = check.verdict(x, logits[i]);
      return { score: Number.isFinite(score) ? score : String(score), threshold, flagged };
    });
    results.push({ cached, verdicts });
  }
  return { logits: logits.map((z) => Array.from(z)), results };
}

function summary(result) {
  return result.input ? { input: Array.from(result.input) } : result;
}
