// The browser engine of the live drawing component: preprocessing, forward pass and ModuleX.
//
// A plain ES module (no build step), served by Streamlit at /app/static/live/engine.js. It
// repeats in the browser what core/ computes for one drawing, and tests hold it equal to core:
//
//   preprocessInk / canvasInk   core/inputs/preprocess.py   (canvas_ink, thin_thick_strokes,
//                               ink_to_input: together canvas_to_input)
//   Network.forward             core/models/layer_stack.py  (Dense, Conv2D, pooling, Reshape)
//   Network.explain             core/explain/modulex_rule.py and modulex_layers.py
//   loadUnlikely(...).verdict   core/insight/unlikely.py    ("not one of these")
//
// Whoever changes core's preprocessing or a rule changes this file and its tests in the same
// commit (tests/app/test_live_engine.py, tests/e2e/test_live_engine.py).
//
// The weights come from `python -m core export-weights` (core/models/weights_export.py): a
// JSON manifest (layers, shapes, byte offsets, labels, the binary's sha256) and a float32
// little-endian binary. loadNetwork fetches both once per address and verifies both: the
// manifest against the checksum its address carries (the folder app/live_weights.py serves it
// from is named <network>-<first 8 hex digits of the manifest's sha256>), the binary against
// the manifest. A copy changed on the server, binary and manifest together, is refused.

// Speed: every buffer a frame needs is allocated once per network (or grown once for the
// preprocessing); the loops skip zero inputs, which most pixels of a drawing are.

import { legendWords, resolveQuestion } from "./question.js";

export { legendWords, resolveQuestion };

const SIDE = 28;
const PIXELS = SIDE * SIDE;

// ---------------------------------------------------------------------------------------------
// Loading

const loaded = new Map(); // absolute manifest URL -> Promise<Network>

/**
 * The network whose manifest is at `manifestUrl` (its binary beside it, as the manifest names
 * it). Fetched and checked once per address: a second call returns the same Network.
 */
export function loadNetwork(manifestUrl) {
  const url = absolute(manifestUrl);
  let pending = loaded.get(url);
  if (!pending) {
    pending = fetchNetwork(url);
    loaded.set(url, pending);
    pending.catch(() => loaded.delete(url)); // a failed load may be retried
  }
  return pending;
}

function absolute(address) {
  const base = typeof location !== "undefined" ? location.href : undefined;
  return new URL(address, base).href;
}

async function fetchNetwork(url) {
  const where = addressPath(url);
  const manifestResponse = await fetch(url);
  if (!manifestResponse.ok) {
    throw loadError(`weights manifest ${where}: HTTP ${manifestResponse.status}`);
  }
  const manifestBytes = await manifestResponse.arrayBuffer();
  const tag = /\/[^/]+-([0-9a-f]{8})\/[^/]+$/.exec(new URL(url).pathname); // served copies
  if (tag && !(await sha256Hex(manifestBytes)).startsWith(tag[1])) {
    throw loadError(`weights manifest ${where}: sha256 does not match its address (changed on the server)`);
  }
  let manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
  } catch {
    throw loadError(`weights manifest ${where}: not JSON`);
  }
  if (!manifest || manifest.format !== "modulex-weights" || manifest.version !== 1) {
    throw loadError(`weights manifest ${where}: not a modulex-weights version 1 manifest`);
  }
  const binaryUrl = new URL(manifest.binary, url).href;
  const binaryWhere = addressPath(binaryUrl);
  const binaryResponse = await fetch(binaryUrl);
  if (!binaryResponse.ok) {
    throw loadError(`weights file ${binaryWhere}: HTTP ${binaryResponse.status}`);
  }
  const buffer = await binaryResponse.arrayBuffer();
  if (buffer.byteLength !== manifest.byte_length) {
    throw loadError(
      `weights file ${binaryWhere}: ${buffer.byteLength} bytes, the manifest says ${manifest.byte_length}`,
    );
  }
  const digest = await sha256Hex(buffer);
  if (digest !== manifest.sha256) {
    throw loadError(`weights file ${binaryWhere}: sha256 does not match its manifest (stale or damaged)`);
  }
  return new Network(manifest, buffer);
}

// Every loading error says what fixes it: the server checks pretrained/ and copies it anew
// when it starts, so a copy that is missing, damaged or changed is replaced by a restart.
const LOAD_FIX = "To fix: restart the dashboard, which copies the checked weights again";

function loadError(problem) {
  return new Error(`${problem}. ${LOAD_FIX}`);
}

/** The path of an address (no scheme or host): short enough for the page's one-line note. */
function addressPath(address) {
  const url = new URL(address);
  return url.protocol === "file:" ? url.pathname.split("/").slice(-2).join("/") : url.pathname;
}

/** Hex sha256 of an ArrayBuffer: crypto.subtle where the page has it (https, localhost), else
 * the small implementation below (a plain-http address on a LAN has no crypto.subtle). */
export async function sha256Hex(buffer) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (subtle) {
    const digest = new Uint8Array(await subtle.digest("SHA-256", buffer));
    return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }
  return sha256HexPlain(new Uint8Array(buffer));
}

// SHA-256 (FIPS 180-4). The round constants are the first 32 bits of the fractional parts of
// the cube roots of the first 64 primes, the initial state those of the square roots of the
// first 8: computed here rather than typed in.
function primes(count) {
  const found = [];
  for (let n = 2; found.length < count; n++) {
    if (found.every((p) => n % p !== 0)) found.push(n);
  }
  return found;
}
const fraction32 = (value) => Math.floor((value - Math.floor(value)) * 2 ** 32) >>> 0;
const SHA_K = Uint32Array.from(primes(64), (p) => fraction32(Math.cbrt(p)));
const SHA_H0 = Uint32Array.from(primes(8), (p) => fraction32(Math.sqrt(p)));

