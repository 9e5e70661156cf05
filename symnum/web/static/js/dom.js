// Small DOM helpers. User text and API strings enter the page only as text nodes
// (textContent) or through KaTeX with trust off; nothing here writes HTML.

/** An element with attributes and children; strings become text nodes. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element, like h. */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) throw new Error("no event handler attributes");
    el.setAttribute(key, value === true ? "" : String(value));
  }
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Remove every child of an element. */
export function clear(el) {
  el.replaceChildren();
  return el;
}

/** Show a message in an element that holds errors (one sentence, as text). */
export function showError(el, message) {
  el.textContent = message || "";
  el.hidden = !message;
}

/** Typeset LaTeX into el with KaTeX (no trust, no throwing); plain text if KaTeX is absent. */
export function typeset(el, latex, display = false) {
  if (window.katex) {
    window.katex.render(String(latex), el, {
      displayMode: display, throwOnError: false, trust: false, strict: "ignore",
      maxSize: 50, maxExpand: 500,
    });
  } else {
    el.textContent = String(latex);
  }
  return el;
}

/** A span holding typeset math. */
export function math(latex, display = false) {
  return typeset(h("span", { class: "math" }), latex, display);
}

const SUPERSCRIPT = { 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸",
  9: "⁹", "-": "⁻" };

/** SymPy's plain text, easier to read: x**2 → x², * → ·. */
export function pretty(text) {
  return String(text)
    .replace(/\*\*\((-?\d+)\)/g, (_, n) => [...n].map((c) => SUPERSCRIPT[c]).join(""))
    .replace(/\*\*(\d+)/g, (_, n) => [...n].map((c) => SUPERSCRIPT[c]).join(""))
    .replace(/\*\*/g, "^")
    .replace(/\*/g, "·")
    .replace(/sqrt\(/g, "√(")
    .replace(/\bsigmoid\(/g, "σ(")
    .replace(/\bpi\b/g, "π");
}

/** A number for people: four significant digits, no trailing zeros. */
export function fmt(value, digits = 4) {
  if (value === null || value === undefined) return "—";
  if (typeof value !== "number") return String(value);
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-4) return value.toExponential(digits - 1).replace(/\.?0+e/, "e");
  return String(Number(value.toPrecision(digits)));
}

/** A point {x: 1, y: 2} as "x = 1, y = 2". */
export function pointText(point) {
  return Object.entries(point || {}).map(([k, v]) => `${k} = ${fmt(v)}`).join(", ");
}
