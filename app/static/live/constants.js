// The live path's shared constants: the browser's copy of core/inputs/live_constants.py, the
// same names and values (the reasons are written there). tests/app/test_live_constants.py
// imports this module under Node and compares it with the Python table, name for name and
// value for value: whoever changes one changes the other in the same commit.

export const IMAGE_SIDE = 28; // the networks' input is IMAGE_SIDE x IMAGE_SIDE
export const INK_THRESHOLD = 0.1; // a canvas pixel above it counts as drawn
export const BLUR_FRACTION = 0.01; // Gaussian sigma as a share of the ink box's longer side
export const TARGET_SIDE = 24; // pixels spanned by the longer side in the 28x28 result
export const MIN_EXTENT = 0.12; // smallest drawing, as a share of the picture's longer side
export const MAX_STROKE_SHARE = 0.2; // thicker strokes (a share of the box's longer side) are thinned
export const THINNED_STROKE_SHARE = 0.12; // ...down to about this share
export const MAX_EROSION_SHARE = 0.35; // ...by at most this share of the stroke width per side
export const INK_MASK_LEVEL = 0.5; // pixels above it are the stroke whose width is measured
export const TOO_SMALL = "the drawing is too small to be a character (a dot or a short tick): draw it larger";
