// The browser engine of the live drawing component: the one module canvas.js imports (by the
// address app/live_weights.py's engine_url gives), gathering the live path's modules. Each
// module repeats in the browser one job of core/ and is held equal to it by a test (the table
// in docs/architecture.md, "Live path contract"):
//
//   constants.js   the shared constants           core/inputs/live_constants.py
//   preprocess.js  canvasInk, preprocessInk,       core/inputs/preprocess.py (canvas_ink,
//                  thinThickStrokes                thin_thick_strokes, ink_to_input)
//   resample.js    blur, frame and Pillow's        core/inputs/preprocess.py (gaussian_blur and
//                  bicubic resize as one table     Pillow's resize inside ink_to_input)
//   weights.js     loading and both checksums,     core/models/weights_export.py,
//                  sha256 without crypto.subtle    app/live_weights.py (the address's checksum)
//   network.js     loadNetwork, Network.forward    core/models/layer_stack.py,
//                  and Network.explain             core/explain/walker.py + modulex.py
//   layers.js      each layer's forward step and   core/models/layer_stack.py,
//                  ModuleX backward step           core/explain/walker.py
//   question.js    resolveQuestion, legendWords    core/explain/question.py
//   unlikely.js    loadUnlikely(...).verdict       core/insight/unlikely.py ("not one of these")
//
// Whoever changes core's side of a row changes the browser's and its test in the same commit.
// Plain ES modules, no build step, served by Streamlit at /app/static/live/.

export { legendWords, resolveQuestion } from "./question.js";
export { loadNetwork } from "./network.js";
export { canvasInk, preprocessInk, thinThickStrokes } from "./preprocess.js";
export { loadUnlikely } from "./unlikely.js";
export { sha256Hex, sha256HexPlain } from "./weights.js";
