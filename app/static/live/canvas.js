// The live drawing component (Streamlit components v2): a canvas for mouse, touch and pen
// whose prediction bars and signed ModuleX overlay follow the pen on every animation frame.
//
// The browser engine (engine.js, loaded from the app's static files) preprocesses the canvas
// the way core/inputs/preprocess.py does and runs the networks; the server stays the
// reference: on pointer-up (and undo, redo, clear) the strokes go to it at once, and it
// recomputes everything with core. If the engine cannot run, the component says so in its
// state ("engine") and the page falls back to the server's own figures.
//
// data (from app/live_canvas.py), rendered from the session's one record (app/state.py):
//   input     {load, strokes, picture, raster, rasterStrokes, image, description, problem}:
//             `load` changes when the server puts a new input on the canvas (an example, an
//             upload, a test image, an edit, a link, Clear); strokes [{w: brush width, p: [x0,
//             y0, x1, y1, ...]}] in canvas pixels, or picture (784 grey levels) shown instead;
//             raster (a PNG data URL) the server's rendering of the first rasterStrokes strokes,
//             painted instead of them, and image (784 levels) the 28x28 input core made of
//             exactly those pixels, explained as it is until the pen changes the drawing. The
//             canvas draws and explains every new load at once.
//   size      the canvas' side in pixels (280, as core's canvas path expects)
//   brush     initial brush width
//   engine    the engine module's address; networks: [{title, url, labels, limit, unlikely,
//             refusal}]: limit the fixed colour scale, a list with one per explained class
//             or one number (null: the map's own, or shared),
//             unlikely the address of the network's "not one of these" parameters (null: no
//             check), refusal the answer shown when the check flags the drawing
//   judge     the 8-character CNN's weights, whose logits every check reads
//   question  {mode, why, against}: class indices or null (the prediction / the runner-up),
//             resolved per frame as core resolves them (question.js); with several networks
//             (Compare pairs) each panel explains its own prediction
//   sharedScale  several panels on one colour scale (their maps' common limit)
//   palette   four RGB stops (strong against, light against, light for, strong for), and
//   paletteWords  the names of its two colours (["red", "blue"]) for the map's legend
//   server    the server's answer for the record (for the tests: the numbers it shows)
//   editing   the drawing is open in the editor: the pad is hidden, the maps follow the edits
//   live      false: do not start the engine (the page chose the server path)
//
// On a phone (narrow screen, canvas.css decides) a lone network's map is painted over the
// drawing, so canvas and map share the first screen; a button switches to the map beside it.

const CONTROLLERS = new WeakMap(); // parentElement -> controller, so reruns reuse the DOM
const HISTORY = { undo: [], redo: [] }; // the drawing's undo and redo steps (see LiveCanvas)
const ENGINES = new Map(); // engine address -> Promise of the module

function loadEngine(address) {
  const url = new URL(address, document.baseURI).href;
  if (!ENGINES.has(url)) ENGINES.set(url, import(url));
  return ENGINES.get(url);
}

// The engine keeps one Promise per address (weights.js' loadOnce); addresses are resolved
// against the page here, as the component's data gives them relative to it.
function loadNetwork(engine, address) {
  return engine.loadNetwork(new URL(address, document.baseURI).href);
}

function loadCheck(engine, address) {
  return engine.loadUnlikely(new URL(address, document.baseURI).href);
}

// numpy's default percentile (linear interpolation) of |values|: the same symmetric colour
// limit as app/plots.py's symmetric_limit (99.5th percentile, 1 when the map is all zero).
export function symmetricLimit(values) {
  const sorted = Float64Array.from(values, Math.abs).sort();
  if (!sorted.length) return 1;
  const position = 0.995 * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const limit = sorted[below] + (sorted[above] - sorted[below]) * (position - below);
  return limit > 0 ? limit : 1;
}

