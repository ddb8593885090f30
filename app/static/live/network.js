// A network in the browser: the forward pass and ModuleX of one weight export.
//
// loadNetwork fetches and checks the export once per address (weights.js) and builds a Network;
// forward and explain walk its layers (layers.js) as core walks the numpy view of a model
// (core/models/layer_stack.py, core/explain/walker.py with the ModuleX rule of
// core/explain/modulex.py), and explain answers the question as core resolves it
// (question.js, core/explain/question.py). Held equal to core by tests/app/test_live_engine.py
// (Node) and tests/e2e/test_live_engine.py (Chromium), for every shipped network and mode.
//
// Speed: every buffer a frame needs is allocated once per network; the loops skip zero
// inputs, which most pixels of a drawing are.

import { IMAGE_SIDE } from "./constants.js";
import {
  convAdjointTimesInput,
  convForward,
  denseAdjointTimesInput,
  denseForward,
  poolForward,
  poolRule,
  prepareConv,
  softmax,
  subtractBias,
} from "./layers.js";
import { resolveQuestion } from "./question.js";
import { fetchWeights, loadOnce } from "./weights.js";

const PIXELS = IMAGE_SIDE * IMAGE_SIDE;
const loaded = new Map(); // absolute manifest URL -> Promise<Network>

/**
 * The network whose manifest is at `manifestUrl` (its binary beside it, as the manifest names
 * it). Fetched and checked once per address: a second call returns the same Network.
 */
export function loadNetwork(manifestUrl) {
  return loadOnce(loaded, manifestUrl, async (url) => {
    const { manifest, buffer } = await fetchWeights(url);
    return new Network(manifest, buffer);
  });
}

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
