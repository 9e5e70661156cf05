// The verification table and the "check my answer" verdict.

import { clear, fmt, h, pointText, pretty } from "./dom.js";

const VERDICT = { pass: "PASS", fail: "FAIL", inconclusive: "INCONCLUSIVE" };

function short(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

function badge(kind, text) {
  return h("span", { class: `badge ${kind}` }, text);
}

/** The verify response: a verdict line, then one row per numeric method (for matrix
 * notation, one table per size the components were checked at). */
export function renderVerify(el, report) {
  clear(el);
  const verdict = report.verdict || (report.passed ? "pass" : "fail");
  const summary = report.summary || (report.runs ? `checked by components at ${
    report.runs.length} size${report.runs.length > 1 ? "s" : ""}` : "");
  el.append(h("p", { class: "verdict" }, badge(verdict, VERDICT[verdict] || verdict), " ",
    String(summary).replace(/^[A-Z]+:\s*/, "")));
  for (const run of report.runs || [report]) {
    const caption = run.sizes ? Object.entries(run.sizes).map(([k, v]) => `${k} = ${v}`)
      .join(", ") + `: ${short(pretty(run.expr), 160)}` : "";
    el.append(methodsTable(run, caption));
    const points = run.points || [];
    if (points.length) {
      el.append(h("details", { class: "points" },
        h("summary", {}, `${points.length} point${points.length > 1 ? "s" : ""}` +
          (run.seed !== undefined ? ` (seed ${run.seed})` : "")),
        h("ul", {}, points.map((p) => h("li", {}, pointText(p))))));
    }
  }
}

/** A report's checks; a report that lists "methods" with their errors (the products') is
 * read into the same rows: the worst error, the verdict, why one was skipped. */
function checksOf(run) {
  if (run.checks) return run.checks;
  if (!run.methods && run.worst) { // a Taylor polynomial's: its derivatives, its remainder
    const rows = [{ method: "mpmath", verdict: run.verdict, worst: run.worst,
      description: `${run.derivatives_checked ?? ""} derivatives at the expansion point` }];
    if (run.remainder_slope !== undefined) {
      rows.push({ method: "remainder", verdict: run.verdict, worst: {},
        description: `f − T shrinks like h^${fmt(run.remainder_slope, 3)} as the point ` +
          `nears the expansion point (order ≥ ${Number(run.order) + 1} expected)` });
    }
    return rows;
  }
  return (run.methods || []).map((m) => ({
    method: m.method, description: m.description || "", skipped: m.problem || null,
    verdict: m.problem ? "skipped" : m.passed ? "pass" : "fail",
    worst: (m.errors || []).length ? { error: Math.max(...m.errors),
      digits: Math.min(30, -Math.log10(Math.max(...m.errors) || 1e-30)) } : {},
  }));
}

function methodsTable(run, caption) {
  const rows = checksOf(run).map((c) => {
    const worst = c.worst || {};
    const why = c.skipped || c.reason || "";
    const v = c.skipped ? "skipped" : c.verdict || (c.passed ? "pass" : "fail");
    return h("tr", {},
      h("th", { scope: "row" }, c.method),
      h("td", {}, c.description || "", why ? h("span", { class: "why-note" }, ` (${why})`) : ""),
      h("td", { class: "num" }, worst.error === undefined ? "—" : fmt(worst.error, 2)),
      h("td", { class: "num" }, worst.digits === undefined ? "—" : fmt(worst.digits, 3)),
      h("td", {}, badge(v, v)));
  });
  return h("div", { class: "table-wrap" }, h("table", { class: "table verify-table" },
    caption ? h("caption", { class: "mono" }, caption) : "",
    h("thead", {}, h("tr", {}, ["method", "how", "worst error", "digits", "verdict"]
      .map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows)));
}

/** An entry of a gradient, Jacobian or Hessian by its meaning: [1] → ∂f/∂y. */
function entryName(index, what, wrt) {
  const v = (k) => wrt[k] ?? `#${k + 1}`;
  if (what === "gradient" && index.length === 1) return `∂f/∂${v(index[0])}`;
  if (what === "hessian" && index.length === 2) {
    return index[0] === index[1] ? `∂²f/∂${v(index[0])}²` : `∂²f/∂${v(index[0])}∂${v(index[1])}`;
  }
  if (what === "jacobian" && index.length === 2) return `∂f${index[0] + 1}/∂${v(index[1])}`;
  return index.map((k) => k + 1).join(", ");
}

/** The check response: correct or not, how we know, a counterexample and the diagnosis. */
export function renderCheck(el, out, claim, wrt = []) {
  clear(el);
  const verdict = out.correct === true ? ["pass", "Correct"]
    : out.correct === false ? ["fail", "Not the derivative"] : ["inconclusive", "Undecided"];
  el.append(h("p", { class: "verdict" }, badge(verdict[0], verdict[1]), " ",
    h("span", { class: "mono" }, pretty(claim))));
  const ev = out.evidence || {};
  if (ev.statement) {
    el.append(h("p", {}, h("strong", {}, ev.method === "proof" ? "Proof: " : "Evidence: "),
      ev.statement, "."));
  }
  if (!ev.statement && out.how) {
    el.append(h("p", {}, h("strong", {}, out.how === "symbolic" ? "Proof: " : "Evidence: "),
      out.how === "symbolic" ? "decided symbolically" : String(out.how), "."));
  }
  if (out.diagnosis) {
    el.append(h("p", { class: "diagnosis" }, h("strong", {}, "Likely mistake: "), out.diagnosis,
      "."));
  }
  if (out.point) {
    const entry = Array.isArray(out.expected) && out.entry && out.entry.length
      ? ` (entry ${entryName(out.entry, out.what, wrt)})` : "";
    el.append(h("div", { class: "table-wrap" }, h("table", { class: "table counterexample" },
      h("caption", {}, `Counterexample at ${pointText(out.point)}${entry}`),
      h("tbody", {},
        h("tr", {}, h("th", { scope: "row" }, "your answer"),
          h("td", { class: "num" }, fmt(out.claimed_value, 8))),
        h("tr", {}, h("th", { scope: "row" }, "the derivative"),
          h("td", { class: "num" }, fmt(out.expected_value, 8)))))));
  }
  if (out.correct === false && !out.point && out.expected !== undefined) {
    const expected = Array.isArray(out.expected) ? JSON.stringify(out.expected) : out.expected;
    el.append(h("p", {}, h("strong", {}, "The answer: "),
      h("span", { class: "mono" }, pretty(expected))));
  }
  if (ev.note) el.append(h("p", { class: "status" }, ev.note));
}
