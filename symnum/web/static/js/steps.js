// The steps as a foldable tree: <details>/<summary> for a step with sub-steps, a plain
// row for a leaf. Each row is a true statement (typeset), its rule and the rule's formula.
// A closing step (simplify, recognise: "closing" in the JSON) is read after the derivation
// it closes, as the CLI prints it.

import { clear, h, math, pretty } from "./dom.js";

const MAX_STEPS = 400; // beyond this the tree is cut, with a note (the CLI shows all)

function displayNumbers(root) {
  // Derivation numbers ("id", post-order) → reading numbers, for "see [k]": depth first,
  // a closing step after its substeps.
  const numbers = new Map();
  let k = 0;
  (function walk(step) {
    if (step.closing) (step.substeps || []).forEach(walk);
    k += 1;
    if (step.id !== null && step.id !== undefined) numbers.set(step.id, k);
    if (!step.closing) (step.substeps || []).forEach(walk);
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
      step.let.map(([u, v]) => `${pretty(u)} = ${pretty(v)}`).join(", ")));
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

function stepRow(step, numbers, counter) {
  counter.k += 1;
  return [h("span", { class: "num" }, `[${counter.k}]`), " ",
    h("span", { class: "stmt" }, statement(step)), explanation(step, numbers)];
}

function stepNodes(step, numbers, counter) {
  // The list items of a step: one, or for a closing step its substeps' then its own row.
  const subs = step.substeps || [];
  if (step.closing) {
    const items = [];
    for (const sub of subs) {
      if (counter.k >= MAX_STEPS) break;
      items.push(...stepNodes(sub, numbers, counter));
    }
    if (counter.k >= MAX_STEPS) return items;
    const row = stepRow(step, numbers, counter);
    return [...items, h("li", { class: "step leaf closing" }, h("div", { class: "step-row" }, row))];
  }
  const row = stepRow(step, numbers, counter);
  if (!subs.length || counter.k >= MAX_STEPS) {
    return [h("li", { class: "step leaf" }, h("div", { class: "step-row" }, row))];
  }
  const children = [];
  for (const sub of subs) {
    if (counter.k >= MAX_STEPS) break;
    children.push(...stepNodes(sub, numbers, counter));
  }
  return [h("li", { class: "step" },
    h("details", { open: true },
      h("summary", { class: "step-row" }, row),
      h("ol", { class: "substeps" }, children)))];
}

/** A flat step's statement: its LaTeX, its text, or "lhs = value" (a list in brackets). */
function flatStatement(step) {
  if (step.latex) return math(step.latex);
  if (step.text) return h("span", { class: "plain" }, pretty(step.text));
  const value = Array.isArray(step.value) ? `[${step.value.map(pretty).join(", ")}]`
    : pretty(step.value);
  return h("span", { class: "plain" }, `${step.lhs} = ${value}`);
}

/** A flat derivation (implicit differentiation's {latex, why}, the products' {rule, lhs,
 * value}): one numbered row each, the statement and its reason on the right. */
function renderFlat(el, steps) {
  const rows = steps.map((step, k) => h("li", { class: "step leaf" },
    h("div", { class: "step-row" }, h("span", { class: "num" }, `[${k + 1}]`), " ",
      h("span", { class: "stmt" }, flatStatement(step)),
      step.why || step.rule || step.title
        ? h("span", { class: "why" }, h("span", { class: "rule" }, step.why || step.rule || step.title))
        : "")));
  el.append(h("div", { class: "tree flat" }, h("ol", { class: "steps-root" }, rows)));
  return steps.length;
}

/** Steps with neither sub-steps nor a differentiated expression form a flat list. */
function isFlat(steps) {
  return steps.every((s) => s.substeps === undefined && s.expr === undefined);
}

/** Draw the step trees of a derive response into el. */
export function renderSteps(el, steps) {
  clear(el);
  if (!steps || !steps.length) {
    el.append(h("p", { class: "status" }, "No steps for this result."));
    return;
  }
  if (isFlat(steps)) return renderFlat(el, steps);
  let total = 0;
  for (const tree of steps) {
    const counter = { k: 0 };
    const block = h("div", { class: "tree" });
    if (steps.length > 1 && tree.label) block.append(h("h3", {}, tree.label));
    block.append(h("ol", { class: "steps-root" }, stepNodes(tree, displayNumbers(tree), counter)));
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
