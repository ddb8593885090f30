// The layers of a browser network: each layer's forward step and its ModuleX backward step,
// on flat channels-last Float64Arrays (network.js holds the buffers and walks the layers).
//
// Forward: the layers of core/models/layer_stack.py (Dense, Conv2D with Keras' padding, max
// and average pooling, softmax). Backward: the ModuleX rule of core/explain/modulex.py as
// core/explain/walker.py walks it, one function per layer kind. Held equal to core by
// tests/app/test_live_engine.py (Node) and tests/e2e/test_live_engine.py (Chromium) on every
// shipped network and mode: probabilities within 1e-5, maps within 1e-4 of their largest value.

export function softmax(z) {
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
export function subtractBias(importance, bias) {
  const channels = bias.length;
  for (let i = 0; i < importance.length; i += channels) {
    for (let c = 0; c < channels; c++) importance[i + c] -= bias[c];
  }
}

// Dense: z = x @ W + b with W [inputs, outputs] row-major.
export function denseForward(layer, x, z) {
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
export function denseAdjointTimesInput(layer, g, x, out) {
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
export function convForward(layer, x, z) {
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
export function convAdjointTimesInput(layer, g, x, out, useBias) {
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
export function prepareConv(layer) {
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
export function poolForward(layer, x, z) {
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
export function poolRule(layer, g, x, pooled, out) {
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

