// The canvas path: canvas pixels -> the EMNIST-style 28x28 input, the browser's copy of
// core/inputs/preprocess.py's canvas_to_input (canvas_ink, thin_thick_strokes, ink_to_input).
// The constants are shared with core through constants.js (core/inputs/live_constants.py); the
// blur, frame and Pillow resize in the middle of ink_to_input are resample.js.
//
// Held equal to core by tests/app/test_live_engine.py (Node) and tests/e2e/test_live_engine.py
// (Chromium) on generated drawings (thin, thick, wide, tiny, faint, off-square, too small,
// blank): the same outcome (input, blank or the too-small sentence), the 28x28 input within
// 2/255; canvasInk exactly equal to core's canvas_ink.
//
// Speed: the scratch buffers are grown once and reused from frame to frame.

import {
  BLUR_FRACTION,
  IMAGE_SIDE as SIDE,
  INK_MASK_LEVEL,
  INK_THRESHOLD,
  MAX_EROSION_SHARE,
  MAX_STROKE_SHARE,
  MIN_EXTENT,
  TARGET_SIDE,
  THINNED_STROKE_SHARE,
  TOO_SMALL,
} from "./constants.js";
import { blurFrameResize } from "./resample.js";

const PIXELS = SIDE * SIDE;

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
  distance: new Int32Array(0), // stroke width: city-block depth of each ink-box pixel
  erodeA: new Float32Array(0), // thinning: the eroded region and its row-wise minimum
  erodeB: new Float32Array(0),
  lineIn: new Float32Array(0),
  lineOut: new Float32Array(0),
  minForward: new Float32Array(0),
  minBackward: new Float32Array(0),
  thinned: new Float32Array(0),
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
  const small = blurFrameResize(crop, spans, cropH, cropW, { sigma, frame, offsetY, offsetX });

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

// Thick strokes of a small drawing (core/inputs/preprocess.py: stroke_width, thin_thick_strokes)
//
// The brush has a fixed width in canvas pixels, so a tiny drawing arrives with strokes a third
// of its size thick; core thins them with a grey-scale erosion before ink_to_input. The stroke
// width is core's erosion count: after k erosions by the 3x3 cross a pixel of the mask is left
// exactly when its city-block distance to the nearest pixel outside the mask exceeds k, so one
// two-pass distance transform over the ink box gives every erosion's count at once.

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
    Math.floor(MAX_EROSION_SHARE * stroke),
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

