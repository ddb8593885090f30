// Reference maps without plotly: the pair's global maps beside the live canvas on Draw &
// explain, painted from their values (app/reference_maps.py sends them). Plotly's front-end
// module is ~4.7 MB; evaluating it held the live canvas back by ~1 s at a cold start, so the
// first screen draws these few fixed maps itself: same colours and symmetric scale as
// app/plots.py (map_scale: five stops, white at zero), one shared colour bar with plain tick
// labels, and a pixel's value on hover.

function element(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

// The colour of `value` on the scale -limit..+limit: linear between the five stops as plotly
// interpolates a colour scale (stops at 0, 0.25, 0.5, 0.75 and 1 of the range).
export function mapColour(value, limit, stops) {
  const t = Math.min(1, Math.max(0, (value / limit + 1) / 2)) * (stops.length - 1);
  const index = Math.min(stops.length - 2, Math.floor(t));
  const f = t - index;
  return [0, 1, 2].map((k) => Math.round(stops[index][k] + (stops[index + 1][k] - stops[index][k]) * f));
}

function paint(canvas, values, limit, stops) {
  const image = new ImageData(28, 28);
  for (let i = 0; i < 784; i += 1) {
    image.data.set([...mapColour(values[i], limit, stops), 255], i * 4);
  }
  canvas.getContext("2d").putImageData(image, 0, 0);
}

function showValueOnHover(canvas, values, limit) {
  canvas.addEventListener("pointermove", (event) => {
    const box = canvas.getBoundingClientRect();
    const column = Math.min(27, Math.floor(((event.clientX - box.left) * 28) / box.width));
    const row = Math.min(27, Math.floor(((event.clientY - box.top) * 28) / box.height));
    canvas.title = `row ${row}, column ${column}: importance ${values[row * 28 + column].toPrecision(3)} (scale ±${limit.toPrecision(2)})`;
  });
}

function colourBar(parent, config) {
  const bar = element("div", "colour-bar", parent);
  const gradient = config.stops.map((s, i) => `rgb(${s.join(",")}) ${(100 * i) / (config.stops.length - 1)}%`);
  // the strong "for" colour at the top, as on plotly's vertical bars
  element("div", "ramp", bar).style.background = `linear-gradient(to top, ${gradient.join(", ")})`;
  const ticks = element("div", "ticks", bar);
  for (const label of [...config.ticks].reverse()) element("span", "tick", ticks, label);
  element("div", "bar-title", bar, "importance");
}

export default function mount({ data, parentElement }) {
  const config = JSON.parse(data.config);
  // the default export runs again when the data or the theme changes: rebuild the few nodes
  const root = parentElement.querySelector(".reference-maps") || element("div", "reference-maps", parentElement);
  root.replaceChildren();
  root.dataset.limit = String(config.limit);
  const panels = element("div", "panels", root);
  for (const shown of config.maps) {
    const figure = element("figure", "panel", panels);
    element("figcaption", "title", figure, shown.title);
    const canvas = element("canvas", "reference-map", figure);
    canvas.width = 28;
    canvas.height = 28;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", shown.title);
    paint(canvas, shown.values, config.limit, config.stops);
    showValueOnHover(canvas, shown.values, config.limit);
  }
  colourBar(root, config);
}
