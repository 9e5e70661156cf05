// The backpropagation view: the computational graph drawn as SVG from the API's graph JSON
// (nodes with forward values, adjoints from the backward pass, edges with local derivatives).

import { clear, fmt, h, pretty, s } from "./dom.js";

const CHAR_W = 7.4;   // width of a character of the 12px monospace font used in nodes
const LINE_H = 17;
const PAD = 10;
const GAP_X = 56;
const GAP_Y = 22;
const MAX_DEF = 30;

function short(text, n = MAX_DEF) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

/** Leaves (variables and parameters) and operation nodes with their depth and position. */
function layout(graph, order) {
  const defined = new Map(graph.nodes.map((n) => [n.name, n]));
  const leaves = [];
  for (const n of graph.nodes) {
    for (const i of n.inputs) if (!defined.has(i) && !leaves.includes(i)) leaves.push(i);
  }
  leaves.sort((a, b) => rank(order, a) - rank(order, b));
  const adjoint = new Map(graph.backward.map((b) => [b.adjoint, b]));
  const local = new Map(); // "input>node" → local partial derivative
  for (const b of graph.backward) {
    for (const [node, partial] of b.terms) local.set(`${b.adjoint}>${node}`, partial);
  }
  const depth = new Map(leaves.map((l) => [l, 0]));
  const boxes = new Map();
  for (const l of leaves) {
    boxes.set(l, { name: l, title: l, leaf: true, value: valueOf(graph, l), adj: adjoint.get(l) });
  }
  for (const n of graph.nodes) {
    depth.set(n.name, 1 + Math.max(0, ...n.inputs.map((i) => depth.get(i) ?? 0)));
    const title = `${n.name} = ${pretty(n.definition)}`;
    boxes.set(n.name, { name: n.name, title, leaf: false, value: n.value,
      adj: adjoint.get(n.name), node: n });
  }
  const columns = [];
  for (const [name, d] of depth) (columns[d] ||= []).push(name);
  return { boxes, columns, depth, local, leaves };
}

function rank(order, name) {
  const k = order.indexOf(name);
  return k < 0 ? order.length : k;
}

function valueOf(graph, leaf) {
  const b = graph.point;
  return b && leaf in b ? b[leaf] : undefined;
}

function lines(box) {
  const out = [short(box.title)];
  out.push(`value ${box.value === undefined ? "—" : fmt(box.value)}`);
  out.push(box.adj ? `adjoint ${fmt(box.adj.value)}` : "adjoint —");
  return out;
}

