// The canvas path's blur, frame and resize as one linear map: the browser's copy of the middle
// of core's ink_to_input (core/inputs/preprocess.py: gaussian_blur, the square frame, Pillow's
// bicubic resize to 28x28).
//
// core blurs the crop around the ink box (a separable Gaussian), pastes it into a square
// frame and shrinks the frame to 28x28 with Pillow's bicubic filter (also separable). Every
// one of these steps is linear and acts on rows and columns apart, so along each axis they
// compose into one 28 x crop-length weight table: 28x28 = V . crop . H^T, where V (and H) is
// Pillow's table times the frame's paste times the Gaussian's band (composeAxis). Each output
// row of V reads a short run of crop rows, so the work is the ink's rows and columns times a
// few weights, not the crop's pixels times the blur's taps. The sums are core's, in another
// order: equal up to float rounding (a 28x28 level may differ by 1/255; the equality tests of
// preprocess.js allow 2).

import { IMAGE_SIDE as SIDE } from "./constants.js";

const f32 = Math.fround;

// Buffers reused from frame to frame, grown when a larger drawing needs them.
const scratch = {
  rows: new Float64Array(0), // the crop's rows through H: cropH x 28
  small: new Float64Array(SIDE * SIDE),
};
function buffer(name, size) {
  if (scratch[name].length < size) scratch[name] = new scratch[name].constructor(size);
  return scratch[name];
}

/**
 * The 28x28 (Float64Array(784), row-major, reused by the next call) that core's ink_to_input
 * hands to its peak normalisation: the crop (`cropH` x `cropW`, zero outside the picture; row y
 * non-zero only in [spans[2y], spans[2y + 1])) blurred with sigma `sigma`, pasted at
 * (offsetY, offsetX) into a square frame of side `frame`, and resized to 28x28 by Pillow's
 * bicubic filter. Not yet clipped at 0.
 */
export function blurFrameResize(crop, spans, cropH, cropW, { sigma, frame, offsetY, offsetX }) {
  const blur = gaussianWeights(sigma);
  const vertical = composeAxis(axes.vertical, frame, offsetY, cropH, blur);
  const horizontal = composeAxis(axes.horizontal, frame, offsetX, cropW, blur);
  return applyTables(crop, spans, cropH, cropW, vertical, horizontal);
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