export function sha256HexPlain(bytes) {
  const bitLength = bytes.length * 8;
  const padded = new Uint8Array(Math.ceil((bytes.length + 9) / 64) * 64);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bitLength / 2 ** 32));
  view.setUint32(padded.length - 4, bitLength >>> 0);
  const h = SHA_H0.slice();
  const w = new Uint32Array(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let block = 0; block < padded.length; block += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(block + 4 * t);
    for (let t = 16; t < 64; t++) {
      const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
      const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, k] = h;
    for (let t = 0; t < 64; t++) {
      const t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + SHA_K[t] + w[t]) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    [a, b, c, d, e, f, g, k].forEach((value, index) => (h[index] = (h[index] + value) >>> 0));
  }
  return Array.from(h, (word) => word.toString(16).padStart(8, "0")).join("");
}

// ---------------------------------------------------------------------------------------------
// The network: forward pass and ModuleX

/** One network of the export. Activations are channels last, flat row-major (height, width,
 * channel), as Keras flattens them, so Reshape and Flatten move no data. */
class Network {
  constructor(manifest, buffer) {
    this.name = manifest.name;
    this.kind = manifest.kind;
    this.labels = manifest.labels.slice();
    const array = (spec) => Float64Array.from(new Float32Array(buffer, spec.offset, product(spec.shape)));
    let shape = manifest.input_shape.slice();
    // activations[i] is layer i's input X_i; activations[n] is the output (probabilities)
    this.activations = [new Float64Array(PIXELS)];
    this.layers = manifest.layers.map((spec, index) => {
      const input = shape;
      const layer = { kind: spec.kind, activation: spec.activation || "linear", input };
      if (spec.kind === "reshape") {
        shape = spec.shape.slice();
      } else if (spec.kind === "dense") {
        layer.kernel = array(spec.kernel);
        layer.bias = array(spec.bias);
        layer.outputs = spec.kernel.shape[1];
        shape = [layer.outputs];
      } else if (spec.kind === "conv") {
        const [kh, kw, , filters] = spec.kernel.shape;
        const [sy, sx] = spec.strides;
        const [height, width] = input;
        layer.kernel = array(spec.kernel);
        layer.bias = array(spec.bias);
        Object.assign(layer, { kh, kw, sy, sx, filters });
        if (spec.padding === "valid") {
          layer.outH = Math.floor((height - kh) / sy) + 1;
          layer.outW = Math.floor((width - kw) / sx) + 1;
          layer.top = 0;
          layer.left = 0;
        } else {
          // "same", as Keras pads: the odd pixel of padding goes after
          layer.outH = Math.ceil(height / sy);
          layer.outW = Math.ceil(width / sx);
          layer.top = Math.floor(Math.max((layer.outH - 1) * sy + kh - height, 0) / 2);
          layer.left = Math.floor(Math.max((layer.outW - 1) * sx + kw - width, 0) / 2);
        }
        shape = [layer.outH, layer.outW, filters];
        prepareConv(layer);
      } else if (spec.kind === "pool") {
        const [ph, pw] = spec.size;
        const [sy, sx] = spec.strides;
        Object.assign(layer, { pool: spec.pool, ph, pw, sy, sx });
        layer.outH = Math.floor((input[0] - ph) / sy) + 1;
        layer.outW = Math.floor((input[1] - pw) / sx) + 1;
        shape = [layer.outH, layer.outW, input[2]];
        // the input index that won each max-pooling window (the gradient's route)
        if (spec.pool === "max") layer.winner = new Int32Array(product(shape));
      } else {
        throw new Error(`network ${manifest.name}: unknown layer kind ${spec.kind} (layer ${index})`);
      }
      layer.size = product(shape);
      const previous = this.activations[this.activations.length - 1];
      this.activations.push(spec.kind === "reshape" ? previous : new Float64Array(layer.size));
      return layer;
    });
    this.classes = shape[0];
    if (shape.length !== 1 || this.classes !== this.labels.length) {
      throw new Error(`network ${manifest.name}: output shape [${shape}] for ${this.labels.length} labels`);
    }
    // importance buffers of the backward pass, one per layer input (Reshape shares them too)
    this.importance = this.activations.map((buffer) => new Float64Array(buffer.length));
    for (let i = 0; i < this.layers.length; i++) {
      if (this.layers[i].kind === "reshape") this.importance[i] = this.importance[i + 1];
    }
    this.top = new Float64Array(this.classes);
    this.scores = new Float64Array(this.classes); // the last layer's pre-activation (logits)
    // A convolution's output rows and columns that its pooling layer never reads (an odd
    // 11x11 pooled 2x2 drops the last row and column) need not be computed: they stay 0, and
    // the pooling rule gives them no importance.
    this.layers.forEach((layer, i) => {
      const next = this.layers[i + 1];
      layer.usedH = layer.outH;
      layer.usedW = layer.outW;
      if (layer.kind === "conv" && next && next.kind === "pool") {
        layer.usedH = (next.outH - 1) * next.sy + next.ph;
        layer.usedW = (next.outW - 1) * next.sx + next.pw;
      }
    });
  }

  /** Class probabilities of one 28x28 input (Float32Array(784) in [0, 1], row-major). */
  forward(x) {
    this.run(x);
    return this.activations[this.activations.length - 1].slice();
  }

  /**
   * Probabilities and the ModuleX map of one input, for the question (mode, target,
   * contrast) resolved as core resolves it (question.js): target null is the prediction;
   * contrast null, or the target itself, is the runner-up.
   * mode "thesis": H_n is the whole output vector; "target": only the target's probability
   * (the other classes 0); "contrast": the target's probability minus the contrast class's
   * (the bias terms then cancel, so they are left out).
   * Returns fresh arrays: {probabilities: Float64Array, map: Float32Array(784), target, contrast}.
   */
  explain(x, { mode = "target", target = null, contrast = null } = {}) {
    if (!["thesis", "target", "contrast"].includes(mode)) {
      throw new Error(`mode must be thesis, target or contrast, not ${mode}`);
    }
    const why = target === null || target === undefined ? null : this.classIndex(target, "target");
    const against =
      contrast === null || contrast === undefined ? null : this.classIndex(contrast, "contrast");
    const probabilities = this.run(x);
    const question = resolveQuestion(mode, why, against, probabilities);
    const top = this.top;
    if (mode === "thesis") {
      top.set(probabilities);
    } else {
      top.fill(0);
      top[question.target] = probabilities[question.target];
      if (mode === "contrast") top[question.contrast] -= probabilities[question.contrast];
    }
    this.backward(top, mode !== "contrast");
    return {
      probabilities: probabilities.slice(),
      map: Float32Array.from(this.importance[0]),
      target: mode === "thesis" ? null : question.target,
      contrast: question.contrast,
    };
  }