// The overlay palette of app/plots.py (overlay_scale): at -limit the strong "against" colour,
// transparent white at 0, the strong "for" colour at +limit, interpolated in RGBA as plotly
// does. Returns [r, g, b, alpha 0-1].
export function scaleColour(value, limit, stops) {
  const [strongAgainst, lightAgainst, lightFor, strongFor] = stops;
  const scale = [
    [...strongAgainst, 1],
    [...lightAgainst, 0.85],
    [255, 255, 255, 0],
    [...lightFor, 0.85],
    [...strongFor, 1],
  ];
  const t = Math.min(1, Math.max(0, (value / limit + 1) / 2)) * 4;
  const index = Math.min(3, Math.floor(t));
  const f = t - index;
  const mix = (k) => scale[index][k] + (scale[index + 1][k] - scale[index][k]) * f;
  return [mix(0), mix(1), mix(2), mix(3)];
}

// The map panel's colour of a pixel: scaleColour laid over the grey input (0-255).
export function overlayColour(value, limit, stops, grey) {
  const [r, g, b, alpha] = scaleColour(value, limit, stops);
  return [r, g, b].map((c) => Math.round(grey * (1 - alpha) + c * alpha));
}

function fingerprint(input) {
  // FNV-1a over the grey levels: two frames with the same 28x28 input are one input
  let hash = 2166136261;
  for (let i = 0; i < input.length; i += 1) {
    hash ^= Math.round(input[i] * 255);
    hash = Math.imul(hash, 16777619);
  }
  return hash >>> 0;
}

function concat(arrays) {
  const joined = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const array of arrays) {
    joined.set(array, offset);
    offset += array.length;
  }
  return joined;
}