/** Draw the graph into el; point is the {name: value} the values were computed at. */
export function renderGraph(el, data, point, order) {
  clear(el);
  const graph = { ...data.graph, point };
  if (!graph.nodes || !graph.nodes.length) {
    el.append(h("p", { class: "status" }, "f is a single variable: there is nothing to propagate."));
    return;
  }
  const { boxes, columns, local } = layout(graph, order);
  // Size every box, then place the columns left to right, ordering each column by the
  // mean height of its inputs (fewer crossings).
  for (const box of boxes.values()) {
    const ls = lines(box);
    box.lines = ls;
    box.w = Math.max(...ls.map((l) => l.length)) * CHAR_W + 2 * PAD;
    box.h = ls.length * LINE_H + PAD;
  }
  let x = 12;
  const colHeights = [];
  for (const [c, names] of columns.entries()) {
    if (c > 0) {
      const mean = (n) => {
        const ins = boxes.get(n).node.inputs.map((i) => boxes.get(i));
        return ins.reduce((a, b) => a + b.y + b.h / 2, 0) / Math.max(1, ins.length);
      };
      names.sort((a, b) => mean(a) - mean(b));
    }
    const width = Math.max(...names.map((n) => boxes.get(n).w));
    let y = 12;
    for (const n of names) {
      const box = boxes.get(n);
      box.x = x + (width - box.w) / 2;
      box.y = y;
      y += box.h + GAP_Y;
    }
    colHeights.push(y);
    x += width + GAP_X;
  }
  const height = Math.max(...colHeights);
  // Centre each column vertically.
  for (const [c, names] of columns.entries()) {
    const shift = (height - colHeights[c]) / 2;
    for (const n of names) boxes.get(n).y += shift;
  }
  const width = x - GAP_X + 12;
  const last = graph.nodes[graph.nodes.length - 1].name;
  const svg = s("svg", { class: "graph-svg", width: Math.ceil(width), height: Math.ceil(height),
    viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`, role: "img",
    "aria-label": `Computational graph: ${graph.nodes.length} operations on ` +
      `${boxes.size - graph.nodes.length} inputs` });
  svg.append(s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5,
    markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
  s("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" }))));
  const edges = s("g", { class: "edges" });
  const labels = s("g", { class: "edge-labels" });
  for (const n of graph.nodes) {
    const to = boxes.get(n.name);
    for (const i of new Set(n.inputs)) {
      const from = boxes.get(i);
      const x1 = from.x + from.w;
      const y1 = from.y + from.h / 2;
      const x2 = to.x - 2;
      const y2 = to.y + to.h / 2;
      const mx = (x1 + x2) / 2;
      const partial = local.get(`${i}>${n.name}`);
      const tip = partial === undefined ? `${i} → ${n.name}`
        : `∂${n.name}/∂${i} = ${pretty(partial)}`;
      edges.append(s("path", { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`,
        class: "edge", "marker-end": "url(#arrow)" }, s("title", {}, tip)));
      if (partial !== undefined) {
        // Edges that meet at one node carry their labels nearer their sources, apart.
        const t = new Set(n.inputs).size > 1 && x2 - x1 < 2 * GAP_X ? 0.3 : 0.5;
        const u = 1 - t;
        const lx = u * u * u * x1 + 3 * u * t * mx + t * t * t * x2;
        const ly = (u * u * u + 3 * u * u * t) * y1 + (3 * u * t * t + t * t * t) * y2;
        labels.append(s("text", { x: lx, y: ly - 4, class: "edge-label",
          "text-anchor": "middle" }, short(pretty(partial), 14), s("title", {}, tip)));
      }
    }
  }
  svg.append(edges);
  const nodes = s("g", { class: "nodes" });
  for (const box of boxes.values()) {
    const cls = box.leaf ? "node leaf" : box.name === last ? "node output" : "node";
    const g = s("g", { class: cls, transform: `translate(${box.x},${box.y})` },
      s("title", {}, box.node ? `${box.name} = ${pretty(box.node.expr)}` : box.name),
      s("rect", { width: box.w, height: box.h, rx: 6 }));
    box.lines.forEach((line, k) => {
      g.append(s("text", { x: PAD, y: PAD + (k + 0.8) * LINE_H - 4,
        class: ["def", "val", "adj"][k] }, line));
    });
    nodes.append(g);
  }
  svg.append(labels, nodes); // a box hides a long edge's label that crosses it
  el.append(svg);
}

/** The forward and backward passes as two small tables. */
export function renderGraphTable(el, data) {
  clear(el);
  const graph = data.graph;
  const fwd = h("table", { class: "table" },
    h("caption", {}, "Forward pass"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "node"),
      h("th", { scope: "col" }, "definition"), h("th", { scope: "col" }, "value"))),
    h("tbody", {}, graph.nodes.map((n) => h("tr", {}, h("td", {}, n.name),
      h("td", { class: "mono" }, pretty(n.definition)), h("td", { class: "num" }, fmt(n.value))))));
  const bwd = h("table", { class: "table" },
    h("caption", {}, "Backward pass (adjoints ∂f/∂node)"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "adjoint"),
      h("th", { scope: "col" }, "equation"), h("th", { scope: "col" }, "value"))),
    h("tbody", {}, graph.backward.map((b) => h("tr", {}, h("td", {}, `∂f/∂${b.adjoint}`),
      h("td", { class: "mono" }, b.terms.length
        ? b.terms.map(([n, p]) => `∂f/∂${n} · ${pretty(p)}`).join(" + ") : "1 (the output)"),
      h("td", { class: "num" }, fmt(b.value))))));
  el.append(fwd, bwd);
}