  /** The last layer's pre-activation scores (the logits, before softmax) of one input. */
  logits(x) {
    this.run(x);
    return this.scores.slice();
  }

  classIndex(value, what) {
    if (!Number.isInteger(value) || value < 0 || value >= this.classes) {
      throw new Error(`${what} must be a class index 0..${this.classes - 1}, not ${value}`);
    }
    return value;
  }

  /** The forward pass; fills every layer's input and returns the output buffer (not a copy). */
  run(x) {
    if (!x || x.length !== PIXELS) throw new Error(`expected 784 input values, got ${x && x.length}`);
    this.activations[0].set(x);
    const last = this.layers.length - 1;
    for (let i = 0; i <= last; i++) {
      const layer = this.layers[i];
      const input = this.activations[i];
      const output = this.activations[i + 1];
      if (layer.kind === "dense") denseForward(layer, input, output);
      else if (layer.kind === "conv") convForward(layer, input, output);
      else if (layer.kind === "pool") poolForward(layer, input, output);
      if (i === last) this.scores.set(output);
      if (layer.activation === "relu") {
        for (let j = 0; j < output.length; j++) if (output[j] < 0) output[j] = 0;
      } else if (layer.activation === "softmax") {
        softmax(output);
      }
    }
    return this.activations[last + 1];
  }

  /**
   * ModuleX from H_n (`top`) back to the input, into this.importance[0]:
   *   Dense, Conv2D:  H_i = X_i * ((H_{i+1} - b_i) @ W_i.T)   (Conv2D: the transposed convolution)
   *   pooling:        H_i = X_i * P_i.T(H_{i+1} / X_{i+1})      (0 where the pooled value is 0)
   *   Reshape:        H_i = H_{i+1}
   */
  backward(top, useBias) {
    const n = this.layers.length;
    this.importance[n].set(top);
    for (let i = n - 1; i >= 0; i--) {
      const layer = this.layers[i];
      const above = this.importance[i + 1];
      const below = this.importance[i];
      const x = this.activations[i];
      if (layer.kind === "dense") {
        if (useBias) subtractBias(above, layer.bias);
        denseAdjointTimesInput(layer, above, x, below);
      } else if (layer.kind === "conv") {
        convAdjointTimesInput(layer, above, x, below, useBias);
      } else if (layer.kind === "pool") {
        poolRule(layer, above, x, this.activations[i + 1], below);
      }
    }
  }
}

