// The live preview: what is typed, typeset a quarter second after the last key. Text still
// being typed ("sin(", "x**") is a normal state, not an error: /api/parse with partial=1
// answers 200 {complete: false, message, latex} and the preview shows the formula with a box
// where the rest will come, and a quiet note. Only text that cannot become a formula by
// typing more (an unknown function, a bracket closed twice) shows as an error.

import { ApiError, getJson } from "./api.js";
import { clear, h, typeset } from "./dom.js";

const STATES = ["bad", "waiting"];

/** A preview of the input `expr` into the element `box`; `params()` gives from and shape. */
export function livePreview(box, expr, params) {
  let timer = 0;
  let controller = null;

  function show(state, ...children) {
    box.classList.remove(...STATES);
    if (state) box.classList.add(state);
    clear(box).append(...children);
  }

  async function now() {
    clearTimeout(timer);
    const text = expr.value.trim();
    if (controller) controller.abort();
    if (!text) {
      show("");
      return;
    }
    controller = new AbortController();
    try {
      const out = await getJson("/api/parse", { expr: text, ...params(), partial: 1 },
        controller.signal);
      if (out.complete === false) {
        const formula = out.latex ? [typeset(h("div"), `f = ${out.latex}`, true)] : [];
        show("waiting", ...formula, h("p", { class: "waiting-note" }, out.message));
      } else {
        const equation = / = /.test(out.text || ""); // a curve, for implicit differentiation
        show("", typeset(h("div"), equation ? out.latex : `f = ${out.latex}`, true));
      }
    } catch (err) {
      if (err.name === "AbortError") return;
      show("bad", err instanceof ApiError ? err.message : "The preview failed.");
    }
  }

  return {
    schedule() {
      clearTimeout(timer);
      timer = setTimeout(now, 250);
    },
    now,
    clear() {
      if (box.classList.contains("bad")) show("");
    },
  };
}