function element(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

class LiveCanvas {
  constructor(parent) {
    this.root = element("div", "live-canvas", parent);
    this.root.dataset.engine = "loading";
    this.root.dataset.explainedStroke = "0";
    this.root.dataset.explainedTotal = "0";
    this.stats = { latencies: [], computeMs: [], explainedAt: [] }; // read by bench/ and tests
    this.root.liveStats = this.stats;
    this.strokes = [];
    this.picture = null;
    // one history per browser tab: it survives the component being mounted again (another
    // network, Compare pairs and back), as the record it steps through does
    this.undoStack = HISTORY.undo;
    this.redoStack = HISTORY.redo;
    this.current = null; // the stroke being drawn
    this.pendingSince = null; // time stamp of the oldest pointer event not yet painted
    this.frame = 0;
    this.lastInput = null;
    this.panels = [];
    this.build();
    this.setMapOver(true); // on a phone the map starts over the drawing (canvas.css)
  }

  build() {
    const pad = element("div", "pad", this.root);
    // the drawing, and over it (phones only, see canvas.css) the map of the first network
    const surface = element("div", "surface", pad);
    this.canvas = element("canvas", "draw", surface);
    element("div", "placeholder", surface, "Draw one character here");
    this.canvas.setAttribute("aria-label", "Drawing canvas: draw one character");
    this.context = this.canvas.getContext("2d", { willReadFrequently: true });
    this.overlay = element("canvas", "overlay", surface);
    this.overlay.setAttribute("aria-hidden", "true"); // the panel's map says the same
    const tools = element("div", "tools", pad);
    this.undoButton = element("button", "", tools, "Undo");
    this.redoButton = element("button", "", tools, "Redo");
    this.clearButton = element("button", "", tools, "Clear");
    const brushLabel = element("label", "brush", tools, "Brush ");
    this.brushInput = element("input", "", brushLabel);
    Object.assign(this.brushInput, { type: "range", min: "6", max: "40", step: "1" });
    this.brushValue = element("span", "brush-value", brushLabel);
    this.layoutButton = element("button", "layout-toggle", tools);
    this.note = element("div", "note", pad);
    this.maps = element("div", "maps", this.root);

    this.undoButton.addEventListener("click", () => this.undo());
    this.redoButton.addEventListener("click", () => this.redo());
    this.clearButton.addEventListener("click", () => this.clear());
    this.layoutButton.addEventListener("click", () => this.setMapOver(!this.mapOver));
    this.brushInput.addEventListener("input", () => {
      this.brush = Number(this.brushInput.value);
      this.brushValue.textContent = `${this.brush} px`;
    });
    const canvas = this.canvas;
    canvas.addEventListener("pointerdown", (event) => this.penDown(event));
    canvas.addEventListener("pointermove", (event) => this.penMove(event));
    canvas.addEventListener("pointerup", (event) => this.penUp(event));
    canvas.addEventListener("pointercancel", (event) => this.penUp(event));
    // no page scroll, zoom or text selection while a finger or pen is on the canvas
    canvas.addEventListener("touchstart", (event) => event.preventDefault(), { passive: false });
    canvas.addEventListener("touchmove", (event) => event.preventDefault(), { passive: false });
  }

  // Phones: the map over the drawing (true) or beside it. The class only matters below
  // canvas.css' width breakpoint; the button names the other layout.
  setMapOver(over) {
    this.mapOver = over;
    this.root.classList.toggle("over", over);
    this.layoutButton.textContent = over ? "Map beside" : "Map over the drawing";
    this.layoutButton.title = over
      ? "Show the map beside the drawing instead of over it"
      : "Paint the map over the drawing, as a see-through layer";
  }

  update(data, setStateValue) {
    this.setStateValue = setStateValue;
    this.data = data;
    const size = data.size || 280;
    if (this.canvas.width !== size) {
      for (const canvas of [this.canvas, this.overlay]) {
        canvas.width = size;
        canvas.height = size;
      }
    }
    if (this.brush === undefined) {
      this.brush = data.brush || 20;
      this.brushInput.value = String(this.brush);
      this.brushValue.textContent = `${this.brush} px`;
    }
    const input = data.input || {};
    let newInput = false;
    if (input.load !== this.load) {
      const strokes = (input.strokes || []).map((stroke) => ({ w: stroke.w, p: [...stroke.p] }));
      const picture = strokes.length ? null : input.picture || null;
      // a load that shows the drawing already here (the editor closed without a change) is no
      // step of the history: one Undo undoes one change
      if (this.load !== undefined && !this.shows(strokes, picture)) this.remember();
      this.load = input.load;
      this.strokes = strokes;
      this.picture = picture;
      this.placed =
        this.strokes.length && input.image ? Float32Array.from(input.image, (v) => v / 255) : null;
      this.base = this.strokes.length && input.raster ? this.raster(input.raster, input.rasterStrokes) : null;
      this.redraw();
      newInput = true;
    }
    this.note.textContent = input.description ? `Showing ${input.description}.` : this.pictureNote();
    this.root.classList.toggle("compact", (data.networks || []).length > 1);
    this.root.classList.toggle("editing", Boolean(data.editing));
    this.root.dataset.server = JSON.stringify(data.server || null);
    const optionsKey = JSON.stringify([data.question, data.palette, data.sharedScale]);
    const networksKey = JSON.stringify((data.networks || []).map((n) => [n.url, n.limit]));
    if (networksKey !== this.networksKey || data.live !== this.live) {
      this.networksKey = networksKey;
      this.live = data.live;
      this.startEngine(data);
    } else if (newInput || optionsKey !== this.optionsKey) {
      this.lastInput = null; // a new input, or the same one asked another question
      this.explainNow(); // at once: the server's input is on screen in this frame
    }
    this.optionsKey = optionsKey;
    this.updateButtons();
  }

  // The server's rendering of the first `count` strokes, painted instead of them (so the canvas
  // shows the pixels the server's input was made from). Decoding a PNG takes a moment: until
  // it is done the strokes are drawn instead, then the canvas is painted again.
  raster(url, count) {
    const image = new Image();
    const base = { url, count: count || 0, image, ready: false };
    image.onload = () => {
      base.ready = true;
      if (this.base !== base) return;
      this.redraw();
      this.lastInput = null; // the canvas now shows the server's pixels: explain them
      this.schedule();
    };
    image.src = url;
    return base;
  }

  pictureNote() {
    return this.picture ? "Drawing on the picture starts a new drawing." : "";
  }

  async startEngine(data) {
    this.nets = null;
    this.lastInput = null;
    this.buildPanels(data.networks || []);
    if (data.live === false) {
      this.root.dataset.engine = "off";
      this.maps.hidden = true;
      return;
    }
    const key = this.networksKey;
    this.root.dataset.engine = "loading";
    try {
      const engine = await loadEngine(data.engine);
      const missing = (data.networks || []).find((network) => !network.url);
      if (missing) throw new Error(`no browser weights for ${missing.title}`);
      // "not one of these": the server judges with the same check, so the live headline
      // agrees with it; a check that cannot load sends the page to the server path. The
      // networks, the checks and the 8-character CNN they read are fetched side by side.
      const judged = data.judge && data.networks.some((n) => n.unlikely);
      const [nets, checks, judge] = await Promise.all([
        Promise.all(data.networks.map((n) => loadNetwork(engine, n.url))),
        Promise.all(
          data.networks.map((n) => (n.unlikely && judged ? loadCheck(engine, n.unlikely) : null)),
        ),
        judged ? loadNetwork(engine, data.judge) : null,
      ]);
      if (key !== this.networksKey) return; // the page asked for other networks meanwhile
      this.engine = engine;
      this.checks = checks;
      this.judge = judge;
      this.nets = nets;
      this.root.dataset.engine = "ready";
      this.maps.hidden = false;
      if (this.reportedFailure) {
        this.reportedFailure = false;
        this.setStateValue("engine", { ok: true, networks: key });
      }
      this.schedule();
    } catch (error) {
      if (key === this.networksKey) this.fail(error);
    }
  }

  fail(error) {
    console.error("live explanation off:", error);
    this.nets = null;
    this.root.dataset.engine = "failed";
    this.maps.hidden = true;
    if (!this.reportedFailure) {
      this.reportedFailure = true;
      const reason = String((error && error.message) || error).slice(0, 200);
      this.setStateValue("engine", { ok: false, reason, networks: this.networksKey });
    }
  }

  buildPanels(networks) {
    this.maps.replaceChildren();
    this.panels = networks.map((network) => {
      const panel = element("figure", "panel", this.maps);
      const box = element("div", "mapbox", panel); // first: level with the drawing
      const map = element("canvas", "map", box);
      element("div", "placeholder", box, "The map appears here as you draw");
      map.width = 28;
      map.height = 28;
      map.setAttribute("role", "img");
      map.addEventListener("pointermove", (event) => {
        const box = map.getBoundingClientRect();
        const column = Math.min(27, Math.floor(((event.clientX - box.left) * 28) / box.width));
        const row = Math.min(27, Math.floor(((event.clientY - box.top) * 28) / box.height));
        const value = map.values ? map.values[row * 28 + column] : null;
        map.title =
          value === null
            ? ""
            : `row ${row}, column ${column}: importance ${value.toPrecision(3)} (scale ±${Number(map.dataset.limit).toPrecision(2)})`;
      });
      const caption = element("div", "caption", panel);
      const legend = this.buildLegend(panel);
      const bars = element("div", "bars", panel);
      const rows = (network.labels || []).map((label) => {
        const row = element("div", "bar", bars);
        element("span", "name", row, label);
        const track = element("span", "track", row);
        const fill = element("span", "fill", track);
        const value = element("span", "value", row, "");
        return { fill, value };
      });
      const title = element("figcaption", "title", panel, network.title || "");
      return { network, figure: panel, title, map, caption, legend, rows };
    });
  }

  // The colour bar of a panel's map, its scale at the ends, and what its two colours mean for
  // the question (set per frame: the question follows the prediction).
  buildLegend(panel) {
    const legend = element("div", "legend", panel);
    const scale = element("div", "legend-scale", legend);
    const low = element("span", "legend-end", scale, "");
    const ramp = element("span", "legend-ramp", scale);
    const high = element("span", "legend-end", scale, "");
    const meaning = element("div", "legend-words", legend);
    const forRow = element("span", "legend-for", meaning);
    const forWord = element("b", "", forRow, "");
    const forText = element("span", "", forRow, "");
    const againstRow = element("span", "legend-against", meaning);
    const againstWord = element("b", "", againstRow, "");
    const againstText = element("span", "", againstRow, "");
    return { low, ramp, high, forWord, forText, againstWord, againstText };
  }

  // --- drawing -------------------------------------------------------------------------

  point(event) {
    const box = this.canvas.getBoundingClientRect();
    const size = this.canvas.width;
    // whole canvas pixels (a tenth of a pixel of the 28x28 input): what a link carries
    const clamp = (v) => Math.min(size, Math.max(0, Math.round(v)));
    return [
      clamp(((event.clientX - box.left) * size) / box.width),
      clamp(((event.clientY - box.top) * size) / box.height),
    ];
  }

  penDown(event) {
    if (event.pointerType === "mouse" && event.button !== 0) return;
    event.preventDefault();
    try {
      this.canvas.setPointerCapture(event.pointerId); // keep the stroke when the pen leaves
    } catch {
      // an event without a live pointer (synthetic, in a benchmark) cannot be captured
    }
    this.remember();
    if (this.picture) {
      this.picture = null; // drawing replaces an uploaded picture or a test image
      this.strokes = [];
      this.base = null;
      this.note.textContent = "";
    }
    this.placed = null; // from now on the input is this canvas' own preprocessing
    const [x, y] = this.point(event);
    this.current = { id: event.pointerId, stroke: { w: this.brush, p: [x, y] } };
    this.strokes.push(this.current.stroke);
    this.explainedThisStroke = 0;
    this.root.dataset.explainedStroke = "0";
    this.redraw();
    this.touched(event);
  }

  penMove(event) {
    if (!this.current || this.current.id !== event.pointerId) return;
    event.preventDefault();
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    const stroke = this.current.stroke;
    const context = this.context;
    context.strokeStyle = "#fff";
    context.lineWidth = stroke.w;
    context.lineCap = "round";
    context.lineJoin = "round";
    for (const moved of events.length ? events : [event]) {
      const [x, y] = this.point(moved);
      const n = stroke.p.length;
      if (x === stroke.p[n - 2] && y === stroke.p[n - 1]) continue;
      context.beginPath();
      context.moveTo(stroke.p[n - 2], stroke.p[n - 1]);
      context.lineTo(x, y);
      context.stroke();
      stroke.p.push(x, y);
    }
    this.touched(event);
  }

  penUp(event) {
    if (!this.current || this.current.id !== event.pointerId) return;
    this.current = null;
    // repainted from the strokes as redraw() paints them after undo, redo or a rerun, so the
    // same strokes always give the same pixels, hence the same 28x28 input sent
    this.redraw();
    this.explainNow(); // the final state of the stroke, before the server answers
    this.send();
    this.updateButtons();
  }

  touched(event) {
    if (this.pendingSince === null) this.pendingSince = event.timeStamp;
    this.schedule();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.explainNow();
    });
  }

  redraw() {
    const { context, canvas } = this;
    // before the first stroke, words on the empty canvas and map say what to do (canvas.css)
    this.root.classList.toggle("empty", !this.strokes.length && !this.picture);
    context.fillStyle = "#000";
    context.fillRect(0, 0, canvas.width, canvas.height);
    if (this.picture) {
      const small = new ImageData(28, 28);
      this.picture.forEach((grey, i) => {
        small.data.set([grey, grey, grey, 255], i * 4);
      });
      const tile = document.createElement("canvas");
      tile.width = tile.height = 28;
      tile.getContext("2d").putImageData(small, 0, 0);
      context.imageSmoothingEnabled = false;
      context.drawImage(tile, 0, 0, canvas.width, canvas.height);
    }
    let first = 0;
    if (this.base && this.base.ready) {
      context.imageSmoothingEnabled = false;
      context.drawImage(this.base.image, 0, 0, canvas.width, canvas.height);
      first = this.base.count;
    }
    context.strokeStyle = context.fillStyle = "#fff";
    context.lineCap = "round";
    context.lineJoin = "round";
    for (const stroke of this.strokes.slice(first)) {
      context.lineWidth = stroke.w;
      context.beginPath();
      if (stroke.p.length === 2) {
        context.arc(stroke.p[0], stroke.p[1], stroke.w / 2, 0, 2 * Math.PI);
        context.fill();
        continue;
      }
      context.moveTo(stroke.p[0], stroke.p[1]);
      for (let i = 2; i < stroke.p.length; i += 2) context.lineTo(stroke.p[i], stroke.p[i + 1]);
      context.stroke();
    }
    this.root.dataset.strokes = String(this.strokes.length);
  }

  // --- undo, redo, clear: each one is a new input, sent at once ---------------------------

  snapshot() {
    return { strokes: [...this.strokes], picture: this.picture, placed: this.placed, base: this.base };
  }

  shows(strokes, picture) {
    const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
    return same(strokes, this.strokes) && same(picture && Array.from(picture), this.picture && Array.from(this.picture));
  }

  remember() {
    this.undoStack.push(this.snapshot());
    if (this.undoStack.length > 100) this.undoStack.shift();
    this.redoStack.length = 0;
  }

  restore(state) {
    this.strokes = [...state.strokes];
    this.picture = state.picture;
    this.placed = state.placed || null;
    this.base = state.base || null;
    this.note.textContent = this.pictureNote();
    this.redraw();
    this.explainNow(); // now, not on the next frame: what is sent carries this input
    this.send();
    this.updateButtons();
  }

  undo() {
    if (!this.undoStack.length) return;
    this.redoStack.push(this.snapshot());
    this.restore(this.undoStack.pop());
  }

  redo() {
    if (!this.redoStack.length) return;
    this.undoStack.push(this.snapshot());
    this.restore(this.redoStack.pop());
  }

  clear() {
    if (!this.strokes.length && !this.picture) return;
    this.remember();
    this.restore({ strokes: [], picture: null, placed: null, base: null });
  }

  updateButtons() {
    this.undoButton.disabled = !this.undoStack.length;
    this.redoButton.disabled = !this.redoStack.length;
    this.clearButton.disabled = !this.strokes.length && !this.picture;
  }

  send() {
    if (!this.setStateValue) return;
    // strokes in canvas pixels, or the 784 grey levels of a picture brought back by undo
    const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const picture = this.picture && !this.strokes.length ? this.picture : null;
    const sent = { id, strokes: picture ? [] : this.strokes, picture };
    // the server's rendering still under the pen's strokes, so a remounted canvas shows it again
    if (!picture && this.base) sent.base = { png: this.base.url, count: this.base.count };
    // the 28x28 input the live bars explained, so the server explains that very image
    if (!picture && this.strokes.length && this.lastLevels) sent.input = packLevels(this.lastLevels);
    this.root.dataset.sentInput = sent.input || ""; // for the tests
    this.setStateValue("drawing", sent);
  }

  // --- the live explanation --------------------------------------------------------------

  currentInput() {
    if (this.picture && !this.strokes.length) {
      // a picture fills the canvas: its 28x28 pixels are the input's
      const frame = { x: 0, y: 0, side: this.canvas.width };
      return { input: Float32Array.from(this.picture, (grey) => grey / 255), frame };
    }
    if (!this.strokes.length) return { blank: true };
    const size = this.canvas.width;
    const ink = this.engine.canvasInk(this.context.getImageData(0, 0, size, size));
    const own = this.engine.preprocessInk(ink, size, size);
    // strokes the server placed: the very input it explains (its rendering of them), framed
    // where this canvas' own preprocessing puts them
    if (this.placed) return { input: this.placed, frame: own.frame || null };
    return own;
  }

  explainNow() {
    const pendingSince = this.pendingSince;
    this.pendingSince = null;
    this.lastLevels = null;
    if (!this.nets) return;
    const started = performance.now();
    try {
      const prepared = this.currentInput();
      this.lastLevels = prepared.input || null;
      this.root.dataset.liveInput = prepared.input ? packLevels(prepared.input) : "";
      if (!prepared.input) {
        this.lastInput = null;
        const problem = prepared.error ? `Not a character yet: ${prepared.error}` : "";
        this.paintEmpty(problem || (this.data.input && this.data.input.problem) || "");
        return;
      }
      const key = fingerprint(prepared.input);
      if (key === this.lastInput) return;
      this.lastInput = key;
      const logits = this.judge ? this.judge.logits(prepared.input) : null;
      const found = this.nets.map((net, index) => {
        const check = this.checks[index];
        const verdict = check && logits ? check.verdict(prepared.input, logits) : null;
        return this.explainOne(net, this.panels[index], verdict, prepared.input);
      });
      const shared = this.data.sharedScale && found.length > 1 ? symmetricLimit(concat(found.map((f) => f.map))) : null;
      found.forEach((explained, index) => {
        const panel = this.panels[index];
        const limit = panel.network.limit; // fixed: one per explained class, or one for all
        const fixed = Array.isArray(limit) ? limit[explained.target] : limit;
        this.paintMap(panel, prepared.input, explained.map, shared || fixed || symmetricLimit(explained.map));
      });
      this.paintOverlay(this.panels[0], prepared.frame);
    } catch (error) {
      this.lastLevels = null;
      this.fail(error);
      return;
    }
    const now = performance.now();
    this.stats.computeMs.push(now - started);
    this.stats.explainedAt.push(now);
    if (pendingSince !== null) this.stats.latencies.push(now - pendingSince);
    this.explainedThisStroke = (this.explainedThisStroke || 0) + 1;
    this.root.dataset.explainedStroke = String(this.explainedThisStroke);
    this.root.dataset.explainedTotal = String(Number(this.root.dataset.explainedTotal) + 1);
  }

  // One network's prediction and map for the page's question (each panel of Compare pairs
  // explains its own prediction); the bars and caption are set here, the map is painted once
  // every panel's scale is known.
  explainOne(net, panel, verdict, input) {
    const question = this.data.question || { mode: "contrast" };
    const mode = question.mode;
    const labels = panel.network.labels || net.labels || [];
    const single = this.panels.length === 1;
    const explained = net.explain(input, {
      mode,
      target: single ? (question.why ?? null) : null,
      contrast: single ? (question.against ?? null) : null,
    });
    const { probabilities, target, contrast } = explained;
    let predicted = 0;
    for (let i = 1; i < probabilities.length; i += 1) if (probabilities[i] > probabilities[predicted]) predicted = i;
    panel.rows.forEach((row, i) => {
      row.fill.style.width = `${(100 * probabilities[i]).toFixed(1)}%`;
      row.value.textContent = `${(100 * probabilities[i]).toFixed(1)}%`;
    });
    const name = (i) => labels[i] ?? String(i);
    const words =
      mode === "thesis"
        ? "the whole output"
        : mode === "contrast"
          ? `why ${name(target)} and not ${name(contrast)}`
          : `why ${name(target)}`;
    // flagged "not one of these": the server's answer, and the bars greyed as on the page
    const refused = Boolean(verdict && verdict.flagged);
    const answer = refused
      ? panel.network.refusal
      : `${name(predicted)} ${(100 * probabilities[predicted]).toFixed(0)}%`;
    panel.caption.textContent = `${answer} · ${words}`;
    const [speaksFor, speaksAgainst] = this.engine.legendWords(mode, target, contrast, labels.map((l, i) => name(i)));
    panel.legend.forText.textContent = speaksFor;
    panel.legend.againstText.textContent = speaksAgainst;
    panel.figure.classList.toggle("refused", refused);
    panel.figure.dataset.refused = String(refused);
    panel.figure.dataset.unlikelyScore = verdict ? String(verdict.score) : "";
    panel.map.setAttribute("aria-label", `Live ModuleX map: ${words}`);
    // the browser's numbers, for the tests that hold them equal to the server's
    panel.map.dataset.probabilities = JSON.stringify(Array.from(probabilities));
    panel.map.dataset.target = String(target);
    panel.map.dataset.contrast = String(contrast);
    return explained;
  }

  paintMap(panel, input, map, limit) {
    const image = new ImageData(28, 28);
    for (let i = 0; i < 784; i += 1) {
      const [r, g, b] = overlayColour(map[i], limit, this.data.palette, input[i] * 255);
      image.data[i * 4] = r;
      image.data[i * 4 + 1] = g;
      image.data[i * 4 + 2] = b;
      image.data[i * 4 + 3] = 255;
    }
    panel.map.getContext("2d").putImageData(image, 0, 0);
    panel.map.dataset.limit = String(limit);
    this.paintLegend(panel.legend, limit);
    panel.limit = limit;
    panel.values = map;
    panel.map.values = map; // the hover shows a pixel's value
  }

  paintLegend(legend, limit) {
    const [strongAgainst, lightAgainst, lightFor, strongFor] = this.data.palette;
    const rgb = (stop) => `rgb(${stop.join(",")})`;
    legend.ramp.style.background = `linear-gradient(to right, ${rgb(strongAgainst)}, ${rgb(lightAgainst)}, #fff, ${rgb(lightFor)}, ${rgb(strongFor)})`;
    const scale = limit >= 100 ? limit.toFixed(0) : limit.toPrecision(2); // no "1.8e+3"
    legend.low.textContent = `−${scale}`;
    legend.high.textContent = `+${scale}`;
    const [forWord, againstWord] = this.data.paletteWords || ["for", "against"];
    legend.forWord.textContent = `${forWord}: `;
    legend.againstWord.textContent = `${againstWord}: `;
  }

  // The first panel's map over the drawing: the same colours and scale as the panel, without
  // the grey input (the drawing shows through), each of the 28x28 pixels a square laid where
  // preprocessing took it from (frame: the square of the canvas the input shows).
  paintOverlay(panel, frame) {
    const context = this.overlay.getContext("2d");
    context.clearRect(0, 0, this.overlay.width, this.overlay.height);
    if (!panel || !panel.values || !frame) return;
    const tile = new ImageData(28, 28);
    for (let i = 0; i < 784; i += 1) {
      const [r, g, b, alpha] = scaleColour(panel.values[i], panel.limit, this.data.palette);
      tile.data.set([r, g, b, Math.round(255 * alpha)], i * 4);
    }
    if (!this.overlayTile) {
      this.overlayTile = document.createElement("canvas");
      this.overlayTile.width = this.overlayTile.height = 28;
    }
    this.overlayTile.getContext("2d").putImageData(tile, 0, 0);
    context.imageSmoothingEnabled = false; // one square per input pixel, as the panel shows
    context.drawImage(this.overlayTile, frame.x, frame.y, frame.side, frame.side);
  }

  paintEmpty(message) {
    this.paintOverlay(null, null);
    for (const panel of this.panels) {
      panel.figure.classList.remove("refused");
      panel.figure.dataset.refused = "false";
      panel.map.getContext("2d").clearRect(0, 0, 28, 28);
      panel.caption.textContent = message;
      panel.rows.forEach((row) => {
        row.fill.style.width = "0%";
        row.value.textContent = "";
      });
    }
  }

  destroy() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.root.remove();
  }
}

// 784 levels (input values x 255, whole numbers by construction) as base64, one byte each:
// 1,048 characters on pointer-up instead of a PNG.
function packLevels(input) {
  let text = "";
  for (let i = 0; i < input.length; i += 1) text += String.fromCharCode(Math.round(input[i] * 255));
  return btoa(text);
}

export default function mount({ data, parentElement, setStateValue }) {
  let controller = CONTROLLERS.get(parentElement);
  if (!controller) {
    controller = new LiveCanvas(parentElement);
    CONTROLLERS.set(parentElement, controller);
  }
  // the page sends its settings as one JSON string (app/live_canvas.py says why)
  controller.update(data && data.config ? JSON.parse(data.config) : {}, setStateValue);
  return () => {
    controller.destroy();
    CONTROLLERS.delete(parentElement);
  };
}