function product(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

function softmax(z) {
  let peak = -Infinity;
  for (let i = 0; i < z.length; i++) if (z[i] > peak) peak = z[i];
  let total = 0;
  for (let i = 0; i < z.length; i++) {
    z[i] = Math.exp(z[i] - peak);
    total += z[i];
  }
  for (let i = 0; i < z.length; i++) z[i] /= total;
}

/** H - b, the bias broadcast over the last (channel) axis; in place. */
function subtractBias(importance, bias) {
  const channels = bias.length;
  for (let i = 0; i < importance.length; i += channels) {
    for (let c = 0; c < channels; c++) importance[i + c] -= bias[c];
  }
}

// Dense: z = x @ W + b with W [inputs, outputs] row-major.
function denseForward(layer, x, z) {
  const { kernel, outputs } = layer;
  z.set(layer.bias);
  for (let i = 0; i < x.length; i++) {
    const value = x[i];
    if (value === 0) continue;
    const row = i * outputs;
    for (let j = 0; j < outputs; j++) z[j] += value * kernel[row + j];
  }
}

// H_i[i] = X_i[i] * sum_j g[j] W[i, j]; rows whose input is 0 give 0 without the sum.
function denseAdjointTimesInput(layer, g, x, out) {
  const { kernel, outputs } = layer;
  for (let i = 0; i < x.length; i++) {
    const value = x[i];
    if (value === 0) {
      out[i] = 0;
      continue;
    }
    const row = i * outputs;
    let sum = 0;
    for (let j = 0; j < outputs; j++) sum += g[j] * kernel[row + j];
    out[i] = value * sum;
  }
}

// Conv2D, channels last, kernel [kh, kw, in, out] row-major, Keras' zero padding (top, left).
//
// Both passes walk the output pixels; for each, the kernel taps whose input pixel lies inside
// the picture form a rectangle [ky0, ky1) x [kx0, kx1) (windowRange), so no bounds test is
// left in the inner loops. Along one kernel row the window's inputs (kx, c) are contiguous in
// x, and their kernel rows are `filters` apart in the kernel.

/** The kernel taps [first, stop) along one axis whose input lies inside 0..size-1. */
function windowRange(output, stride, pad, taps, size) {
  const origin = output * stride - pad; // input coordinate of tap 0
  return [Math.max(0, -origin), Math.min(taps, size - origin)];
}

// The forward pass: z[o, f] = b[f] + sum over the window's inputs x[i] * K[i's tap, c, f].
// The window's non-zero inputs (ReLU outputs and blank pixels are mostly zero) are gathered
// once, with their kernel rows; then eight filters at a time are summed in registers.
function convForward(layer, x, z) {
  const { kernel, bias, kh, kw, sy, sx, filters, outW, usedH, usedW, top, left, values, rows } = layer;
  const [height, width, channels] = layer.input;
  for (let oy = 0; oy < usedH; oy++) {
    const [ky0, ky1] = windowRange(oy, sy, top, kh, height);
    for (let ox = 0; ox < usedW; ox++) {
      const [kx0, kx1] = windowRange(ox, sx, left, kw, width);
      const span = (kx1 - kx0) * channels;
      let count = 0;
      for (let ky = ky0; ky < ky1; ky++) {
        const inRow = ((oy * sy + ky - top) * width + ox * sx + kx0 - left) * channels;
        const kernelRow = (ky * kw + kx0) * channels * filters;
        for (let t = 0; t < span; t++) {
          const value = x[inRow + t];
          if (value !== 0) {
            values[count] = value;
            rows[count++] = kernelRow + t * filters;
          }
        }
      }
      const o = (oy * outW + ox) * filters;
      let f = 0;
      for (; f + 8 <= filters; f += 8) {
        let s0 = bias[f];
        let s1 = bias[f + 1];
        let s2 = bias[f + 2];
        let s3 = bias[f + 3];
        let s4 = bias[f + 4];
        let s5 = bias[f + 5];
        let s6 = bias[f + 6];
        let s7 = bias[f + 7];
        for (let q = 0; q < count; q++) {
          const value = values[q];
          const k = rows[q] + f;
          s0 += value * kernel[k];
          s1 += value * kernel[k + 1];
          s2 += value * kernel[k + 2];
          s3 += value * kernel[k + 3];
          s4 += value * kernel[k + 4];
          s5 += value * kernel[k + 5];
          s6 += value * kernel[k + 6];
          s7 += value * kernel[k + 7];
        }
        z[o + f] = s0;
        z[o + f + 1] = s1;
        z[o + f + 2] = s2;
        z[o + f + 3] = s3;
        z[o + f + 4] = s4;
        z[o + f + 5] = s5;
        z[o + f + 6] = s6;
        z[o + f + 7] = s7;
      }
      for (; f < filters; f++) {
        let sum = bias[f];
        for (let q = 0; q < count; q++) sum += values[q] * kernel[rows[q] + f];
        z[o + f] = sum;
      }
    }
  }
}

// The rule's backward step: H_i = X_i * conv_transpose(H_{i+1} - b), split in two terms:
//   conv_transpose(H_{i+1}): each output pixel spreads its non-zero importances (most are
//     zero: H_{i+1} is X_{i+1} times something, and X_{i+1} is a ReLU output) over its window,
//     through the kernel transposed to [kh, kw, out, in] so the inputs of a tap are contiguous;
//   conv_transpose(b): the same for every drawing, computed once (layer.biasShare).
// In contrast mode the biases cancel and the second term is left out.
function convAdjointTimesInput(layer, g, x, out, useBias) {
  const { kernelT, kh, kw, sy, sx, filters, outH, outW, top, left, values, rows } = layer;
  const [height, width, channels] = layer.input;
  if (useBias) out.set(layer.biasShare);
  else out.fill(0);
  for (let oy = 0; oy < outH; oy++) {
    const [ky0, ky1] = windowRange(oy, sy, top, kh, height);
    for (let ox = 0; ox < outW; ox++) {
      const o = (oy * outW + ox) * filters;
      let count = 0;
      for (let f = 0; f < filters; f++) {
        if (g[o + f] !== 0) {
          values[count] = g[o + f];
          rows[count++] = f * channels;
        }
      }
      if (count === 0) continue;
      const [kx0, kx1] = windowRange(ox, sx, left, kw, width);
      for (let ky = ky0; ky < ky1; ky++) {
        for (let kx = kx0; kx < kx1; kx++) {
          const inBase = ((oy * sy + ky - top) * width + ox * sx + kx - left) * channels;
          const tap = (ky * kw + kx) * filters * channels;
          for (let q = 0; q < count; q++) {
            const value = values[q];
            const k = tap + rows[q];
            for (let c = 0; c < channels; c++) out[inBase + c] += value * kernelT[k + c];
          }
        }
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] *= x[i];
}

/** The conv layer's tables made once: the kernel transposed to [kh, kw, out, in], the bias
 * term of the backward step (-conv_transpose(b), per input value), and the gather scratch. */
function prepareConv(layer) {
  const { kernel, bias, kh, kw, filters } = layer;
  const [height, width, channels] = layer.input;
  layer.kernelT = new Float64Array(kernel.length);
  for (let tap = 0; tap < kh * kw; tap++) {
    for (let c = 0; c < channels; c++) {
      for (let f = 0; f < filters; f++) {
        layer.kernelT[(tap * filters + f) * channels + c] = kernel[(tap * channels + c) * filters + f];
      }
    }
  }
  const window = kh * kw * Math.max(channels, filters);
  layer.values = new Float64Array(window);
  layer.rows = new Int32Array(window);
  // -conv_transpose(b): the same loops as convAdjointTimesInput with b at every output pixel
  const share = new Float64Array(height * width * channels);
  const { sy, sx, outH, outW, top, left } = layer;
  for (let oy = 0; oy < outH; oy++) {
    const [ky0, ky1] = windowRange(oy, sy, top, kh, height);
    for (let ox = 0; ox < outW; ox++) {
      const [kx0, kx1] = windowRange(ox, sx, left, kw, width);
      for (let ky = ky0; ky < ky1; ky++) {
        for (let kx = kx0; kx < kx1; kx++) {
          const inBase = ((oy * sy + ky - top) * width + ox * sx + kx - left) * channels;
          const tap = (ky * kw + kx) * channels * filters;
          for (let c = 0; c < channels; c++) {
            let sum = 0;
            for (let f = 0; f < filters; f++) sum += bias[f] * kernel[tap + c * filters + f];
            share[inBase + c] -= sum;
          }
        }
      }
    }
  }
  layer.biasShare = share;
}

// Max pooling remembers, per output, the first input of its window (rows, then columns) that
// holds the maximum: where the gradient, and so the importance, goes back.
function poolForward(layer, x, z) {
  const { ph, pw, sy, sx, outH, outW, winner } = layer;
  const [, width, channels] = layer.input;
  const isMax = layer.pool === "max";
  const share = 1 / (ph * pw);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let c = 0; c < channels; c++) {
        const o = (oy * outW + ox) * channels + c;
        let best = -Infinity;
        let where = -1;
        let total = 0;
        for (let dy = 0; dy < ph; dy++) {
          for (let dx = 0; dx < pw; dx++) {
            const i = ((oy * sy + dy) * width + ox * sx + dx) * channels + c;
            if (x[i] > best) {
              best = x[i];
              where = i;
            }
            total += x[i];
          }
        }
        if (isMax) {
          z[o] = best;
          winner[o] = where;
        } else {
          z[o] = total * share;
        }
      }
    }
  }
}

