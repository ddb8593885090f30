// "Not one of these": the browser's copy of core/insight/unlikely.py's score (the formula is in
// its docstring), held equal to core's scores and verdicts by tests/app/test_live_engine.py
// (Node) and tests/e2e/test_live_engine.py (Chromium), scores within 1e-4 (abs or rel).
//
// The score of an input x for one network, from the 8 logits z of the 8-character CNN
// (all8-cnn) for x: f = (z, mean ink of x, aspect of its > 0.5 box), the smallest Mahalanobis
// distance of f to the means of the network's characters, weighted, plus -ln of the softmax
// probability that x is one of them; infinite when the aspect is below min_aspect. Flagged
// when the score is above the threshold. The parameters come from app/live_weights.py's
// unlikely_url (the npz as JSON, in a folder named by the first 8 hex digits of its sha256).

import { IMAGE_SIDE } from "./constants.js";
import { addressPath, loadError, loadOnce, sha256Hex } from "./weights.js";

const SIDE = IMAGE_SIDE;
const PIXELS = SIDE * SIDE;
const LOGITS = 8; // the outputs of the 8-character network
const unlikelyLoaded = new Map(); // absolute URL -> Promise<Unlikely>

/** The "not one of these" parameters at `url`, fetched and checked once per address. */
export function loadUnlikely(url) {
  return loadOnce(unlikelyLoaded, url, fetchUnlikely);
}

async function fetchUnlikely(url) {
  const where = addressPath(url);
  const response = await fetch(url);
  if (!response.ok) throw loadError(`"not one of these" parameters ${where}: HTTP ${response.status}`);
  const bytes = await response.arrayBuffer();
  const tag = /-unlikely-([0-9a-f]{8})\/[^/]*$/.exec(new URL(url).pathname);
  if (tag && !(await sha256Hex(bytes)).startsWith(tag[1])) {
    throw loadError(`"not one of these" parameters ${where}: sha256 does not match its address`);
  }
  return new Unlikely(JSON.parse(new TextDecoder().decode(bytes)), url);
}

class Unlikely {
  constructor(document, url) {
    const bad = (why) => new Error(`"not one of these" parameters ${url}: ${why}`);
    if (document.format !== "modulex-unlikely" || document.version !== 1) {
      throw bad("not a modulex-unlikely version 1 file");
    }
    const { classes, means, precision } = document;
    const features = LOGITS + 2;
    if (!Array.isArray(classes) || classes.length < 2 || classes.some((c) => !(c >= 0 && c < LOGITS))) {
      throw bad("classes must be 2 to 8 indices 0-7");
    }
    const rows = (array, count) =>
      Array.isArray(array) && array.length === count && array.every((row) => Array.isArray(row) && row.length === features);
    if (!rows(means, classes.length) || !rows(precision, features)) {
      throw bad(`means must be ${classes.length}x${features} and precision ${features}x${features}`);
    }
    this.classes = Int32Array.from(classes);
    this.means = means.map((row) => Float64Array.from(row));
    this.precision = Float64Array.from(precision.flat());
    this.distanceWeight = document.distance_weight;
    this.threshold = document.threshold;
    this.minAspect = document.min_aspect;
    this.inkLevel = document.ink_level;
    this.smallest = document.smallest_probability;
    if (![this.distanceWeight, this.threshold, this.minAspect, this.inkLevel, this.smallest].every(Number.isFinite)) {
      throw bad("a parameter is missing or not a finite number");
    }
    this.difference = new Float64Array(features);
  }

  /** The score of one input (784 values in [0, 1]) given the 8 logits of all8-cnn for it. */
  score(x, logits) {
    if (!x || x.length !== PIXELS || !logits || logits.length !== LOGITS) {
      throw new Error("the score needs 784 input values and the 8 logits of all8-cnn");
    }
    let ink = 0;
    let top = SIDE;
    let bottom = -1;
    let left = SIDE;
    let right = -1;
    for (let y = 0; y < SIDE; y++) {
      for (let column = 0; column < SIDE; column++) {
        const value = x[y * SIDE + column];
        ink += value;
        if (value > this.inkLevel) {
          if (y < top) top = y;
          bottom = y;
          if (column < left) left = column;
          if (column > right) right = column;
        }
      }
    }
    ink /= PIXELS;
    const height = Math.max(bottom - top + 1, 0);
    const width = Math.max(right - left + 1, 0);
    const aspect = Math.min(height, width) / Math.max(height, width, 1);
    if (aspect < this.minAspect) return Infinity;
    const f = [...logits, ink, aspect];
    let nearest = Infinity;
    const d = this.difference;
    const n = d.length;
    for (const mean of this.means) {
      for (let i = 0; i < n; i++) d[i] = f[i] - mean[i];
      let distance = 0;
      for (let i = 0; i < n; i++) {
        let row = 0;
        for (let j = 0; j < n; j++) row += this.precision[i * n + j] * d[j];
        distance += d[i] * row;
      }
      if (distance < nearest) nearest = distance;
    }
    let peak = -Infinity;
    for (const z of logits) if (z > peak) peak = z;
    let all = 0;
    for (const z of logits) all += Math.exp(z - peak);
    let inside = 0;
    for (const c of this.classes) inside += Math.exp(logits[c] - peak);
    return this.distanceWeight * nearest - Math.log(Math.max(inside / all, this.smallest));
  }

  /** {score, threshold, flagged}: flagged when the score is above the threshold. */
  verdict(x, logits) {
    const score = this.score(x, logits);
    return { score, threshold: this.threshold, flagged: score > this.threshold };
  }
}
