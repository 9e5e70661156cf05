// The steps as a foldable tree: <details>/<summary> for a step with sub-steps, a plain
// row for a leaf. Each row is a true statement (typeset), its rule and the rule's formula.

import { clear, h, math, pretty } from "./dom.js";

const MAX_STEPS = 400; // beyond this the tree is cut, with a note (the CLI shows all)

function displayNumbers(root) {
  // Derivation numbers ("id", post-order) → reading numbers (pre-order), for "see [k]".
  const numbers = new Map();
  let k = 0;
  (function walk(step) {
    k += 1;
    if (step.id !== null && step.id !== undefined) numbers.set(step.id, k);
    (step.substeps || []).forEach(walk);
  })(root);
  return numbers;
}

function statement(step) {
  if (step.latex) return math(step.latex);
  const op = step.differential ? "d" : `d/d${step.wrt} `;
  return h("span", { class: "plain" }, `${op}[${pretty(step.expr)}] = ${pretty(step.result)}`);
}

function explanation(step, numbers) {
  const parts = [h("span", { class: "rule" }, step.title || String(step.rule).replace(/_/g, " "))];
  if (step.let && step.let.length) {
    parts.push(h("span", { class: "let" },
      step.let.map(([u, v]) => `${u} = ${pretty(v)}`).join(", ")));
  }
  if (step.ref !== null && step.ref !== undefined) {
    parts.push(h("span", { class: "ref" }, `derived in [${numbers.get(step.ref) ?? step.ref}]`));
  } else {
    // a function's own rule in the note (sec'(u) = ...) makes its family's formula a repeat
    if (step.formula && step.formula_shown !== false) {
      parts.push(h("span", { class: "formula" }, step.formula));
    }
    if (step.note && step.note !== step.formula) parts.push(h("span", { class: "note" }, step.note));
  }
  return h("span", { class: "why" }, parts);
}

function stepNode(step, numbers, counter) {
  counter.k += 1;
  const row = [h("span", { class: "num" }, `[${counter.k}]`), " ",
    h("span", { class: "stmt" }, statement(step)), explanation(step, numbers)];
  const subs = step.substeps || [];
  if (!subs.length || counter.k >= MAX_STEPS) {
    return h("li", { class: "step leaf" }, h("div", { class: "step-row" }, row));
  }
  const children = [];
  for (const sub of subs) {
    if (counter.k >= MAX_STEPS) break;
    children.push(stepNode(sub, numbers, counter));
  }
  return h("li", { class: "step" },
    h("details", { open: true },
      h("summary", { class: "step-row" }, row),
      h("ol", { class: "substeps" }, children)));
}

/** Draw the step trees of a derive response into el. */
export function renderSteps(el, steps) {
  clear(el);
  if (!steps || !steps.length) {
    el.append(h("p", { class: "status" }, "No steps for this result."));
    return;
  }
  let total = 0;
  for (const tree of steps) {
    const counter = { k: 0 };
    const block = h("div", { class: "tree" });
    if (steps.length > 1 && tree.label) block.append(h("h3", {}, tree.label));
    block.append(h("ol", { class: "steps-root" }, stepNode(tree, displayNumbers(tree), counter)));
    el.append(block);
    total += counter.k;
    if (counter.k >= MAX_STEPS) {
      el.append(h("p", { class: "status" },
        `Only the first ${MAX_STEPS} steps are shown; symnum derive --steps prints them all.`));
    }
  }
  return total;
}

/** Open or close every step. */
export function foldAll(el, open) {
  for (const d of el.querySelectorAll("details")) d.open = open;
}