// H_i = X_i * P.T(H_{i+1} / X_{i+1}): max pooling hands each share to its window's winner,
// average pooling to every input of the window divided by the window's size.
function poolRule(layer, g, x, pooled, out) {
  const { ph, pw, sy, sx, outH, outW, winner } = layer;
  const [, width, channels] = layer.input;
  out.fill(0);
  if (layer.pool === "max") {
    for (let o = 0; o < g.length; o++) {
      if (pooled[o] !== 0) out[winner[o]] += g[o] / pooled[o];
    }
  } else {
    const size = ph * pw;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let c = 0; c < channels; c++) {
          const o = (oy * outW + ox) * channels + c;
          if (pooled[o] === 0) continue;
          const share = g[o] / pooled[o] / size;
          for (let dy = 0; dy < ph; dy++) {
            for (let dx = 0; dx < pw; dx++) {
              out[((oy * sy + dy) * width + ox * sx + dx) * channels + c] += share;
            }
          }
        }
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] *= x[i];
}

// ---------------------------------------------------------------------------------------------
// Preprocessing: canvas pixels -> the EMNIST-style 28x28 input (core/inputs/preprocess.py)
//
// core blurs the crop around the ink box (a separable Gaussian), pastes it into a square
// frame and shrinks the frame to 28x28 with Pillow's bicubic filter (also separable). Every
// one of these steps is linear and acts on rows and columns apart, so along each axis they
// compose into one 28 x crop-length weight table: 28x28 = V . crop . H^T, where V (and H) is
// Pillow's table times the frame's paste times the Gaussian's band (composeAxis). Each output
// row of V reads a short run of crop rows, so the work is the ink's rows and columns times a
// few weights, not the crop's pixels times the blur's taps. The sums are core's, in another
// order: equal up to float rounding (a 28x28 level may differ by 1/255; the test allows 2).

const INK_THRESHOLD = 0.1; // a pixel above it counts as drawn
const BLUR_FRACTION = 0.01; // Gaussian sigma as a share of the ink box's longer side
const TARGET_SIDE = 24; // pixels spanned by the longer side in the 28x28 result
const MIN_EXTENT = 0.12; // smallest drawing, as a share of the picture's longer side
const TOO_SMALL = "the drawing is too small to be a character (a dot or a short tick): draw it larger";
const f32 = Math.fround;
const ONE_255 = f32(1 / 255);
const LEVELS = Float32Array.from({ length: 256 }, (_, level) => level / 255); // float32(v / 255)

/** Ink 0-1 of RGBA canvas pixels (an ImageData, or {data, width, height}): the brightest
 * channel times the alpha, as core's canvas_ink. Writes into `out` when it has the right size. */
export function canvasInk(imageData, out = null) {
  const { data, width, height } = imageData;
  const ink = out && out.length === width * height ? out : new Float32Array(width * height);
  // a canvas is mostly transparent black: read four bytes at once and skip the zero pixels
  const words = data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, ink.length) : null;
  for (let p = 0, i = 0; p < ink.length; p++, i += 4) {
    if (words !== null && words[p] === 0) {
      ink[p] = 0;
      continue;
    }
    const r = data[i];
    const g = data[i + 1];
    const b = data[i + 2];
    const brightest = r > g ? (r > b ? r : b) : g > b ? g : b;
    const alpha = data[i + 3];
    ink[p] = alpha === 255 ? LEVELS[brightest] : LEVELS[brightest] * LEVELS[alpha];
  }
  return ink;
}

// Scratch buffers, grown when a larger drawing needs them, never shrunk.
const scratch = {
  crop: new Float32Array(0),
  spans: new Int32Array(0),
  rows: new Float64Array(0), // the crop's rows through H: cropH x 28
  distance: new Int32Array(0), // stroke width: city-block depth of each ink-box pixel
  erodeA: new Float32Array(0), // thinning: the eroded region and its row-wise minimum
  erodeB: new Float32Array(0),
  lineIn: new Float32Array(0),
  lineOut: new Float32Array(0),
  minForward: new Float32Array(0),
  minBackward: new Float32Array(0),
  thinned: new Float32Array(0),
  small: new Float64Array(PIXELS),
};
function buffer(name, size) {
  if (scratch[name].length < size) scratch[name] = new scratch[name].constructor(size);
  return scratch[name];
}

/** Ink 0-1 as core reads it: NaN -> 0, +inf -> 1, clipped to [0, 1], float32. */
function clean(value) {
  return value > 0 ? (value < 1 ? f32(value) : 1) : 0;
}

/**
 * Ink intensities (`width` x `height`, row-major, 0-1) -> {input: Float32Array(784), frame}
 * ready for the networks (frame: the square {x, y, side} of the picture the input shows),
 * {blank: true} when nothing is drawn, or {error: message} when the drawing is too small: core's canvas_to_input after canvas_ink, i.e. ink_to_input(thin_thick_strokes(ink)).
 * Thick strokes of a small drawing are thinned first (thinThickStrokes); then the steps and
 * constants of core's ink_to_input:
 * ink box, blur (sigma 1% of its longer side), a square frame centred on the box (the longer
 * side spans 24 of 28 pixels), Pillow's bicubic resize to 28x28, peak normalised, rounded to
 * 0-255 and divided by 255.
 */
export function preprocessInk(ink, width, height) {
  if (!(width > 0 && height > 0) || !ink || ink.length !== width * height) {
    return { error: `expected ${width}x${height} ink values, got ${ink ? ink.length : "none"}` };
  }
  const box = inkBox(ink, width, height);
  const ready = thinned(ink, width, height, box);
  return inkToInput(ready, width, height, ready === ink ? box : undefined);
}

/** The ink box {top, bottom, left, right} (inclusive) of the pixels above `threshold` (NaN is
 * not), or null when there is none: core's ink_bounding_box. */
function inkBox(ink, width, height, threshold = INK_THRESHOLD) {
  let top = -1;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    for (let x = 0; x < width; x++) {
      if (ink[row + x] > threshold) {
        first = x;
        break;
      }
    }
    if (first < 0) continue;
    let last = width - 1;
    while (!(ink[row + last] > threshold)) last--;
    if (top < 0) top = y;
    bottom = y;
    if (first < left) left = first;
    if (last > right) right = last;
  }
  return top < 0 ? null : { top, bottom, left, right };
}

// core's ink_to_input on ink already thinned
function inkToInput(ink, width, height, box = inkBox(ink, width, height)) {
  // 1. the ink box: rows and columns holding a pixel above the threshold
  if (box === null) return { blank: true };
  const { top, bottom, left, right } = box;
  const boxH = bottom - top + 1;
  const boxW = right - left + 1;
  const longer = Math.max(boxH, boxW);
  if (longer < MIN_EXTENT * Math.max(width, height)) return { error: TOO_SMALL };

  // 2. the crop with room for the blur's tails (zero outside the picture); each row remembers
  // the span [start, stop) of its non-zero pixels
  const sigma = Math.max(0.5, BLUR_FRACTION * longer);
  const margin = Math.ceil(3 * sigma);
  const cropH = boxH + 2 * margin;
  const cropW = boxW + 2 * margin;
  const crop = buffer("crop", cropH * cropW);
  const spans = buffer("spans", 2 * cropH);
  const x0 = Math.max(0, left - margin); // the crop's columns inside the picture, in the picture
  const x1 = Math.min(width, right + 1 + margin);
  for (let y = 0; y < cropH; y++) {
    const sourceY = top - margin + y;
    let start = cropW;
    let stop = 0;
    if (sourceY >= 0 && sourceY < height) {
      const source = sourceY * width + left - margin; // picture index of crop column 0
      const row = y * cropW;
      for (let x = x0 - (left - margin); x < x1 - (left - margin); x++) {
        const value = clean(ink[source + x]);
        crop[row + x] = value;
        if (value !== 0) {
          if (start > x) start = x;
          stop = x + 1;
        }
      }
    }
    spans[2 * y] = start;
    spans[2 * y + 1] = stop;
  }

  // 3. the square frame centred on the ink box (Python rounds halves to even), and
  // 4. blur, paste and Pillow's resize to 28x28 as one weight table per axis
  const frame = roundHalfEven((longer * SIDE) / TARGET_SIDE);
  const offsetY = Math.floor((frame - boxH) / 2) - margin;
  const offsetX = Math.floor((frame - boxW) / 2) - margin;
  const blur = gaussianWeights(sigma);
  const vertical = composeAxis(axes.vertical, frame, offsetY, cropH, blur);
  const horizontal = composeAxis(axes.horizontal, frame, offsetX, cropW, blur);
  const small = applyTables(crop, spans, cropH, cropW, vertical, horizontal);

  // 5. clipped at 0, normalised to its peak, rounded to 0-255 (half to even, as numpy)
  let peak = 0;
  for (let i = 0; i < PIXELS; i++) {
    small[i] = small[i] > 0 ? f32(small[i]) : 0; // Pillow stores float32
    if (small[i] > peak) peak = small[i];
  }
  if (!(peak > 0)) return { blank: true };
  const input = new Float32Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) {
    const level = roundHalfEven(f32(f32(small[i] / peak) * 255));
    input[i] = f32(level * ONE_255); // as core's to_model_input: uint8 * float32(1/255)
  }
  // where the 28x28 input lies on the picture (a square of `frame` picture pixels, its corner
  // at x, y; it may reach past the edges), so the live canvas can lay the map over the drawing
  const where = {
    x: left - Math.floor((frame - boxW) / 2),
    y: top - Math.floor((frame - boxH) / 2),
    side: frame,
  };
  return { input, frame: where };
}

function roundHalfEven(value) {
  const floor = Math.floor(value);
  const rest = value - floor;
  if (rest > 0.5) return floor + 1;
  if (rest < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** core's gaussian_blur weights: radius max(1, ceil(3 sigma)), float32, normalised to sum 1
 * (the sum taken in float32). Blurring is then, along each axis and zero outside the crop,
 * blurred[b] = sum over |r - b| <= radius of weights[r - b + radius] * crop[r]. */
function gaussianWeights(sigma) {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const weights = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let k = -radius; k <= radius; k++) {
    weights[k + radius] = Math.exp(-0.5 * (k / sigma) ** 2);
    total += weights[k + radius];
  }
  total = f32(total);
  for (let k = 0; k < weights.length; k++) weights[k] = weights[k] / total;
  return { radius, weights };
}

// Pillow's resampling (libImaging/Resample.c) of a 32-bit float image: per output pixel a
// window of input pixels weighted by the bicubic kernel (a = -0.5), normalised to sum 1. When
// shrinking, the kernel is stretched by the scale (support 2 * scale), so every input pixel
// counts. A frame of 28 is not resampled at all (Pillow returns a copy).
function bicubic(t) {
  const a = -0.5;
  const x = Math.abs(t);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

const pillowTables = new Map(); // frame side -> {starts, counts, weights, stride}
function pillowCoefficients(inputSize) {
  let table = pillowTables.get(inputSize);
  if (table) return table;
  const scale = inputSize / SIDE;
  const filterScale = Math.max(scale, 1);
  const support = inputSize === SIDE ? 0.5 : 2 * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  table = { starts: new Int32Array(SIDE), counts: new Int32Array(SIDE), weights: new Float64Array(SIDE * stride), stride };
  for (let out = 0; out < SIDE; out++) {
    const center = (out + 0.5) * scale;
    if (inputSize === SIDE) {
      [table.starts[out], table.counts[out], table.weights[out * stride]] = [out, 1, 1];
      continue;
    }
    const start = Math.max(0, Math.trunc(center - support + 0.5));
    const stop = Math.min(inputSize, Math.trunc(center + support + 0.5));
    let total = 0;
    for (let i = start; i < stop; i++) {
      const w = bicubic((i - center + 0.5) / filterScale);
      table.weights[out * stride + i - start] = w;
      total += w;
    }
    if (total !== 0) for (let i = 0; i < stop - start; i++) table.weights[out * stride + i] /= total;
    table.starts[out] = start;
    table.counts[out] = stop - start;
  }
  if (pillowTables.size > 64) pillowTables.clear(); // one entry per frame size drawn
  pillowTables.set(inputSize, table);
  return table;
}

// The composed table of one axis, reused from frame to frame (row `out` holds the weights of
// crop positions first[out] .. first[out] + count[out] - 1).
const axes = {
  vertical: { first: new Int32Array(SIDE), count: new Int32Array(SIDE), weights: new Float64Array(0), stride: 0 },
  horizontal: { first: new Int32Array(SIDE), count: new Int32Array(SIDE), weights: new Float64Array(0), stride: 0 },
};

/** Pillow's weights of output `out` over frame position j (the frame holds the blurred crop's
 * position j - offset, where that lies in the crop, else 0), times the Gaussian's weights of
 * the crop position r around it: table[out][r] = sum_j pillow[out][j] * gauss[r - (j - offset)]. */
function composeAxis(table, frame, offset, length, { radius, weights: gauss }) {
  const pillow = pillowCoefficients(frame);
  const stride = pillow.stride + 2 * radius;
  if (table.weights.length < SIDE * stride) table.weights = new Float64Array(SIDE * stride);
  table.weights.fill(0, 0, SIDE * stride);
  table.stride = stride;
  for (let out = 0; out < SIDE; out++) {
    // the crop positions the output's frame window reaches through the blur
    const start = pillow.starts[out] - offset; // crop position of the window's first pixel
    const first = Math.max(0, start - radius);
    const last = Math.min(length, start + pillow.counts[out] + radius); // exclusive
    table.first[out] = first;
    table.count[out] = Math.max(0, last - first);
    const row = out * stride - first;
    for (let j = 0; j < pillow.counts[out]; j++) {
      const blurredAt = start + j;
      if (blurredAt < 0 || blurredAt >= length) continue; // outside the crop: the frame is 0
      const w = pillow.weights[out * pillow.stride + j];
      const low = Math.max(0, blurredAt - radius);
      const high = Math.min(length, blurredAt + radius + 1);
      for (let r = low; r < high; r++) table.weights[row + r] += w * gauss[r - blurredAt + radius];
    }
  }
  return table;
}

/** 28x28 = V . crop . H^T, reading only each crop row's span of non-zero pixels. */
function applyTables(crop, spans, cropH, cropW, vertical, horizontal) {
  // the crop's rows through H: rows[r][v] = sum_c crop[r][c] * H[v][c]
  const rows = buffer("rows", cropH * SIDE);
  for (let r = 0; r < cropH; r++) {
    const from = spans[2 * r];
    const to = spans[2 * r + 1];
    const base = r * SIDE;
    for (let v = 0; v < SIDE; v++) {
      const first = horizontal.first[v];
      const low = Math.max(from, first);
      const high = Math.min(to, first + horizontal.count[v]);
      let sum = 0;
      const weights = v * horizontal.stride - first;
      const source = r * cropW;
      for (let c = low; c < high; c++) sum += crop[source + c] * horizontal.weights[weights + c];
      rows[base + v] = sum;
    }
  }
  // then down the columns: small[u][v] = sum_r V[u][r] * rows[r][v], skipping empty rows
  const small = scratch.small;
  small.fill(0);
  for (let u = 0; u < SIDE; u++) {
    const first = vertical.first[u];
    const weights = u * vertical.stride - first;
    const out = u * SIDE;
    for (let r = first; r < first + vertical.count[u]; r++) {
      if (spans[2 * r] >= spans[2 * r + 1]) continue;
      const w = vertical.weights[weights + r];
      const base = r * SIDE;
      for (let v = 0; v < SIDE; v++) small[out + v] += w * rows[base + v];
    }
  }
  return small;
}

// ---------------------------------------------------------------------------------------------
// Thick strokes of a small drawing (core/inputs/preprocess.py: stroke_width, thin_thick_strokes)
//
// The brush has a fixed width in canvas pixels, so a tiny drawing arrives with strokes a third
// of its size thick; core thins them with a grey-scale erosion before ink_to_input. The stroke
// width is core's erosion count: after k erosions by the 3x3 cross a pixel of the mask is left
// exactly when its city-block distance to the nearest pixel outside the mask exceeds k, so one
// two-pass distance transform over the ink box gives every erosion's count at once.

const MAX_STROKE_SHARE = 0.2; // thicker strokes (a share of the box's longer side) are thinned
const THINNED_STROKE_SHARE = 0.12; // ...down to about this share
const INK_MASK_LEVEL = 0.5; // pixels above it are the stroke whose width is measured

/** core's stroke_width of the ink inside `box` (the mask lies inside the ink box: outside it,
 * everything is background). */
function strokeWidth(ink, width, box) {
  const { top, left } = box;
  const boxW = box.right - left + 1;
  const boxH = box.bottom - top + 1;
  const distance = buffer("distance", boxW * boxH);
  let total = 0;
  for (let y = 0; y < boxH; y++) {
    for (let x = 0; x < boxW; x++) {
      const i = y * boxW + x;
      if (!(ink[(top + y) * width + left + x] > INK_MASK_LEVEL)) {
        distance[i] = 0;
        continue;
      }
      total++;
      const up = y > 0 ? distance[i - boxW] : 0;
      const before = x > 0 ? distance[i - 1] : 0;
      distance[i] = Math.min(up, before) + 1;
    }
  }
  if (total === 0) return 0;
  let deepest = 0;
  for (let y = boxH - 1; y >= 0; y--) {
    for (let x = boxW - 1; x >= 0; x--) {
      const i = y * boxW + x;
      if (distance[i] === 0) continue;
      const down = y < boxH - 1 ? distance[i + boxW] : 0;
      const after = x < boxW - 1 ? distance[i + 1] : 0;
      distance[i] = Math.min(distance[i], down + 1, after + 1);
      if (distance[i] > deepest) deepest = distance[i];
    }
  }
  const atDistance = new Int32Array(deepest + 1);
  for (let i = 0; i < boxW * boxH; i++) if (distance[i] > 0) atDistance[distance[i]]++;
  // core's loop: erode until at most half is left, then interpolate between the two counts
  let erosions = 0;
  let remaining = total;
  let previous = total;
  while (remaining * 2 > total) {
    erosions++;
    previous = remaining;
    remaining -= atDistance[erosions]; // the pixels exactly `erosions` deep go in this erosion
  }
  const halfWay = erosions - 1 + (previous - total / 2) / Math.max(previous - remaining, 1);
  return 4 * halfWay;
}

/**
 * core's thin_thick_strokes of canvas ink (0-1): `ink` itself (the same array) when its strokes
 * are at most 20% of the ink box's longer side thick; else the ink eroded by r passes of a 3x3
 * grey-scale minimum (zero outside the picture), r = min(floor((width - 0.12 longer) / 2),
 * floor(0.35 width)), in a buffer reused by the next call; `ink` itself again when the thinned
 * drawing would be below the minimum extent.
 */
export function thinThickStrokes(ink, width, height) {
  return thinned(ink, width, height, inkBox(ink, width, height));
}

function thinned(ink, width, height, box) {
  if (box === null) return ink;
  const longer = Math.max(box.bottom - box.top, box.right - box.left) + 1;
  const stroke = strokeWidth(ink, width, box);
  if (stroke <= MAX_STROKE_SHARE * longer) return ink;
  const passes = Math.min(
    Math.floor((stroke - THINNED_STROKE_SHARE * longer) / 2),
    Math.floor(0.35 * stroke),
  );
  // For ink >= 0 (zero outside the picture), r passes of the 3x3 minimum are one minimum over
  // the (2r + 1)-square around each pixel, which is a minimum along the rows, then down the
  // columns; and pixels that are 0 stay 0, so only the box of non-zero ink is worked on.
  const region = inkBox(ink, width, height, 0);
  const regionW = region.right - region.left + 1;
  const regionH = region.bottom - region.top + 1;
  const current = buffer("erodeA", regionW * regionH);
  const across = buffer("erodeB", regionW * regionH);
  for (let y = 0; y < regionH; y++) {
    const from = (region.top + y) * width + region.left;
    current.set(ink.subarray(from, from + regionW), y * regionW);
  }
  const lineIn = buffer("lineIn", Math.max(regionW, regionH));
  const lineOut = buffer("lineOut", Math.max(regionW, regionH));
  for (let y = 0; y < regionH; y++) {
    for (let x = 0; x < regionW; x++) lineIn[x] = current[y * regionW + x];
    windowMinimum(lineIn, lineOut, regionW, passes);
    for (let x = 0; x < regionW; x++) across[y * regionW + x] = lineOut[x];
  }
  for (let x = 0; x < regionW; x++) {
    for (let y = 0; y < regionH; y++) lineIn[y] = across[y * regionW + x];
    windowMinimum(lineIn, lineOut, regionH, passes);
    for (let y = 0; y < regionH; y++) current[y * regionW + x] = lineOut[y];
  }
  const result = buffer("thinned", width * height);
  result.fill(0, 0, width * height);
  for (let y = 0; y < regionH; y++) {
    result.set(current.subarray(y * regionW, (y + 1) * regionW), (region.top + y) * width + region.left);
  }
  const after = inkBox(result, width, height);
  if (after === null) return ink;
  const thinnedLonger = Math.max(after.bottom - after.top, after.right - after.left) + 1;
  if (thinnedLonger < MIN_EXTENT * Math.max(width, height)) return ink; // judged as drawn
  return result.length === width * height ? result : result.subarray(0, width * height);
}

/** out[i] = min(line[i - r .. i + r]) over `length` values, 0 where the window leaves the line
 * (the values are >= 0 and 0 beyond it): van Herk's running minima, blocks of 2r + 1. */
function windowMinimum(line, out, length, r) {
  const size = 2 * r + 1;
  const forward = buffer("minForward", length);
  const backward = buffer("minBackward", length);
  for (let i = 0; i < length; i++) {
    forward[i] = i % size === 0 ? line[i] : Math.min(forward[i - 1], line[i]);
  }
  for (let i = length - 1; i >= 0; i--) {
    backward[i] = i === length - 1 || (i + 1) % size === 0 ? line[i] : Math.min(backward[i + 1], line[i]);
  }
  for (let i = 0; i < length; i++) {
    out[i] = i - r < 0 || i + r >= length ? 0 : Math.min(backward[i - r], forward[i + r]);
  }
}

// ---------------------------------------------------------------------------------------------
// "Not one of these" (core/insight/unlikely.py; the formula is in its docstring)
//
// The score of an input x for one network, from the 8 logits z of the 8-character CNN
// (all8-cnn) for x: f = (z, mean ink of x, aspect of its > 0.5 box), the smallest Mahalanobis
// distance of f to the means of the network's characters, weighted, plus -ln of the softmax
// probability that x is one of them; infinite when the aspect is below min_aspect. Flagged
// when the score is above the threshold. The parameters come from app/live_weights.py's
// unlikely_url (the npz as JSON, in a folder named by the first 8 hex digits of its sha256).

const LOGITS = 8; // the outputs of the 8-character network
const unlikelyLoaded = new Map(); // absolute URL -> Promise<Unlikely>

/** The "not one of these" parameters at `url`, fetched and checked once per address. */
export function loadUnlikely(url) {
  const address = absolute(url);
  let pending = unlikelyLoaded.get(address);
  if (!pending) {
    pending = fetchUnlikely(address);
    unlikelyLoaded.set(address, pending);
    pending.catch(() => unlikelyLoaded.delete(address));
  }
  return pending;
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
